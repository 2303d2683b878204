//! Runs across processes on 127.0.0.1: the same bytes as one process, and every failure
//! (a process that dies, one that never comes, one started with other arguments, a wrong
//! host file) stops the others with an error that names the process and its host, and
//! leaves no output.

use super::determinism::files;
use super::*;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A host file of `n` free ports on 127.0.0.1, and the ports.
fn hostfile(dir: &Path, n: usize) -> (PathBuf, Vec<u16>) {
    let listeners: Vec<_> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let ports: Vec<u16> = listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect();
    let text: String = ports.iter().map(|p| format!("127.0.0.1:{p}\n")).collect();
    let path = dir.join(format!("hosts-{}", ports[0]));
    std::fs::write(&path, text).unwrap();
    (path, ports)
}

/// Start process `i` of `n` with `args` (the same for all) and `--threads threads`; process
/// 0 notes what each stage did (`COORDNET_TIMINGS`). Each process has a memory limit of its
/// own, as hosts of different sizes would: a host's setting, not the run's.
fn start(args: &[&str], hosts: &Path, n: usize, i: usize, threads: usize) -> Child {
    start_in(Path::new("."), args, hosts, n, i, threads)
}

/// [`start`], in folder `cwd`.
fn start_in(cwd: &Path, args: &[&str], hosts: &Path, n: usize, i: usize, threads: usize) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_coordnet"));
    c.current_dir(cwd);
    if i == 0 {
        c.env("COORDNET_TIMINGS", "1");
    }
    c.args(args)
        .args(["--processes", &n.to_string(), "--process", &i.to_string()])
        .args(["--hostfile", hosts.to_str().unwrap()])
        .args(["--threads", &threads.to_string()])
        .arg(format!("--memory-limit={}G", 16 + i))
        .args(match args.contains(&"--connect-timeout") {
            true => &[][..],
            false => &["--connect-timeout", "20"][..],
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait for `child` at most `secs` seconds: a hang is a failure, not a stuck test run.
fn finish(mut child: Child, secs: u64) -> std::process::Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("a process did not stop within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// Run `args` on `n` processes; every process must succeed, and all but process 0 print
/// nothing. Returns what process 0 printed on standard error.
fn run_on(dir: &Path, n: usize, threads: usize, args: &[&str]) -> String {
    let (hosts, _) = hostfile(dir, n);
    let children: Vec<Child> = (0..n).map(|i| start(args, &hosts, n, i, threads)).collect();
    let mut said = String::new();
    for (i, c) in children.into_iter().enumerate() {
        let o = finish(c, 120);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "process {i} of {n}: {err}");
        match i {
            0 => said = err.into_owned(),
            _ => assert!(err.is_empty() && o.stdout.is_empty(), "process {i}: {err}"),
        }
    }
    said
}

/// What process 0 said it holds of the rows once they are placed: its own, of all. Its
/// dataset then has no row's columns, so a read of any row but through its holder fails.
fn rows_on_0(said: &str) -> (usize, usize) {
    let line = (said.lines())
        .find_map(|l| l.strip_prefix("rows held where they were parsed: "))
        .unwrap_or_else(|| panic!("no note of the rows held: {said}"));
    let numbers: Vec<usize> = (line.split(' ')).filter_map(|w| w.parse().ok()).collect();
    (numbers[0], numbers[1])
}

/// Generated collection in three files, and the sample: four inputs to share out.
fn inputs(dir: &Path) -> Vec<String> {
    let data = dir.join("data");
    synth(&data, 60000, 3, &[]);
    // Bad rows and a quoted line break deep in the second file, in chunks other processes
    // parse when it is split: what is refused, and where, is the same on any count.
    let second = data.join("tweets_2.csv");
    let text = std::fs::read_to_string(&second).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let n = lines.len();
    lines[n * 45 / 100] = lines[n * 45 / 100].replacen("\"2020-", "\"yesterday-", 1);
    lines[n * 46 / 100] = lines[n * 46 / 100].replacen(": ", ":\n", 1);
    lines[n * 47 / 100] = lines[n * 47 / 100].replacen("\",\"", "\"x,\"", 1);
    lines[n * 85 / 100] = lines[n * 85 / 100].replacen(",\"", ",\"\"", 1);
    std::fs::write(&second, lines.join("\n") + "\n").unwrap();
    let mut v: Vec<String> = (1..=2)
        .map(|k| {
            data.join(format!("tweets_{k}.csv"))
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // The third part inside a zip, beside an entry that is not data: entries are shared out
    // like files, and what is left out is reported the same.
    let zipped = data.join("parts.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zipped).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("tweets_3.csv", opts).unwrap();
    let third = std::fs::read(data.join("tweets_3.csv")).unwrap();
    std::io::Write::write_all(&mut z, &third).unwrap();
    z.start_file("notes.txt", opts).unwrap();
    std::io::Write::write_all(&mut z, b"not data").unwrap();
    z.finish().unwrap();
    v.push(zipped.to_str().unwrap().to_string());
    let sample = sample_tweets();
    v.push(sample.to_str().unwrap().to_string());
    // The sample, the zip, then the two parts: the gzip file falls to process 0 and the zip
    // entry to process 1, which reads it whole before it parses its chunks of the parts (while
    // process 0 waits for the entry before it cuts them).
    v.rotate_left(2);
    v.swap(0, 1);
    v
}

/// The files of `dir`, written on `n` processes, are those of one (`expected`), byte for byte.
fn same_files(expected: &std::collections::BTreeMap<String, Vec<u8>>, dir: &Path, n: usize) {
    let got = files(dir);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (file, bytes) in expected {
        assert!(got[file] == *bytes, "{file} differs on {n} processes");
    }
}

#[test]
fn detect_and_graph_on_2_and_3_processes_give_the_bytes_of_one() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(dir.path());
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let detect = |o: &str| -> Vec<String> {
        let mut a: Vec<String> = vec!["detect".into()];
        a.extend(inputs.iter().cloned());
        a.extend(["-o".into(), o.into(), "-q".into()]);
        a
    };
    let one = detect(&out("one"));
    let o = coordnet(&one.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let expected = files(&dir.path().join("one"));
    assert!(expected.len() >= 6, "{:?}", expected.keys());
    for (n, threads) in [(2, 1), (2, 2), (3, 1)] {
        let name = format!("p{n}t{threads}");
        let args = detect(&out(&name));
        let said = run_on(
            dir.path(),
            n,
            threads,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        // Every process parsed a share of the records (the two plain files are split, the
        // zip entry and the gzip file dealt whole), counted a share of each busy kind's pairs
        // and of the retweets, found the sources of its rows' retweets, took the co-tweet
        // actions of its rows, and tallied the rows it parsed for scoring.
        // (On 3 processes, process 2 parses a third of the split files' chunks and no whole
        // file: about a tenth.)
        for (line, what, least) in [
            ("read ", "parsed", 5.0),
            ("rows scored", "tallied", 5.0),
            ("co-retweet:", "pairs counted", 100.0 / n as f64 / 3.0),
            ("co-hashtag:", "pairs counted", 100.0 / n as f64 / 3.0),
            ("retweet:", "retweets counted", 100.0 / n as f64 / 3.0),
            ("retweet:", "sources found", 100.0 / n as f64 / 3.0),
            ("co-tweet:", "actions taken", 5.0),
        ] {
            let line = (said.lines())
                .find(|l| l.trim_start().starts_with(line))
                .unwrap_or_else(|| panic!("no {line} note: {said}"));
            let counted = format!("{what} on {n} processes: ");
            let shares = line
                .split(&counted)
                .nth(1)
                .unwrap_or_else(|| panic!("{line}"));
            let shares = shares.split(')').next().unwrap_or_default();
            let shares: Vec<f64> = (shares.split(", "))
                .map(|s| s.trim_end_matches('%').parse().unwrap())
                .collect();
            assert_eq!(shares.len(), n, "{line}");
            assert!(shares.iter().all(|&s| s > least), "{line}");
        }
        let (own, all) = rows_on_0(&said);
        assert!(
            0 < own && own < all * 3 / 4,
            "{own} of {all} rows on process 0"
        );
        same_files(&expected, &dir.path().join(&name), n);
    }
    // A graph is built where the rows are held: process 0 keeps its own rows, every process
    // pairs the actions of the items it owns, and each sends what its rows' retweets add to
    // the retweet graph.
    for (kind, file, n) in [
        (&["co-hashtag"][..], "csv", 2),
        (&["co-retweet"], "gexf", 3),
        (&["co-mention", "--window", "1d"], "csv", 2),
        (&["co-url", "--window", "1d"], "graphml", 2),
        (&["retweet"], "csv", 2),
        (&["retweet"], "gexf", 3),
    ] {
        let said = graph_on(dir.path(), &inputs, kind, file, n, 200);
        let (own, all) = rows_on_0(&said);
        assert!(0 < own && own < all * 3 / 4, "{own} of {all} rows");
        if kind[0] != "retweet" {
            let pairs = format!("pairs counted on {n} processes");
            assert!(said.contains(&pairs), "{kind:?}: {said}");
        }
    }
}

/// Run `graph --kind ARGS...` on `inputs` on one process and on `n`, into files of type
/// `ext`, which must hold the same bytes (at least `least` of them); returns what process 0
/// of the `n` said.
fn graph_on(
    dir: &Path,
    inputs: &[String],
    args: &[&str],
    ext: &str,
    n: usize,
    least: usize,
) -> String {
    let out = |name: &str| {
        dir.join(format!("{name}.{ext}"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let name = format!("graph-{}-{n}", args.join("-"));
    let graph = |o: &str| -> Vec<String> {
        let mut a: Vec<String> = vec!["graph".into()];
        a.extend(inputs.iter().cloned());
        a.push("--kind".into());
        a.extend(args.iter().map(|s| s.to_string()));
        a.extend(["-o", o].map(String::from));
        a
    };
    let one = graph(&out(&format!("{name}-one")));
    let o = coordnet(&one.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let args = graph(&out(&name));
    let said = run_on(
        dir,
        n,
        2,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let (g1, gn) = (
        std::fs::read(out(&format!("{name}-one"))).unwrap(),
        std::fs::read(out(&name)).unwrap(),
    );
    assert!(g1.len() > least, "{name}: {} bytes", g1.len());
    assert!(g1 == gn, "{name} differs on {n} processes");
    said
}

/// Co-similar's groups of near-duplicate texts span the data: the processes group their forms
/// in rounds, each holding only the rows it parsed, and find one process's groups, so the
/// files are one process's, on 2 and 3 processes.
#[test]
fn co_similar_across_processes_groups_the_texts_as_one_process_does() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(dir.path());
    let detect = |o: &str| -> Vec<String> {
        let mut a: Vec<String> = vec!["detect".into()];
        a.extend(inputs.iter().cloned());
        let o = dir.path().join(o).to_str().unwrap().to_string();
        let kinds = "co-retweet,co-hashtag,co-similar";
        a.extend(["--kinds", kinds, "-o", &o, "-q"].map(String::from));
        a
    };
    let o = coordnet(&detect("one").iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let expected = files(&dir.path().join("one"));
    let edges = String::from_utf8_lossy(&expected["edges.csv"]).into_owned();
    assert!(edges.contains("co-similar"), "no co-similar edge");
    for (n, out) in [(2, "two"), (3, "three")] {
        let args = detect(out);
        let said = run_on(
            dir.path(),
            n,
            2,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        assert!(
            said.contains(&format!("(parsed on {n} processes: ")),
            "{said}"
        );
        assert!(said.contains("rows held where they were parsed"), "{said}");
        same_files(&expected, &dir.path().join(out), n);
    }
}

/// A part given twice, some of its rows changed in the copy: the repeats (and the ids reused
/// with other content) are told as one process tells them, though the copies are parsed on
/// different processes, which keep the rows and send process 0 only each row's time and
/// tweet id, and the rows whose ids recur whole.
#[test]
fn records_repeated_across_processes_are_dropped_as_on_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    synth(&data, 30000, 2, &[]);
    let first = std::fs::read_to_string(data.join("tweets_1.csv")).unwrap();
    // Every tenth row of the copy is another account's: the same id, another record; and
    // every tenth carries one more hashtag: in a tweet format, the same tweet again.
    let again: Vec<String> = (first.lines().enumerate())
        .map(|(i, l)| match i % 10 {
            3 => l.replacen("\",\"", "\",\"x", 1),
            6 => l
                .replacen("\"[", "\"['zz', ", 1)
                .replace("['zz', ]", "['zz']"),
            _ => l.to_string(),
        })
        .collect();
    std::fs::write(data.join("again.csv"), again.join("\n") + "\n").unwrap();
    let inputs = ["tweets_1.csv", "tweets_2.csv", "again.csv"]
        .map(|f| data.join(f).to_str().unwrap().to_string());
    let detect = |o: &str| -> Vec<String> {
        let mut a: Vec<String> = vec!["detect".into()];
        a.extend(inputs.iter().cloned());
        let o = dir.path().join(o).to_str().unwrap().to_string();
        a.extend(["-o", &o, "-q"].map(String::from));
        a
    };
    let o = coordnet(&detect("one").iter().map(String::as_str).collect::<Vec<_>>());
    let one = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{one}");
    let told = |said: &str| -> Vec<String> {
        (said.lines())
            .filter(|l| l.contains("duplicate record") || l.contains("reuse a tweet id"))
            .map(String::from)
            .collect()
    };
    assert_eq!(told(&one).len(), 2, "{one}");
    let expected = files(&dir.path().join("one"));
    for n in [2, 3] {
        let args = detect(&format!("p{n}"));
        let said = run_on(
            dir.path(),
            n,
            1,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        assert_eq!(told(&said), told(&one), "{n} processes");
        let (own, all) = rows_on_0(&said);
        assert!(0 < own && own < all, "{said}");
        same_files(&expected, &dir.path().join(format!("p{n}")), n);
    }
}

/// Rows dated far from the rest are named by the processes that hold them: process 0 keeps
/// no row's account or tweet id, and the warning is the one process's, word for word.
#[test]
fn rows_dated_far_from_the_rest_are_named_across_processes_as_on_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    synth(&data, 30000, 2, &[]);
    // A tweet's time is the one date with a clock (`"2020-03-01 12:34`); a profile's has none.
    let redate = |line: &str, year: &str| -> String {
        let at = (line.match_indices("\"20"))
            .map(|(i, _)| i + 1)
            .find(|&i| line.as_bytes().get(i + 10) == Some(&b' '))
            .expect("a tweet time");
        format!("{}{year}{}", &line[..at], &line[at + 4..])
    };
    for (file, year) in [("tweets_1.csv", "1970"), ("tweets_2.csv", "2031")] {
        let path = data.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        for k in [3, 5] {
            let i = lines.len() * k / 7;
            lines[i] = redate(&lines[i], year);
        }
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    }
    let mut args: Vec<String> = vec!["detect".into()];
    for f in ["tweets_1.csv", "tweets_2.csv"] {
        args.push(data.join(f).to_str().unwrap().to_string());
    }
    let detect = |out: &str| -> Vec<String> {
        let o = dir.path().join(out).to_str().unwrap().to_string();
        let mut a = args.clone();
        a.extend(["-o", &o, "-q"].map(String::from));
        a
    };
    let o = coordnet(&detect("one").iter().map(String::as_str).collect::<Vec<_>>());
    let one = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{one}");
    let told = |said: &str| -> Vec<String> {
        (said.lines())
            .filter(|l| l.contains("dated far") || l.contains("the middle 98% of rows"))
            .map(String::from)
            .collect()
    };
    let warned = told(&one);
    assert_eq!(warned.len(), 5, "{one}");
    assert!(warned[0].contains("        4  dated far"), "{one}");
    for (line, (year, side)) in warned[1..].iter().zip([
        ("1970", "before"),
        ("1970", "before"),
        ("2031", "after"),
        ("2031", "after"),
    ]) {
        assert!(line.contains(&format!("e.g. {year}-")), "{line}");
        assert!(line.contains(&format!(" days {side} the middle")), "{line}");
        assert!(
            line.contains(": tweet 1") && line.contains(" by "),
            "{line}"
        );
    }
    let args = detect("p2");
    let said = run_on(
        dir.path(),
        2,
        1,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(told(&said), warned);
    let (own, all) = rows_on_0(&said);
    assert!(0 < own && own < all, "{said}");
    same_files(&files(&dir.path().join("one")), &dir.path().join("p2"), 2);
}

/// A generated takedown archive in two files: its split into operations reads every row's
/// profile actions (posts retweeted, texts, hashtags, mentions, and the words of accounts
/// left over), which each process takes of the rows it holds; the outputs are the bytes of
/// one process's.
#[test]
fn an_archive_split_on_2_and_3_processes_gives_the_bytes_of_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    synth(&data, 100000, 2, &["--archive-only"]);
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let detect = |o: &str| -> Vec<String> {
        let mut a: Vec<String> = vec!["detect".into()];
        for k in 1..=2 {
            a.push(
                data.join(format!("tweets_{k}.csv"))
                    .to_str()
                    .unwrap()
                    .into(),
            );
        }
        a.extend(["--input-kind", "archive", "-o", o, "-q"].map(String::from));
        a
    };
    let one = detect(&out("one"));
    let o = coordnet(&one.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let expected = files(&dir.path().join("one"));
    let clusters = String::from_utf8_lossy(&expected["clusters.csv"])
        .lines()
        .count();
    assert!(
        clusters > 4,
        "the archive must split into operations: {clusters} lines"
    );
    for (n, threads) in [(2, 1), (3, 2)] {
        let name = format!("p{n}t{threads}");
        let args = detect(&out(&name));
        let said = run_on(
            dir.path(),
            n,
            threads,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        assert!(
            said.contains(&format!("parsed on {n} processes: ")),
            "{said}"
        );
        let (own, all) = rows_on_0(&said);
        assert!(0 < own && own < all, "{own} of {all} rows on process 0");
        same_files(&expected, &dir.path().join(&name), n);
    }
}

/// How a test stops a process.
#[derive(Clone, Copy, PartialEq)]
enum Stop {
    Kill,
    /// SIGSTOP, as Ctrl-Z does: alive, its connections open, silent.
    Pause,
}

/// Start a 2-process `command` (`detect`, or `graph` and its flags) writing `out`, stop
/// process `victim` as `how` says once process 0 has said `when` (reading has started; the
/// first graph is built), and return what the other process said, how long it took to stop,
/// and the output.
fn kill_one(
    command: &[&str],
    out: &str,
    victim: usize,
    when: &'static str,
    how: Stop,
) -> (String, Duration, PathBuf, Vec<u16>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(dir.path());
    let out = dir.path().join(out);
    let mut args: Vec<&str> = command.to_vec();
    args.extend(inputs.iter().map(String::as_str));
    args.extend(["-o", out.to_str().unwrap()]);
    let (hosts, ports) = hostfile(dir.path(), 2);
    // A paused process is waited for as long as one that has not started: kept short here,
    // though long enough that on a busy machine a late heartbeat cannot stop the run before
    // the pause does.
    let timeout = if how == Stop::Pause { "10" } else { "20" };
    // Process 0 says when reading starts, which is once every process is connected.
    let mut p0 = Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(&args)
        .args([
            "--processes",
            "2",
            "--process",
            "0",
            "--hostfile",
            hosts.to_str().unwrap(),
        ])
        .args(["--threads", "1", "--connect-timeout", timeout])
        .env("COORDNET_TIMINGS", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let p0_err = p0.stderr.take().unwrap();
    let (started_tx, started) = std::sync::mpsc::channel();
    let said = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(p0_err)
            .lines()
            .map_while(|l| l.ok())
        {
            if line.contains(when) {
                let _ = started_tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let mut args1 = args.clone();
    args1.extend(["--connect-timeout", timeout]);
    let p1 = start(&args1, &hosts, 2, 1, 1);
    started
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("process 0 never said '{when}'"));
    let victim_is_0 = victim == 0;
    let (victim, mut survivor) = if victim_is_0 { (p0, p1) } else { (p1, p0) };
    let mut victim = victim;
    match how {
        Stop::Kill => {
            victim.kill().unwrap();
            victim.wait().unwrap();
        }
        Stop::Pause => {
            let paused = Command::new("kill")
                .args(["-STOP", &victim.id().to_string()])
                .status()
                .unwrap();
            assert!(paused.success());
        }
    }
    let killed = Instant::now();
    let status = loop {
        if let Some(s) = survivor.try_wait().unwrap() {
            break s;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(30),
            "the survivor did not stop"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let stopped = killed.elapsed();
    if how == Stop::Pause {
        victim.kill().unwrap(); // SIGKILL ends a stopped process too
        victim.wait().unwrap();
    }
    let err = if victim_is_0 {
        let mut err = String::new();
        use std::io::Read;
        survivor
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        err
    } else {
        said.join().unwrap()
    };
    assert!(!status.success(), "the survivor succeeded: {err}");
    (err, stopped, out, ports, dir)
}

#[test]
fn a_process_that_dies_stops_the_others_naming_it_and_nothing_is_written() {
    // Process 1 counts pairs for process 0 once reading is done, and first finds its rows'
    // sources with it as the graphs begin: killed then too.
    // `graph` builds its graph where the rows are held: process 1 killed as it begins.
    let graph = ["graph", "--kind", "co-retweet"];
    for (command, out, victim, when) in [
        (&["detect"][..], "out", 1, "reading input"),
        (&["detect"], "out", 0, "reading input"),
        (&["detect"], "out", 1, "building graphs"),
        (&["detect"], "out", 1, "co-retweet:"),
        (&graph, "out.csv", 1, "building the co-retweet graph"),
    ] {
        let (err, stopped, out, ports, _dir) = kill_one(command, out, victim, when, Stop::Kill);
        let name = format!("process {victim} (127.0.0.1:{})", ports[victim]);
        assert!(err.contains(&name), "{err}");
        assert!(stopped < Duration::from_secs(30), "{stopped:?}");
        let written: Vec<_> = std::fs::read_dir(&out)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(written.is_empty(), "{written:?}");
        assert!(!out.is_file(), "{}", out.display());
    }
}

#[test]
fn a_paused_process_stops_the_others_naming_it_and_nothing_is_written() {
    // Paused as Ctrl-Z pauses, the process keeps its connections and its kernel answers
    // for it: only its silence tells. Either process, paused as the graphs are built.
    for victim in [1, 0] {
        let (err, stopped, out, ports, _dir) =
            kill_one(&["detect"], "out", victim, "building graphs", Stop::Pause);
        let name = format!("process {victim} (127.0.0.1:{})", ports[victim]);
        assert!(err.contains(&name), "{err}");
        assert!(err.contains("not a word from it for 10 s"), "{err}");
        // Heard from last at most a second before the pause; the error path at most
        // `GRACE` (10 s) after the silence.
        assert!(stopped < Duration::from_secs(29), "{stopped:?}");
        assert!(stopped > Duration::from_secs(8), "{stopped:?}");
        let written: Vec<_> = std::fs::read_dir(&out)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(written.is_empty(), "{written:?}");
    }
}

#[test]
fn mistakes_in_starting_a_cluster_are_clear_errors_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let hosts = write(dir.path(), "hosts", "127.0.0.1:1\nlocalhost\n");
    let run = |extra: &[&str]| {
        let mut a = vec!["detect", input, "-o", out];
        a.extend(extra);
        let o = coordnet(&a);
        assert!(!o.status.success());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let h = hosts.to_str().unwrap();
    let e = run(&["--processes", "2", "--process", "0", "--hostfile", h]);
    assert!(e.contains("hosts:2: no port"), "{e}");
    let dup = write(dir.path(), "dup", "127.0.0.1:7\n127.0.0.1:7\n");
    let d = dup.to_str().unwrap();
    let e = run(&["--processes", "2", "--process", "0", "--hostfile", d]);
    assert!(e.contains("is already process 0's"), "{e}");
    let e = run(&["--processes", "2", "--process", "2", "--hostfile", d]);
    assert!(e.contains("--process 2 is not below --processes 2"), "{e}");
    let e = run(&["--processes", "2", "--process", "0"]);
    assert!(e.contains("--hostfile"), "{e}");
    // CooRTweet's participation filter reads every row: one process only.
    let csv = dir.path().join("edges.csv");
    let csv = csv.to_str().unwrap();
    let graph = ["graph", input, "-o", csv, "--coortweet", "--processes", "2"];
    let o = coordnet(&[&graph[..], &["--process", "0", "--hostfile", h]].concat());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && e.contains("--coortweet counts on one process"),
        "{e}"
    );

    // Nobody at the other end: named after the deadline.
    let (two, ports) = hostfile(dir.path(), 2);
    let t = two.to_str().unwrap();
    let e = run(&[
        "--processes",
        "2",
        "--process",
        "1",
        "--hostfile",
        t,
        "--connect-timeout",
        "1",
    ]);
    assert!(
        e.contains(&format!(
            "could not reach process 0 at 127.0.0.1:{}",
            ports[0]
        )),
        "{e}"
    );

    // Two processes started with different arguments: both refuse.
    let (two, _) = hostfile(dir.path(), 2);
    let p0 = start(&["detect", input, "-o", out], &two, 2, 0, 1);
    let p1 = start(&["detect", input, "-o", out, "--seed", "7"], &two, 2, 1, 1);
    for (i, p) in [p0, p1].into_iter().enumerate() {
        let o = finish(p, 60);
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && e.contains("with other arguments: give every process"),
            "process {i}: {e}"
        );
    }
    assert!(!Path::new(out).join("clusters.csv").exists());
}

/// Two test hosts: network namespaces joined by a veth pair, 10.77.N.1 and 10.77.N.2.
/// Removed when dropped.
struct TestHosts {
    names: [String; 2],
    addresses: [String; 2],
    devices: [String; 2],
}

impl TestHosts {
    /// `None` where the machine does not allow it (not root, no `ip`, no namespaces).
    fn new() -> Option<TestHosts> {
        // Tests run side by side in one process: each pair of hosts has names of its own.
        static MADE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let made = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = std::process::id() % 100_000 * 10 + made % 10;
        let names = [format!("cn{id}a"), format!("cn{id}b")];
        let net = id % 200 + 20;
        let addresses = [format!("10.77.{net}.1"), format!("10.77.{net}.2")];
        let ip = |args: &[&str]| {
            Command::new("ip")
                .args(args)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !ip(&["netns", "add", &names[0]]) {
            return None;
        }
        let devices = [format!("v{id}a"), format!("v{id}b")];
        let hosts = TestHosts {
            names,
            addresses,
            devices: devices.clone(),
        };
        let [a, b] = &hosts.names;
        let [va, vb] = &devices;
        let ok = ip(&["netns", "add", b])
            && ip(&["link", "add", va, "type", "veth", "peer", "name", vb])
            && ip(&["link", "set", va, "netns", a])
            && ip(&["link", "set", vb, "netns", b])
            && [(a, va, &hosts.addresses[0]), (b, vb, &hosts.addresses[1])]
                .iter()
                .all(|(ns, dev, addr)| {
                    ip(&["-n", ns, "addr", "add", &format!("{addr}/24"), "dev", dev])
                        && ip(&["-n", ns, "link", "set", dev, "up"])
                        && ip(&["-n", ns, "link", "set", "lo", "up"])
                });
        ok.then_some(hosts)
    }
}

impl TestHosts {
    /// The test hosts, or `None` after saying loudly that `test` is skipped.
    fn or_skip(test: &str) -> Option<TestHosts> {
        let hosts = TestHosts::new();
        if hosts.is_none() {
            crate::skipped(&format!(
                "{test}: this machine does not allow network namespaces (ip netns add needs \
                 root and iproute2)"
            ));
        }
        hosts
    }

    /// A host file naming both hosts, port 2101 on each, in `dir`.
    fn hostfile(&self, dir: &Path) -> PathBuf {
        let [a, b] = &self.addresses;
        write(dir, "hosts", &format!("{a}:2101\n{b}:2101\n"))
    }

    /// Take host `i` off the network without a word: its link goes down, so nothing, not
    /// even a reset, reaches the other host.
    fn vanish(&self, i: usize) {
        let ok = Command::new("ip")
            .args([
                "-n",
                &self.names[i],
                "link",
                "set",
                &self.devices[i],
                "down",
            ])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "could not take test host {i} off the network");
    }

    /// Start process `i` of two on test host `i`, with `args`.
    fn start(&self, i: usize, args: &[String], hostfile: &Path) -> Command {
        let mut c = Command::new("ip");
        c.args([
            "netns",
            "exec",
            &self.names[i],
            env!("CARGO_BIN_EXE_coordnet"),
        ])
        .args(args)
        .args(["--processes", "2", "--process", &i.to_string()])
        .args([
            "--hostfile",
            hostfile.to_str().unwrap(),
            "--connect-timeout",
            "20",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        c
    }
}

impl Drop for TestHosts {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = Command::new("ip").args(["netns", "del", n]).status();
        }
    }
}

#[test]
fn two_hosts_across_a_real_network_interface_give_the_bytes_of_one() {
    let Some(hosts) = TestHosts::or_skip("two_hosts_across_a_real_network_interface") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(dir.path());
    let hostfile = hosts.hostfile(dir.path());
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let mut one = vec!["detect".to_string()];
    one.extend(inputs.iter().cloned());
    one.extend(["-o".into(), out("one"), "-q".into()]);
    let o = coordnet(&one.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut args = vec!["detect".to_string()];
    args.extend(inputs.iter().cloned());
    args.extend(["-o".into(), out("two"), "-q".into()]);
    let children: Vec<Child> = (0..2)
        .map(|i| hosts.start(i, &args, &hostfile).spawn().unwrap())
        .collect();
    for (i, c) in children.into_iter().enumerate() {
        let o = finish(c, 120);
        assert!(
            o.status.success(),
            "process {i}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert_eq!(
        files(&dir.path().join("one")),
        files(&dir.path().join("two"))
    );
}

#[test]
fn a_process_that_fails_stops_the_others_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = inputs(dir.path());
    let bad = write(dir.path(), "weird.csv", "foo,bar\n1,2\n");
    let bad = bad.to_str().unwrap();
    let out = dir.path().join("out");
    // Three inputs dealt out whole (a zip entry and a gzip file cannot be split) on three
    // processes: process `owner` reads the bad one.
    for owner in [1, 0] {
        let mut files = vec![data[0].as_str(), data[1].as_str()];
        files.insert(owner, bad);
        let mut args = vec!["detect"];
        args.extend(&files);
        args.extend(["-o", out.to_str().unwrap()]);
        let (hosts, ports) = hostfile(dir.path(), 3);
        let children: Vec<Child> = (0..3).map(|i| start(&args, &hosts, 3, i, 1)).collect();
        let said: Vec<String> = children
            .into_iter()
            .map(|c| {
                let o = finish(c, 60);
                assert!(!o.status.success());
                String::from_utf8_lossy(&o.stderr).into_owned()
            })
            .collect();
        let why = "weird.csv";
        assert!(said[0].contains(why), "process 0: {}", said[0]);
        if owner == 1 {
            let name = format!("process 1 (127.0.0.1:{}): ", ports[1]);
            assert!(said[0].contains(&name), "{}", said[0]);
        }
        // What to change comes across too.
        assert!(
            said[0].contains("(set with --format actions"),
            "{}",
            said[0]
        );
        assert!(!out.join("clusters.csv").exists());
    }
}

/// A split file is read by every process from its own copy (the same name in another folder
/// here, as on another host): a copy that differs, even by one byte of the same size, stops
/// the run naming the process and the file, and nothing is written.
#[test]
fn a_process_reading_another_copy_of_a_split_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = inputs(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let bytes = std::fs::read(&data[2]).unwrap();
    let mut changed = bytes.clone();
    let at = changed.len() * 2 / 3;
    let digit = (at..).find(|&i| changed[i].is_ascii_digit()).unwrap();
    changed[digit] = if changed[digit] == b'1' { b'2' } else { b'1' };
    for (folder, bytes) in [(&a, &bytes), (&b, &changed)] {
        std::fs::create_dir(folder).unwrap();
        std::fs::write(folder.join("tweets.csv"), bytes).unwrap();
    }
    let out = dir.path().join("out");
    let args = ["detect", "tweets.csv", "-o", out.to_str().unwrap()];
    let (hosts, ports) = hostfile(dir.path(), 2);
    let children = [(&a, 0), (&b, 1)].map(|(cwd, i)| start_in(cwd, &args, &hosts, 2, i, 1));
    let said: Vec<String> = (children.into_iter())
        .map(|c| {
            let o = finish(c, 60);
            assert!(!o.status.success());
            String::from_utf8_lossy(&o.stderr).into_owned()
        })
        .collect();
    let name = format!(
        "process 1 (127.0.0.1:{}): tweets.csv: this copy differs from process 0's in bytes",
        ports[1]
    );
    assert!(said[0].contains(&name), "{}", said[0]);
    assert!(!said[0].contains("(parsed on"), "{}", said[0]);
    assert!(!out.join("clusters.csv").exists());
}

#[test]
fn a_host_that_vanishes_mid_run_is_named_within_half_a_minute() {
    let Some(hosts) = TestHosts::or_skip("a_host_that_vanishes_mid_run") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(dir.path());
    let hostfile = hosts.hostfile(dir.path());
    let out = dir.path().join("out");
    let mut args = vec!["detect".to_string()];
    args.extend(inputs.iter().cloned());
    args.extend(["-o".into(), out.to_str().unwrap().to_string()]);
    let mut p0 = hosts.start(0, &args, &hostfile);
    let mut p0 = p0.env("COORDNET_TIMINGS", "1").spawn().unwrap();
    let p1 = hosts.start(1, &args, &hostfile).spawn().unwrap();
    // Once process 0 starts reading, every process is connected: then host 1 goes.
    let err = p0.stderr.take().unwrap();
    let said = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(err).lines().map_while(|l| l.ok());
        let mut all = String::new();
        for line in lines.by_ref() {
            let started = line.contains("reading input");
            all.push_str(&line);
            if started {
                break;
            }
        }
        (all, lines)
    });
    let (mut all, rest) = said.join().unwrap();
    assert!(all.contains("reading input"), "{all}");
    hosts.vanish(1);
    let gone = Instant::now();
    let rest = std::thread::spawn(move || rest.collect::<Vec<_>>().join("\n"));
    let o = finish(p0, 60);
    let stopped = gone.elapsed();
    all.push_str(&rest.join().unwrap());
    assert!(!o.status.success(), "process 0 succeeded: {all}");
    let name = format!("process 1 ({}:2101)", hosts.addresses[1]);
    assert!(all.contains(&name), "{all}");
    assert!(stopped < Duration::from_secs(45), "{stopped:?}");
    assert!(!out.join("clusters.csv").exists());
    let o = finish(p1, 60);
    assert!(!o.status.success());
}

/// Real data, both shapes: the IRA takedown archive (its two releases; the larger one
/// decompressed, so that it is split across the processes, quoted line breaks and all) and
/// CooRTweet's mixed collection give the bytes of one process on two; and the archive's
/// near-duplicate texts (co-similar), whose groups join forms across the processes.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn real_archive_and_collection_on_2_processes_give_the_bytes_of_one() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("ira-2016h2.csv");
    let mut gz = flate2::read::GzDecoder::new(
        std::fs::File::open(shared("ira-2016h2/tweets.csv.gz")).unwrap(),
    );
    std::io::copy(&mut gz, &mut std::fs::File::create(&plain).unwrap()).unwrap();
    let archive = vec![plain, shared("ira-2016-10/tweets.csv.gz")];
    let shapes = [
        (archive.clone(), ""),
        (vec![shared("coortweet/russian_coord_tweets.csv.gz")], ""),
        (archive, "co-retweet,co-tweet,co-similar"),
    ];
    for (k, (inputs, kinds)) in shapes.iter().enumerate() {
        let mut args: Vec<String> = vec!["detect".into()];
        args.extend(inputs.iter().map(|p| p.to_str().unwrap().to_string()));
        args.push("-q".into());
        if !kinds.is_empty() {
            args.extend(["--kinds".into(), kinds.to_string()]);
        }
        let out = |name: &str| dir.path().join(format!("{name}{k}"));
        let one = [
            args.clone(),
            vec!["-o".into(), out("one").to_str().unwrap().into()],
        ]
        .concat();
        let o = coordnet(&one.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let two = [args, vec!["-o".into(), out("two").to_str().unwrap().into()]].concat();
        let said = run_on(
            dir.path(),
            2,
            2,
            &two.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        if k != 1 {
            assert!(said.contains("(parsed on 2 processes: "), "{said}");
            let (own, all) = rows_on_0(&said);
            assert!(0 < own && own < all, "{own} of {all} rows on process 0");
        }
        assert_eq!(files(&out("one")), files(&out("two")), "inputs {inputs:?}");
    }
    // The archive's retweets name no target: their sources are found from their texts, across
    // the processes. Its co-retweet graph names retweets that lost their target by the original
    // found from their text, or by their text; co-tweet's by the normal form, co-similar's by a
    // text: every name is read where its row is held.
    let archive: Vec<String> = (shapes[0].0.iter())
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    graph_on(dir.path(), &archive, &["co-retweet"], "csv", 2, 100_000);
    graph_on(dir.path(), &archive, &["retweet"], "graphml", 2, 100_000);
    graph_on(
        dir.path(),
        &archive,
        &["co-tweet", "--window", "1h"],
        "csv",
        2,
        10_000,
    );
    graph_on(
        dir.path(),
        &archive,
        &["co-similar", "--window", "1h"],
        "gexf",
        2,
        10_000,
    );
}

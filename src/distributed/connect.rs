//! Connecting the processes, before timely takes the sockets over. Timely's own start-up
//! retries an unreachable host for ever and prints to standard output; here every process
//! gives up after a deadline with an error naming the process and host that did not answer,
//! and every connection starts with a handshake that refuses a process started with other
//! arguments or inputs (one that would compute something else and mix it in).
//!
//! Process `i` listens on its own address, connects to every process before it, and accepts
//! every process after it: each pair is one TCP connection, as timely expects. Each process
//! after 0 then connects to process 0 once more, for the heartbeats (see `beat`).

use super::hosts::Host;
use super::{Fingerprint, Mismatch};
use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// First bytes of every connection: the protocol's name and version.
const MAGIC: &[u8; 8] = b"coordnt3";

/// What a connecting process says of itself.
struct Hello {
    process: u32,
    processes: u32,
    fingerprint: Fingerprint,
    /// The connection is for heartbeats, not for timely.
    beat: bool,
}

impl Hello {
    const LEN: usize = 8 + 4 + 4 + 3 * 8 + 1;

    fn bytes(&self) -> [u8; Hello::LEN] {
        let mut b = [0u8; Hello::LEN];
        b[..8].copy_from_slice(MAGIC);
        b[8..12].copy_from_slice(&self.process.to_le_bytes());
        b[12..16].copy_from_slice(&self.processes.to_le_bytes());
        let f = &self.fingerprint;
        for (k, part) in [f.arguments, f.inputs, f.build].into_iter().enumerate() {
            b[16 + 8 * k..24 + 8 * k].copy_from_slice(&part.to_le_bytes());
        }
        b[40] = self.beat as u8;
        b
    }

    fn parse(b: &[u8; Hello::LEN]) -> Option<Hello> {
        let part = |k: usize| u64::from_le_bytes(b[16 + 8 * k..24 + 8 * k].try_into().unwrap());
        (&b[..8] == MAGIC).then(|| Hello {
            process: u32::from_le_bytes(b[8..12].try_into().unwrap()),
            processes: u32::from_le_bytes(b[12..16].try_into().unwrap()),
            fingerprint: Fingerprint {
                arguments: part(0),
                inputs: part(1),
                build: part(2),
            },
            beat: b[40] == 1,
        })
    }
}

/// The answer to a hello: this byte, or the [`Mismatch`] it has with ours (`as u8`).
const WELCOME: u8 = 0;

/// The connections of one process.
#[derive(Debug)]
pub struct Connected {
    /// One stream per process, `None` at this process's place: what timely's networking takes.
    pub streams: Vec<Option<TcpStream>>,
    /// The heartbeat connections, with the process at the other end: to every other process
    /// on process 0, to process 0 on the others.
    pub beats: Vec<(usize, TcpStream)>,
}

pub fn connect(
    hosts: &[Host],
    me: usize,
    fingerprint: Fingerprint,
    timeout: Duration,
) -> Result<Connected> {
    let deadline = Instant::now() + timeout;
    let hello = Hello {
        process: me as u32,
        processes: hosts.len() as u32,
        fingerprint,
        beat: false,
    };
    let listener = listen(&hosts[me], me)?;
    let later = hosts.len() - me - 1;
    let accepting = std::thread::spawn({
        let hosts = hosts.to_vec();
        move || accept_all(listener, &hosts, me, later, fingerprint, deadline)
    });
    let mut streams: Vec<Option<TcpStream>> = Vec::with_capacity(hosts.len());
    let mut beats = Vec::new();
    let mut failed = None;
    for (j, host) in hosts.iter().enumerate().take(me) {
        match dial(host, j, &hello, deadline) {
            Ok(s) => streams.push(Some(s)),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    if me > 0 && failed.is_none() {
        let hello = Hello {
            beat: true,
            ..hello
        };
        match dial(&hosts[0], 0, &hello, deadline) {
            Ok(s) => beats.push((0, s)),
            Err(e) => failed = Some(e),
        }
    }
    // The acceptor ends by its deadline whatever happened here.
    let accepted = accepting
        .join()
        .unwrap_or_else(|_| Err(Error::cluster("the thread accepting connections failed")));
    if let Some(e) = failed {
        return Err(e);
    }
    let accepted = accepted?;
    streams.push(None);
    streams.extend(accepted.streams);
    beats.extend(accepted.beats);
    Ok(Connected { streams, beats })
}

fn listen(host: &Host, me: usize) -> Result<TcpListener> {
    let cannot = |e: std::io::Error| {
        Error::cluster(format!(
            "process {me} cannot listen on {host} (line {} of the host file): {e}; is another \
             program on that port, or is this not that host?",
            host.line
        ))
    };
    let addrs = host.resolve().map_err(cannot)?;
    let listener = TcpListener::bind(&addrs[..]).map_err(cannot)?;
    listener.set_nonblocking(true).map_err(cannot)?;
    Ok(listener)
}

/// Connect to process `j` (before this one), retrying until the deadline: it may not have
/// started yet.
fn dial(host: &Host, j: usize, hello: &Hello, deadline: Instant) -> Result<TcpStream> {
    let mut last = String::from("no answer");
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::cluster(format!(
                "could not reach process {j} at {host} ({last}): is it started, with the same \
                 host file, and is the port open?"
            )));
        }
        let attempt = (|| -> std::io::Result<Option<TcpStream>> {
            let Some(addr) = host.resolve()?.into_iter().next() else {
                return Ok(None);
            };
            let mut s = TcpStream::connect_timeout(&addr, (deadline - now).min(SECOND))?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(HANDSHAKE))?;
            s.write_all(&hello.bytes())?;
            let mut answer = [0u8; 1];
            s.read_exact(&mut answer)?;
            if answer[0] != WELCOME {
                let m = Mismatch::from_byte(answer[0]).unwrap_or(Mismatch::Arguments);
                return Err(std::io::Error::other(Refused(m)));
            }
            s.set_read_timeout(None)?;
            watch_silence(&s)?;
            Ok(Some(s))
        })();
        match attempt {
            Ok(Some(s)) => return Ok(s),
            Ok(None) => last = "the name resolves to no address".into(),
            Err(e) if e.get_ref().is_some_and(|e| e.is::<Refused>()) => {
                return Err(Error::cluster(format!(
                    "process {j} at {host} was started with {e}"
                )));
            }
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(RETRY);
    }
}

/// A connection whose peer goes silent fails after about 25 s: keepalive probes after 10 s
/// idle, every 5 s, 3 unanswered (on Linux, also data unacknowledged for 25 s). Without this a
/// host that vanishes without a reset (powered off, cut from the network) is waited for until
/// the system gives up, some fifteen minutes on Linux.
fn watch_silence(s: &TcpStream) -> std::io::Result<()> {
    let sock = socket2::SockRef::from(s);
    let probes = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(10))
        .with_interval(Duration::from_secs(5))
        .with_retries(3);
    sock.set_tcp_keepalive(&probes)?;
    #[cfg(target_os = "linux")]
    sock.set_tcp_user_timeout(Some(Duration::from_secs(25)))?;
    Ok(())
}

/// A peer's refusal of this process, and what differs.
#[derive(Debug)]
struct Refused(Mismatch);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.words())
    }
}

impl std::error::Error for Refused {}

const SECOND: Duration = Duration::from_secs(1);
const RETRY: Duration = Duration::from_millis(100);
/// How long a connected peer may take to say who it is.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// Accept the `later` processes after `me`, in any order, and on process 0 their heartbeat
/// connections too; returns their streams in process order.
fn accept_all(
    listener: TcpListener,
    hosts: &[Host],
    me: usize,
    later: usize,
    fingerprint: Fingerprint,
    deadline: Instant,
) -> Result<Connected> {
    let mut streams: Vec<Option<TcpStream>> = (0..later).map(|_| None).collect();
    // Only process 0 takes heartbeat connections.
    let mut beats: Vec<Option<TcpStream>> =
        (0..if me == 0 { later } else { 0 }).map(|_| None).collect();
    while streams.iter().chain(&beats).any(Option::is_none) {
        if Instant::now() >= deadline {
            let missing: Vec<String> = (0..later)
                .filter(|&k| streams[k].is_none() || beats.get(k).is_some_and(Option::is_none))
                .map(|k| format!("process {} ({})", me + 1 + k, hosts[me + 1 + k]))
                .collect();
            return Err(Error::cluster(format!(
                "{} did not connect to process {me} at {}: is it started, with the same host \
                 file, and can it reach this host? (One that stopped at its start says why in its \
                 own error.)",
                missing.join(", "),
                hosts[me]
            )));
        }
        let (mut s, _) = match listener.accept() {
            Ok(x) => x,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            Err(e) => return Err(Error::cluster(format!("process {me}: accepting: {e}"))),
        };
        // A stranger (a port scanner, another program) is dropped, not fatal.
        let Some(hello) = greet(&mut s) else {
            continue;
        };
        let j = hello.process as usize;
        let misplaced = hello.beat && me > 0;
        if j <= me || j >= hosts.len() || hello.processes as usize != hosts.len() || misplaced {
            let _ = s.write_all(&[Mismatch::Arguments as u8]);
            return Err(Error::cluster(format!(
                "a process calling itself {j} of {} connected to process {me} at {}: start \
                 every process with the same host file and --processes, each with its own \
                 --process",
                hello.processes, hosts[me]
            )));
        }
        if let Some(m) = fingerprint.mismatch(&hello.fingerprint) {
            let _ = s.write_all(&[m as u8]);
            return Err(Error::cluster(format!(
                "process {j} ({}) was started with {}, compared with process {me}",
                hosts[j],
                m.words()
            )));
        }
        let welcome = (|| {
            s.write_all(&[WELCOME])?;
            s.set_nonblocking(false)?;
            s.set_read_timeout(None)?;
            watch_silence(&s)?;
            s.set_nodelay(true)
        })();
        if welcome.is_ok() {
            match hello.beat {
                true => beats[j - me - 1] = Some(s),
                false => streams[j - me - 1] = Some(s),
            }
        }
    }
    let beats = (beats.into_iter().enumerate())
        .filter_map(|(k, b)| Some((me + 1 + k, b?)))
        .collect();
    Ok(Connected { streams, beats })
}

/// The hello of an accepted connection, or `None` if it is not one of ours.
fn greet(s: &mut TcpStream) -> Option<Hello> {
    s.set_nonblocking(false).ok()?;
    s.set_read_timeout(Some(HANDSHAKE)).ok()?;
    let mut b = [0u8; Hello::LEN];
    s.read_exact(&mut b).ok()?;
    Hello::parse(&b)
}

#[cfg(test)]
mod tests {
    use super::super::free_hosts;
    use super::*;

    /// A fingerprint whose arguments are `n`.
    fn fp(n: u64) -> Fingerprint {
        Fingerprint {
            arguments: n,
            ..Default::default()
        }
    }

    #[test]
    fn three_processes_connect_each_pair_once() {
        let hosts = free_hosts(3);
        let joins: Vec<_> = (0..3)
            .map(|me| {
                let hosts = hosts.clone();
                std::thread::spawn(move || connect(&hosts, me, fp(7), Duration::from_secs(20)))
            })
            .collect();
        for (me, j) in joins.into_iter().enumerate() {
            let Connected { streams, beats } = j.join().unwrap().unwrap();
            assert_eq!(streams.len(), 3);
            for (k, s) in streams.iter().enumerate() {
                assert_eq!(s.is_none(), k == me, "process {me}, slot {k}");
            }
            // Heartbeats between process 0 and each other process.
            let peers: Vec<usize> = beats.iter().map(|(p, _)| *p).collect();
            assert_eq!(
                peers,
                if me == 0 { vec![1, 2] } else { vec![0] },
                "process {me}"
            );
        }
    }

    #[test]
    fn a_process_started_with_other_arguments_is_refused() {
        let hosts = free_hosts(2);
        let h = hosts.clone();
        let first = std::thread::spawn(move || connect(&h, 0, fp(1), Duration::from_secs(20)));
        let second = connect(&hosts, 1, fp(2), Duration::from_secs(20)).unwrap_err();
        let first = first.join().unwrap().unwrap_err();
        assert!(second.to_string().contains("other arguments"), "{second}");
        assert!(first.to_string().contains("process 1"), "{first}");
        assert!(first.to_string().contains("other arguments"), "{first}");
        // Other inputs are named as such, on both sides.
        let hosts = free_hosts(2);
        let h = hosts.clone();
        let inputs = |n| Fingerprint {
            inputs: n,
            ..Default::default()
        };
        let first = std::thread::spawn(move || connect(&h, 0, inputs(1), Duration::from_secs(20)));
        let second = connect(&hosts, 1, inputs(2), Duration::from_secs(20)).unwrap_err();
        let first = first.join().unwrap().unwrap_err();
        assert!(second.to_string().contains("with other inputs"), "{second}");
        assert!(first.to_string().contains("with other inputs"), "{first}");
    }

    #[test]
    fn an_unreachable_process_is_named_after_the_deadline() {
        let hosts = free_hosts(2);
        let started = Instant::now();
        let e = connect(&hosts, 1, fp(0), Duration::from_millis(600)).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        let e = e.to_string();
        assert!(e.contains("could not reach process 0 at 127.0.0.1:"), "{e}");
        let e = connect(&hosts, 0, fp(0), Duration::from_millis(300)).unwrap_err();
        assert!(e.to_string().contains("process 1 (127.0.0.1:"), "{e}");
    }
}

//! The memory budget. A run has a limit (by default a share of the memory available when it
//! starts); a stage that would pass it stops before it starts, and one that passes it while
//! running stops there, each with a message naming the stage, what it needs and what to
//! change, rather than being killed by the kernel with nothing said.

mod aside;

pub(crate) use aside::temp_file_error;
pub use aside::{check_temp_dir, held_in_memory, Aside, AsideReader, AsideWriter, Word};

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use crate::error::{Error, Result, Setting};

/// Share of the memory available at start that a run may use by default: the rest is left to
/// the system and to whatever else the machine runs.
pub const DEFAULT_SHARE: f64 = 0.8;

/// What the stages after reading add per tweet at their peak, beyond the dataset: measured on
/// generated collections of 10^6 and 10^7 tweets (about 95 and 98 bytes: the actions of every
/// kind, the significant pairs, the fused graph, Leiden), rounded up. Used to stop before the
/// graphs are built.
pub const GRAPH_BYTES_PER_TWEET: u64 = 120;

/// What Leiden adds per fused edge at its peak: the CSR holds each edge twice (16 bytes) and
/// the first aggregate level most of it again; measured at about 23 bytes on a generated
/// collection of 10^8 tweets (348 million edges).
pub const LEIDEN_BYTES_PER_EDGE: u64 = 24;

/// What whole `detect` runs measured here peaked at, as a part that does not grow with the
/// input and bytes a tweet: generated collections of 10^5 to 10^8 tweets (171 MB at 10^5, 157
/// bytes a tweet at 10^8) and takedown archives of 3.8 and 37.5 million tweets (320 and 407
/// bytes a tweet: all their accounts are clustered and compared), as docs/performance.md
/// gives them. A stage's stop names that stage's need only, and a limit raised to it can stop
/// at a later stage; these give one figure for the whole run.
pub const RUN_BASE: u64 = 150 << 20;
/// The bytes a tweet of those runs, by shape: a collection's, then a takedown archive's.
pub const RUN_BYTES_PER_TWEET: [(&str, u64); 2] = [("collection", 160), ("takedown archive", 410)];
/// The fewest tweets of the runs [`RUN_BASE`] and [`RUN_BYTES_PER_TWEET`] were measured on.
pub const RUNS_MEASURED_FROM: u64 = 100_000;

/// A stop for memory (`Setting::MemoryLimit`) of a run on `tweets` tweets, with what whole
/// runs of that many took ([`RUN_BYTES_PER_TWEET`]); any other error as it is.
pub fn with_whole_run(e: Error, tweets: u64) -> Error {
    let stopped = e.setting() == Some(Setting::MemoryLimit)
        && matches!(e.kind(), crate::error::ErrorKind::Limit { .. });
    if !stopped || tweets == 0 {
        return e;
    }
    let sizes: Vec<String> = (RUN_BYTES_PER_TWEET.iter())
        .map(|&(kind, per)| format!("{} as a {kind}", format_size(whole_run(tweets, per))))
        .collect();
    Error::limit(format!(
        "{e}. Whole runs of {tweets} tweets measured here peaked at about {}: with a limit \
         of the larger, they ran through",
        sizes.join(" and ")
    ))
    .with_setting(Setting::MemoryLimit)
}

/// What a whole run of `tweets` tweets peaked at here, at `per_tweet` bytes a tweet (one of
/// [`RUN_BYTES_PER_TWEET`]).
fn whole_run(tweets: u64, per_tweet: u64) -> u64 {
    RUN_BASE.saturating_add(per_tweet.saturating_mul(tweets))
}

/// Before a run of `tweets` tweets that `limit` lets start: a warning where whole runs of
/// that many, taken as a takedown archive (`archive`) or as a collection (the smaller figure,
/// the least such a run takes), peaked past the limit. Such a run may stop at a later stage
/// once the earlier ones' time is spent, so the analyst hears of it while the run can still
/// be stopped; it is a warning, not a stop, since stages past the limit work in parts where
/// they can.
pub fn whole_run_warning(tweets: u64, archive: bool, limit: Option<u64>) -> Option<String> {
    // Below the runs measured, the fixed part is mostly freed memory the allocator holds
    // while a run is small (`Freed::Held`), which a small limit does not let it hold.
    if tweets < RUNS_MEASURED_FROM {
        return None;
    }
    let limit = limit?;
    let (shape, per_tweet) = RUN_BYTES_PER_TWEET[usize::from(archive)];
    let need = whole_run(tweets, per_tweet);
    (need > limit).then(|| {
        format!(
            "warning: whole runs of {tweets} tweets as a {shape} measured here peaked at about \
             {}, past the memory limit of {}: this run may stop for memory part way, after the \
             earlier stages' time; a --memory-limit of about {0} would likely see it through",
            format_size(need),
            format_size(limit)
        )
    })
}

/// What, besides more memory, helps a stage whose needs grow with the input alone.
pub const SMALLER_INPUT: &str =
    "give less input at a time (fewer files or a shorter period; the results then cover only it)";

/// Whether a stage expected to add `extra` bytes to what is held now would pass `limit`.
pub fn would_pass(extra: u64, limit: Option<u64>) -> bool {
    matches!(held(limit), Some((limit, now)) if now.saturating_add(extra) > limit)
}

/// The limit and what this process holds now (resident); `None` without a limit or a
/// measure.
fn held(limit: Option<u64>) -> Option<(u64, u64)> {
    Some((limit?, resident()?))
}

/// The default limit: `DEFAULT_SHARE` of the memory available now, where the system says.
pub fn default_limit() -> Option<u64> {
    available().map(|a| (a as f64 * DEFAULT_SHARE) as u64)
}

/// Memory available to start new work, in bytes: the system's (Linux `MemAvailable`), or
/// less where this process's control group caps it (a container's `--memory`, a batch job's
/// allocation), since the kernel stops the process at the cap, not at the machine's end.
pub fn available() -> Option<u64> {
    let system = kib_field("/proc/meminfo", "MemAvailable:");
    match (system, cgroup_room()) {
        (Some(s), Some(c)) => Some(s.min(c)),
        (s, c) => s.or(c),
    }
}

/// What this process's control groups leave before the tightest memory cap among them and
/// the groups above them: the cap less what is charged, page cache apart (the kernel takes
/// it back before it stops anyone). cgroup v2 (`memory.max`) and v1 (`memory.limit_in_bytes`),
/// found where `/proc/self/mountinfo` says they are mounted; `None` where none is capped.
fn cgroup_room() -> Option<u64> {
    let groups = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mut room: Option<u64> = None;
    for line in groups.lines() {
        // `id:controllers:path`: v2's controllers are empty, v1's memory group names `memory`.
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let v2 = controllers.is_empty();
        if !v2 && !controllers.split(',').any(|c| c == "memory") {
            continue;
        }
        let Some((mount_root, mount_point)) = cgroup_mount(&mounts, v2) else {
            continue;
        };
        let (cap, charged, cache) = match v2 {
            true => ("memory.max", "memory.current", "file"),
            false => (
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
                "total_cache",
            ),
        };
        let relative = path.strip_prefix(mount_root.as_str()).unwrap_or(path);
        let top = std::path::PathBuf::from(&mount_point);
        let mut dir = top.join(relative.trim_start_matches('/'));
        loop {
            let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
            let number = |f: &str| read(f)?.trim().parse::<u64>().ok();
            // An unset cap reads `max` (v2) or a number near 2^63 (v1).
            if let (Some(cap), Some(charged)) =
                (number(cap).filter(|&c| c < 1 << 60), number(charged))
            {
                let cached = read("memory.stat")
                    .and_then(|st| stat_field(&st, cache))
                    .unwrap_or(0);
                let left = cap.saturating_sub(charged.saturating_sub(cached));
                room = Some(room.map_or(left, |r| r.min(left)));
            }
            if dir == top || !dir.pop() {
                break;
            }
        }
    }
    room
}

/// Where the cgroup hierarchy (v2, or v1's memory controller) is mounted: the mount's root
/// within the hierarchy and its mount point.
fn cgroup_mount(mountinfo: &str, v2: bool) -> Option<(String, String)> {
    mounts(mountinfo)
        .find(|m| match v2 {
            true => m.kind == "cgroup2",
            false => m.kind == "cgroup" && m.options.split(',').any(|o| o == "memory"),
        })
        .map(|m| (m.root.to_string(), m.point))
}

/// A line of `/proc/self/mountinfo`: the mount's root within its file system and its mount
/// point (the 4th and 5th fields, spaces unescaped), its type and its super options.
struct Mount<'a> {
    root: &'a str,
    point: String,
    kind: &'a str,
    options: &'a str,
}

fn mounts(mountinfo: &str) -> impl Iterator<Item = Mount<'_>> {
    mountinfo.lines().filter_map(|line| {
        let (fields, rest) = line.split_once(" - ")?;
        let mut fields = fields.split_whitespace().skip(3);
        let (root, point) = (fields.next()?, fields.next()?);
        let mut rest = rest.split_whitespace();
        let (kind, _, options) = (rest.next()?, rest.next()?, rest.next()?);
        let point = point.replace("\\040", " ");
        Some(Mount {
            root,
            point,
            kind,
            options,
        })
    })
}

/// A `name value` line's value in a cgroup's `memory.stat`.
fn stat_field(stat: &str, name: &str) -> Option<u64> {
    stat.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// This process's resident memory, in bytes.
pub fn resident() -> Option<u64> {
    kib_field("/proc/self/status", "VmRSS:")
}

/// The most this process has held resident so far, in bytes.
pub fn peak() -> Option<u64> {
    kib_field("/proc/self/status", "VmHWM:")
}

fn kib_field(file: &str, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `12G`, `500M`, `1.5GB`, `800MiB` or `4096B` (powers of 1024 either way). A number alone
/// is refused: meant as gigabytes or megabytes, read as bytes it would stop any run.
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    if number.parse::<f64>().is_ok_and(|n| n == 0.0) {
        return Err(format!(
            "'{s}' leaves no memory to work in: give a size like 12G or 500M"
        ));
    }
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" => {
            return Err(format!(
                "'{s}' has no unit: write {t}G for gigabytes or {t}M for megabytes (K, M, G \
                 or T, powers of 1024)"
            ))
        }
        "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => {
            return Err(format!(
                "'{s}' is not a size: write it like 12G, 500M or 800MiB"
            ))
        }
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("'{s}' is not a size: write it like 12G, 500M or 800MiB"))?;
    let bytes = n * (1u64 << shift) as f64;
    if !(1.0..1e19).contains(&bytes) {
        return Err(format!("'{s}' is not a size this machine could have"));
    }
    Ok(bytes as u64)
}

/// Bytes as `1.5 GB`, `300 MB` or `1 KB` (powers of 1024).
pub fn format_size(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        // A limit given in K is shown as given, not as "0 MB".
        0..=0xF_FFFF => format!("{:.0} KB", b / (1u64 << 10) as f64),
        0x10_0000..=0x3FFF_FFFF => format!("{:.0} MB", b / (1u64 << 20) as f64),
        _ => format!("{:.1} GB", b / (1u64 << 30) as f64),
    }
}

/// What the process's allocator does with memory the run frees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freed {
    /// Held for the rest of the run, for whatever is allocated next: no page is faulted in
    /// twice. Only in a small run, where that costs at most [`HOLD_FREED_UP_TO`].
    Held,
    /// Held for a moment, for the allocations that follow: fewer pages faulted in again.
    Kept,
    /// Given back to the system at once: the lowest peak.
    Returned,
}

static ON_FREED: OnceLock<fn(Freed)> = OnceLock::new();
static FREED: AtomicU8 = AtomicU8::new(u8::MAX);

/// Let the process's allocator (chosen by the binary, not the library) hear which of [`Freed`]
/// the budget allows; told at every check of the budget, and only when the answer changes.
pub fn on_freed(f: fn(Freed)) {
    let _ = ON_FREED.set(f);
}

/// Freed memory is held for good while the run, with what the next stage is expected to add,
/// stays under [`HOLD_FREED_UP_TO`], and held for a moment while it stays under
/// [`KEEP_FREED_UP_TO`]; both only under half the limit. A moment's worth of freed pages
/// (measured: 2-10% of the peak) costs little and saves faulting them in again. Nearer the
/// limit, or in a larger run, every byte goes back.
fn tell_freed(expected: u64, limit: u64) {
    let Some(f) = ON_FREED.get() else { return };
    let freed = freed(expected, limit);
    if FREED.swap(freed as u8, Ordering::Relaxed) != freed as u8 {
        f(freed);
    }
}

/// Past this, freed memory goes back at once. Keeping it made a 1.28M-tweet detect (250 MB)
/// 8% faster and a 10^7-tweet one (1.6 GB) no slower; reading 10^8 tweets (6.7 GB at its end)
/// took 269 s with it against 233 s without, in one pair of runs. This machine's noise at that
/// size is as large (a third run, returning memory past 2 GiB, took 278 s), so it is not
/// settled; the 10^8 run keeps what met its targets.
pub const KEEP_FREED_UP_TO: u64 = 2 << 30;

/// Under this, freed memory is never given back: what a small run frees is soon asked for
/// again, and faulting it in twice was a tenth of a 1.28M-tweet detect (peak 250 MB): 5.19 ->
/// 4.79 s, median of three interleaved runs, for a peak of 390 MB. Memory freed while under
/// it stays held after the run grows past it, so a larger run holds at most this much more.
pub const HOLD_FREED_UP_TO: u64 = 512 << 20;

fn freed(expected: u64, limit: u64) -> Freed {
    if expected <= (limit / 2).min(HOLD_FREED_UP_TO) {
        Freed::Held
    } else if expected <= (limit / 2).min(KEEP_FREED_UP_TO) {
        Freed::Kept
    } else {
        Freed::Returned
    }
}

/// Stop before `stage` if the memory it is expected to need on top of what is held now
/// would pass `limit`, saying `what_helps` besides more memory.
pub fn check_before(stage: &str, extra: u64, limit: Option<u64>, what_helps: &str) -> Result<()> {
    let Some((limit, now)) = held(limit) else {
        return Ok(());
    };
    tell_freed(now.saturating_add(extra), limit);
    if now.saturating_add(extra) <= limit {
        return Ok(());
    }
    Err(over_or(
        stage,
        now.saturating_add(extra),
        limit,
        "would need about",
        what_helps,
    ))
}

/// Stop `stage` if the process holds more than `limit` now, saying `what_helps` besides more
/// memory.
pub fn check_now(stage: &str, limit: Option<u64>, what_helps: &str) -> Result<()> {
    let Some((limit, now)) = held(limit) else {
        return Ok(());
    };
    tell_freed(now, limit);
    if now <= limit {
        return Ok(());
    }
    Err(over_or(stage, now, limit, "holds", what_helps))
}

/// Stop `stage` if the process holds more than `limit` now, or would once it takes `extra`
/// more (`step` says what of the stage that is, when not all of it), saying `what_helps`
/// besides more memory.
pub fn check_or(
    (stage, step): (&str, &str),
    extra: u64,
    limit: Option<u64>,
    what_helps: &str,
) -> Result<()> {
    let Some((limit, now)) = held(limit) else {
        return Ok(());
    };
    tell_freed(now.saturating_add(extra), limit);
    match (now <= limit, now.saturating_add(extra) <= limit) {
        (true, true) => Ok(()),
        (false, _) => Err(over_or(stage, now, limit, "holds", what_helps)),
        (true, false) => Err(over_or(
            &format!("{stage}{step}"),
            now.saturating_add(extra),
            limit,
            "would need about",
            what_helps,
        )),
    }
}

fn over_or(stage: &str, need: u64, limit: u64, verb: &str, what_helps: &str) -> Error {
    // Sizes that read alike ("2.0 GB, more than the limit of 2.0 GB") are said to be close.
    let (need_said, limit_said) = (format_size(need), format_size(limit));
    let past = match need_said == limit_said {
        true => "just past",
        false => "more than",
    };
    Error::limit(format!(
        "{stage} {verb} {need_said} of memory, {past} the limit of {limit_said} (the machine \
         has {} available); raise the limit if the machine can give more, or {what_helps}",
        available().map_or("an unknown amount".to_string(), format_size)
    ))
    .with_setting(Setting::MemoryLimit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_that_read_alike_are_said_to_be_close() {
        let g = 1u64 << 30;
        let said = |need: u64| over_or("s", need, 2 * g, "holds", "x").to_string();
        assert!(said(3 * g).contains("3.0 GB of memory, more than the limit of 2.0 GB"));
        let close = said(2 * g + (25 << 20));
        assert!(
            close.contains("2.0 GB of memory, just past the limit of 2.0 GB"),
            "{close}"
        );
    }

    #[test]
    fn freed_memory_is_held_under_512_mib_kept_under_2_gib_both_under_half_the_limit() {
        let g = 1 << 30;
        assert_eq!(freed(0, 18 * g), Freed::Held);
        assert_eq!(freed(g / 2, 18 * g), Freed::Held);
        assert_eq!(freed(g / 2 + 1, 18 * g), Freed::Kept);
        assert_eq!(freed(g / 4, g / 2), Freed::Held);
        assert_eq!(freed(g / 4 + 1, g / 2), Freed::Returned);
        assert_eq!(freed(2 * g, 18 * g), Freed::Kept);
        assert_eq!(freed(2 * g + 1, 18 * g), Freed::Returned);
        assert_eq!(freed(g / 2, g), Freed::Held);
        assert_eq!(freed(g / 2, 2 * g), Freed::Held);
        assert_eq!(freed(g / 2 + 1, 2 * g), Freed::Kept);
        assert_eq!(freed(g / 2 + 1, g), Freed::Returned);
        assert_eq!(freed(20 * g, 18 * g), Freed::Returned);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("12G"), Ok(12 << 30));
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("1.5GB"), Ok(3 << 29));
        assert_eq!(parse_size("800 MiB"), Ok(800 << 20));
        assert_eq!(parse_size("4096B"), Ok(4096));
        let bare = parse_size("12").unwrap_err();
        assert!(bare.contains("no unit") && bare.contains("12G"), "{bare}");
        assert!(parse_size("lots").is_err());
        assert!(parse_size("12Q").is_err());
        for zero in ["0", "0G", "0.0M"] {
            let e = parse_size(zero).unwrap_err();
            assert!(e.contains("leaves no memory"), "{e}");
        }
        assert_eq!(format_size(3 << 29), "1.5 GB");
        assert_eq!(format_size(300 << 20), "300 MB");
        assert_eq!(format_size(1 << 10), "1 KB");
    }

    #[test]
    fn a_limit_below_what_is_held_stops_with_the_stage_named() {
        if resident().is_none() {
            // Past the harness's capture, which hides a passing test's `eprintln!`.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: no /proc/self/status to read memory from"
            );
            return;
        }
        let e = check_now("building graphs", Some(1 << 20), "x").unwrap_err();
        assert!(e.to_string().starts_with("building graphs holds "), "{e}");
        assert_eq!(e.setting(), Some(Setting::MemoryLimit));
        let e = check_before("building graphs", 1 << 40, Some(1 << 40), "pair less").unwrap_err();
        assert!(e.to_string().contains("would need about"), "{e}");
        assert!(e.to_string().ends_with("or pair less"), "{e}");
        assert!(check_before("x", 0, Some(u64::MAX), "x").is_ok());
        assert!(check_now("x", None, "x").is_ok());
    }

    /// A stop for memory gains what whole runs of as many tweets took; other errors do not.
    #[test]
    fn a_stop_for_memory_says_what_a_whole_run_takes() {
        let stop = Error::limit("building graphs would need about 351 MB")
            .with_setting(Setting::MemoryLimit);
        let e = with_whole_run(stop, 1_796_161);
        assert_eq!(
            e.to_string(),
            "building graphs would need about 351 MB. Whole runs of 1796161 tweets measured \
             here peaked at about 424 MB as a collection and 852 MB as a takedown archive: with \
             a limit of the larger, they ran through"
        );
        assert_eq!(e.setting(), Some(Setting::MemoryLimit));
        // Before the run, only past the limit, and by the run's shape.
        assert_eq!(whole_run_warning(1_796_161, true, Some(900 << 20)), None);
        assert_eq!(whole_run_warning(1_796_161, true, None), None);
        assert_eq!(
            whole_run_warning(1_796_161, true, Some(500 << 20)).as_deref(),
            Some(
                "warning: whole runs of 1796161 tweets as a takedown archive measured here \
                 peaked at about 852 MB, past the memory limit of 500 MB: this run may stop for \
                 memory part way, after the earlier stages' time; a --memory-limit of about 852 \
                 MB would likely see it through"
            )
        );
        assert_eq!(whole_run_warning(1_796_161, false, Some(500 << 20)), None);
        assert_eq!(whole_run_warning(20_338, true, Some(100 << 20)), None);
        let other = Error::config("--threshold must be between 0 and 1");
        assert_eq!(
            with_whole_run(other, 1000).to_string(),
            "--threshold must be between 0 and 1"
        );
    }
}

//! What the fuzz targets share: ingest options from a flags byte, and the checks every ingest
//! result must pass besides "no panic".

pub mod gen;
pub mod targets;

use coordnet::dataset::{Dataset, Summary, NO_ACCOUNT, NO_TEXT, STRING_ID_BIT};
use coordnet::ingest::ActionsMapping;
use coordnet::{Format, IngestOptions, IngestStats};

/// Ingest options from one byte, so every target runs with every combination:
///
/// - bits 0-1: chunk size: 0 the default (4 MiB: one chunk), 1 4096 bytes, 2 tiny
///   (1 + 16 * bits 5-7: 1 to 113 bytes, a chunk per record or less), 3 256 bytes;
/// - bit 2: `keep_text: false` (the default keeps texts);
/// - bit 3: `keep_repeated_rows`;
/// - bit 4: `strict`.
pub fn options(
    flags: u8,
    format: Option<Format>,
    mapping: Option<ActionsMapping>,
) -> IngestOptions {
    let chunk_bytes = match flags & 3 {
        0 => IngestOptions::default().chunk_bytes,
        1 => 4096,
        2 => 1 + (flags >> 5) as usize * 16,
        _ => 256,
    };
    IngestOptions {
        format,
        mapping,
        strict: flags & 16 != 0,
        keep_text: flags & 4 == 0,
        keep_repeated_rows: flags & 8 != 0,
        chunk_bytes,
        ..Default::default()
    }
}

/// The flags byte and the file: raw-byte targets read their options from the first byte.
pub fn split_flags(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((&flags, rest)) => (flags, rest),
        None => (0, data),
    }
}

/// A structure-aware target's input from the fuzzer's bytes, decoded as `fuzz_target!`
/// decodes a typed input, so that corpora stay valid either way.
pub fn decode<'a, T: arbitrary::Arbitrary<'a>>(data: &'a [u8]) -> Option<T> {
    if data.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(arbitrary::Unstructured::new(data)).ok()
}

/// Makes the calling thread rayon's only worker, so that the parallel parts of ingest run
/// inline: handing each small input to a pool thread and back cost most of an execution
/// (futex wake-ups, two-thirds of the time in the kernel).
pub fn run_inline() {
    thread_local! {
        static POOL: rayon::ThreadPool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build()
            .expect("a one-thread pool");
    }
    POOL.with(|_| {});
}

/// What an ingest came to.
pub enum Outcome {
    Read(Dataset, IngestStats),
    Failed,
}

/// Ingest `bytes` and check the result. An error must not panic either, nor its message.
pub fn ingest(name: &str, bytes: &[u8], opts: &IngestOptions) -> Outcome {
    run_inline();
    match coordnet::ingest_bytes(name, bytes, opts) {
        Ok((d, stats)) => {
            check(&d, &stats);
            Outcome::Read(d, stats)
        }
        Err(e) => {
            let _ = e.to_string();
            Outcome::Failed
        }
    }
}

/// What every ingest result must satisfy.
pub fn check(d: &Dataset, s: &IngestStats) {
    // The documented invariant (ingest/stats.rs): nothing dropped without being counted.
    assert_eq!(
        s.rows_read,
        s.rows_accepted + s.rows_rejected,
        "rows read != accepted + rejected"
    );
    for f in &s.files {
        assert_eq!(
            f.rows_read,
            f.rows_accepted + f.rows_rejected,
            "per file: rows read != accepted + rejected"
        );
    }
    let by_reason: u64 = s.rejected.values().map(|r| r.count).sum();
    assert_eq!(
        by_reason, s.rows_rejected,
        "rejections by reason != rows rejected"
    );
    // Accepted rows are the dataset's tweets plus profile rows (user files).
    assert_eq!(
        s.rows_accepted,
        d.len() as u64 + s.profile_rows,
        "rows accepted != tweets kept + profile rows"
    );

    let n = d.len();
    for (name, len) in [
        ("account", d.account.len()),
        ("time_ms", d.time_ms.len()),
        ("flags", d.flags.len()),
        ("target_tweet", d.target_tweet.len()),
        ("target_account", d.target_account.len()),
        ("text", d.text.len()),
        ("lang", d.lang.len()),
        ("client", d.client.len()),
    ] {
        assert_eq!(len, n, "column {name} has {len} rows, the dataset {n}");
    }
    if n > 0 || !d.item_offsets.is_empty() {
        assert_eq!(d.item_offsets.len(), n + 1, "item_offsets");
        assert_eq!(d.item_offsets[0], 0);
        assert!(d.item_offsets.is_sorted(), "item_offsets not sorted");
        assert_eq!(*d.item_offsets.last().unwrap() as usize, d.items.len());
    }
    assert!(d.time_ms.is_sorted(), "tweets not sorted by time");

    let accounts = d.accounts.len();
    for (name, len) in [
        ("screen_name", d.accounts.screen_name.len()),
        ("created_ms", d.accounts.created_ms.len()),
        ("followers", d.accounts.followers.len()),
        ("following", d.accounts.following.len()),
    ] {
        assert_eq!(len, accounts, "account column {name}");
    }
    for a in 0..accounts as u32 {
        let _ = d.accounts.key(a);
        let _ = d.accounts.screen_name(a);
    }
    let tweet_id_ok =
        |id: u64| id & STRING_ID_BIT == 0 || ((id & !STRING_ID_BIT) as usize) < d.tweet_keys.len();
    for r in 0..n {
        assert!(
            (d.account[r] as usize) < accounts,
            "row {r}: account out of range"
        );
        let ta = d.target_account[r];
        assert!(
            ta == NO_ACCOUNT || (ta as usize) < accounts,
            "row {r}: target account out of range"
        );
        let t = d.text[r];
        assert!(
            t == NO_TEXT || (t as usize) < d.texts.len(),
            "row {r}: text out of range"
        );
        assert!(
            (d.lang[r] as usize) < d.langs.len().max(1),
            "row {r}: lang out of range"
        );
        assert!(
            (d.client[r] as usize) < d.clients.len().max(1),
            "row {r}: client out of range"
        );
        assert!(
            tweet_id_ok(d.tweet_id[r]) && tweet_id_ok(d.target_tweet[r]),
            "row {r}: tweet id"
        );
        let _ = d.tweet_key(d.tweet_id[r]);
        let _ = d.tweet_key(d.target_tweet[r]);
        let _ = (d.kind(r), d.resolution(r), d.text(r), d.client(r));
        for &item in d.items(r) {
            let _ = d.item_str(item);
        }
    }
    for &(row, _, account) in &d.reply_quotes {
        assert!((row as usize) < n, "reply quote row out of range");
        assert!(account == NO_ACCOUNT || (account as usize) < accounts);
    }
    // Interned strings are read back with `from_utf8_unchecked`: they must be valid UTF-8.
    for strings in [
        &d.accounts.keys,
        &d.accounts.names,
        &d.hashtags,
        &d.urls,
        &d.langs,
        &d.clients,
        &d.tweet_keys,
    ] {
        for s in strings.iter() {
            assert!(
                std::str::from_utf8(s.as_bytes()).is_ok(),
                "interned string is not UTF-8"
            );
        }
    }
    for s in d.texts.iter() {
        assert!(
            std::str::from_utf8(s.as_bytes()).is_ok(),
            "text is not UTF-8"
        );
    }
    // What `coordnet stats` prints of a dataset.
    let _ = Summary::of(d);
    let _ = d.memory();
}

/// The dataset as plain values, to compare two reads of the same input.
#[derive(Debug, PartialEq)]
pub struct Fingerprint {
    pub counts: (u64, u64, u64, u64, u64, u64, u64),
    pub rejected: Vec<(String, u64)>,
    pub rows: Vec<(
        Option<String>,
        String,
        i64,
        u8,
        Option<String>,
        Option<String>,
        Option<String>,
        Vec<String>,
    )>,
    pub accounts: Vec<(String, Option<String>, i64, u32, u32)>,
}

pub fn fingerprint(d: &Dataset, s: &IngestStats) -> Fingerprint {
    let account = |a: u32| (a != NO_ACCOUNT).then(|| d.accounts.key(a).to_string());
    Fingerprint {
        counts: (
            s.rows_read,
            s.rows_accepted,
            s.rows_rejected,
            s.profile_rows,
            s.snowflake_mismatches,
            s.reused_tweet_ids,
            s.repeated_rows_kept,
        ),
        rejected: s
            .rejected
            .iter()
            .map(|(k, r)| (k.clone(), r.count))
            .collect(),
        rows: (0..d.len())
            .map(|r| {
                (
                    d.tweet_key(d.tweet_id[r]),
                    d.accounts.key(d.account[r]).to_string(),
                    d.time_ms[r],
                    d.flags[r],
                    d.tweet_key(d.target_tweet[r]),
                    account(d.target_account[r]),
                    d.text(r).map(String::from),
                    d.items(r)
                        .iter()
                        .map(|&i| d.item_str(i).to_string())
                        .collect(),
                )
            })
            .collect(),
        accounts: (0..d.accounts.len() as u32)
            .map(|a| {
                let i = a as usize;
                (
                    d.accounts.key(a).to_string(),
                    d.accounts.screen_name(a).map(str::to_string),
                    d.accounts.created_ms[i],
                    d.accounts.followers[i],
                    d.accounts.following[i],
                )
            })
            .collect(),
    }
}

/// A raw-byte ingest target: flags byte, then the file, read as `format`.
pub fn raw_target(data: &[u8], format: Option<Format>, mapping: Option<ActionsMapping>) {
    let (flags, bytes) = split_flags(data);
    let opts = options(flags, format, mapping);
    ingest("fuzz-input", bytes, &opts);
}

/// Ingest `bytes` with the options of `flags`, check the result, and when those options cut
/// the input into small chunks, read it again as one chunk and require the same dataset:
/// only for inputs whose record boundaries do not depend on the chunking (JSON lines, CSV
/// written with conforming quoting). Strict runs are not compared (which bad row is met
/// first may differ).
pub fn ingest_compared(
    name: &str,
    bytes: &[u8],
    flags: u8,
    format: Option<Format>,
    mapping: Option<ActionsMapping>,
    compare: bool,
) {
    let opts = options(flags, format, mapping);
    let small = ingest(name, bytes, &opts);
    let whole = IngestOptions {
        chunk_bytes: IngestOptions::default().chunk_bytes,
        ..opts.clone()
    };
    if !compare || opts.strict || opts.chunk_bytes == whole.chunk_bytes {
        return;
    }
    let one = ingest(name, bytes, &whole);
    match (small, one) {
        (Outcome::Read(a, sa), Outcome::Read(b, sb)) => {
            let (fa, fb) = (fingerprint(&a, &sa), fingerprint(&b, &sb));
            assert!(
                fa == fb,
                "chunks of {} bytes read differently from one chunk:\n{fa:?}\n{fb:?}",
                opts.chunk_bytes
            );
        }
        (Outcome::Failed, Outcome::Failed) => {}
        (a, _) => panic!(
            "chunks of {} bytes: {}, one chunk: {}",
            opts.chunk_bytes,
            if matches!(a, Outcome::Read(..)) {
                "ok"
            } else {
                "error"
            },
            if matches!(a, Outcome::Read(..)) {
                "error"
            } else {
                "ok"
            },
        ),
    }
}

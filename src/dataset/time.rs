//! Times in the dataset: milliseconds since the epoch (UTC), the creation times hidden in
//! snowflake tweet ids, and the calendar to write them.

/// A day, in the dataset's milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// Twitter's snowflake epoch (2010-11-04T01:42:54.657Z).
pub const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;
/// Ids below this predate snowflakes (sequential ids, no time inside).
pub const FIRST_SNOWFLAKE_ID: u64 = 29_700_000_000;

/// The creation time in a snowflake id, if the id is one.
pub fn snowflake_ms(id: u64) -> Option<i64> {
    (FIRST_SNOWFLAKE_ID..1 << 63)
        .contains(&id)
        .then(|| (id >> 22) as i64 + SNOWFLAKE_EPOCH_MS)
}

/// A snowflake id whose time is `ms` (sequence bits from `seq`), for generated data.
pub fn snowflake_id(ms: i64, seq: u64) -> u64 {
    (((ms - SNOWFLAKE_EPOCH_MS) as u64) << 22) | (seq & ((1 << 22) - 1))
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date and time of `ms`: (year, month, day, hour, minute, second).
pub fn civil_from_ms(ms: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000) / 1000;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem / 60 % 60) as u32,
        (rem % 60) as u32,
    )
}

/// `YYYY-MM-DD HH:MM` as the information-operations archive writes times.
pub fn format_minute(ms: i64) -> String {
    let (y, mo, d, h, mi, _) = civil_from_ms(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_iso(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = civil_from_ms(ms);
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        ms.rem_euclid(1000)
    )
}

/// Rows dated far from the rest: a missing date written as the epoch's zero (`1970-01-01`), or
/// a year mistyped, stretches every span the report draws. Those at or before the epoch's zero
/// when others are later (no tweet is), and of the rest, those before the middle 98% of them
/// or after it by more than its length (at least a day). Of fewer than a hundred rows, the
/// middle is all.
#[derive(Clone, Debug, PartialEq)]
pub struct FarDates {
    pub count: usize,
    /// The middle's first and last time.
    pub middle: (i64, i64),
    /// Up to so many of them by dataset row (its place in time order) with its time: the
    /// earliest first, then the latest.
    pub examples: Vec<(u32, i64)>,
}

impl FarDates {
    /// Of rows in time order, `time` giving each one's: `None` if none is far.
    pub fn of<T>(rows: &[T], time: impl Fn(&T) -> i64, shown: usize) -> Option<FarDates> {
        let zeros = match rows.last() {
            Some(last) if time(last) > 0 => rows.partition_point(|r| time(r) <= 0),
            _ => 0,
        };
        let rest = &rows[zeros..];
        let n = rest.len();
        let (before, after, middle) = match n {
            0 => (zeros, rows.len(), (0, 0)),
            _ => {
                let (lo, hi) = (time(&rest[n / 100]), time(&rest[n - 1 - n / 100]));
                let width = (hi - lo).max(DAY_MS);
                let before = zeros + rest.partition_point(|r| time(r) < lo - width);
                let after = zeros + rest.partition_point(|r| time(r) <= hi + width);
                (before, after, (lo, hi))
            }
        };
        let count = before + rows.len() - after;
        if count == 0 {
            return None;
        }
        let shown = shown.min(count);
        let first = shown
            .min(before)
            .max(shown - (rows.len() - after).min(shown));
        let late = (after..rows.len()).rev().take(shown - first);
        let examples = (0..first).chain(late);
        Some(FarDates {
            count,
            middle,
            examples: examples.map(|r| (r as u32, time(&rows[r]))).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflake_round_trip() {
        let ms = 1_600_000_000_123;
        assert_eq!(snowflake_ms(snowflake_id(ms, 77)), Some(ms));
        let (y, m, d, h, mi, s) = civil_from_ms(ms);
        assert_eq!((y, m, d, h, mi, s), (2020, 9, 13, 12, 26, 40));
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}

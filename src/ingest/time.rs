//! Times as the formats write them, to milliseconds since the epoch (UTC), with the
//! resolution the writing carries, refined by the snowflake time of the tweet id.

use crate::dataset::batch::{RawId, RecordBatch, RowError};
use crate::dataset::time::{days_from_civil, snowflake_ms};
use crate::dataset::TimeResolution;

/// A tweet's time from its id and the time written in `column` (`example` shows the layout
/// expected there): the snowflake's where the two agree, counting the rows where they do not.
/// A row on `line` with no time written takes its id's, with a warning: the id holds the time
/// it was made to the millisecond, but the row did not say it.
pub fn tweet_time(
    tweet: RawId,
    written: &str,
    (column, example): (&'static str, &'static str),
    line: u64,
    b: &mut RecordBatch,
) -> Result<(i64, TimeResolution), RowError> {
    let written_time = parse_datetime(written);
    let blank = written.trim().is_empty();
    if written_time.is_none() && !blank {
        return Err(RowError::new("bad time", column, example, written));
    }
    let time = refined(tweet, written_time, b)
        .ok_or_else(|| RowError::new("missing time", column, example, ""))?;
    if blank {
        b.warn(line, RowError::new(TIME_FROM_ID, column, example, ""));
    }
    Ok(time)
}

/// The warning of a row whose time was taken from its tweet id (a key of summary.json's
/// `warnings`).
pub const TIME_FROM_ID: &str = "time empty, taken from the tweet id (which holds it); row kept";

/// `written` refined by the snowflake time of `tweet` ([`refine`]), counting in `b` a row
/// where the two disagree; `None` with neither.
pub fn refined(
    tweet: RawId,
    written: Option<(i64, TimeResolution)>,
    b: &mut RecordBatch,
) -> Option<(i64, TimeResolution)> {
    let id = match tweet {
        RawId::Num(n) => Some(n),
        _ => None,
    };
    let (ms, res, mismatch) = refine(id, written)?;
    b.snowflake_mismatches += u64::from(mismatch);
    Some((ms, res))
}

/// Use the snowflake time when it agrees with the written one (the written time is the
/// snowflake time cut down to its resolution); otherwise keep what was written.
/// Returns the time, its resolution, and whether the two disagreed.
pub fn refine(
    id: Option<u64>,
    written: Option<(i64, TimeResolution)>,
) -> Option<(i64, TimeResolution, bool)> {
    let snow = id.and_then(snowflake_ms);
    match (snow, written) {
        (Some(s), Some((w, res))) => {
            // One second of slack either side for clocks that round instead of truncating.
            if s >= w - 1_000 && s < w + res.millis() + 1_000 {
                Some((s, TimeResolution::Millisecond, false))
            } else {
                Some((w, res, true))
            }
        }
        (Some(s), None) => Some((s, TimeResolution::Millisecond, false)),
        (None, Some((w, res))) => Some((w, res, false)),
        (None, None) => None,
    }
}

/// Parse the date-time layouts found in tweet data:
/// `2017-06-22`, `2017-06-22 16:03`, `2016-10-12 11:41:00`, `2021-09-22T16:37:29.000Z`,
/// `2021-09-22T16:37:29+00:00`, `10/1/2017 19:58` (FiveThirtyEight) and
/// `Tue Jul 18 23:25:04 +0000 2017` (API v1.1).
pub fn parse_datetime(s: &str) -> Option<(i64, TimeResolution)> {
    parse_datetime_in(s, SlashOrder::MonthFirst)
}

/// How a slash date (`3/10/2021`) is read: month first, as US exports and the IRA layout
/// write it, or day first, as most others do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SlashOrder {
    #[default]
    MonthFirst,
    DayFirst,
}

impl SlashOrder {
    pub fn other(self) -> SlashOrder {
        match self {
            SlashOrder::MonthFirst => SlashOrder::DayFirst,
            SlashOrder::DayFirst => SlashOrder::MonthFirst,
        }
    }

    /// How the order is written: `month/day/year`.
    pub fn name(self) -> &'static str {
        match self {
            SlashOrder::MonthFirst => "month/day/year",
            SlashOrder::DayFirst => "day/month/year",
        }
    }
}

/// [`parse_datetime`], with slash dates read in `order`.
pub fn parse_datetime_in(s: &str, order: SlashOrder) -> Option<(i64, TimeResolution)> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        let (y, m, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
        let day_ms = date_ms(y as i64, m, d)?;
        if b.len() == 10 {
            return Some((day_ms, TimeResolution::Day));
        }
        if b[10] != b' ' && b[10] != b'T' {
            return None;
        }
        let (t, res, rest) = clock(&b[11..])?;
        let offset = zone(rest)?;
        return Some((day_ms + t - offset, res));
    }
    if let Some(slash) = s.find('/') {
        // M/D/YYYY H:MM[:SS], or D/M/YYYY
        let (date, time) = s.split_once(' ').unwrap_or((s, ""));
        let mut parts = date.split('/');
        let m = num(parts.next()?.as_bytes())?;
        let d = num(parts.next()?.as_bytes())?;
        let (m, d) = match order {
            SlashOrder::MonthFirst => (m, d),
            SlashOrder::DayFirst => (d, m),
        };
        let y = num(parts.next()?.as_bytes())?;
        if parts.next().is_some() || slash == 0 {
            return None;
        }
        let day_ms = date_ms(y as i64, m, d)?;
        if time.is_empty() {
            return Some((day_ms, TimeResolution::Day));
        }
        let (t, res, rest) = clock(time.as_bytes())?;
        return rest.is_empty().then_some((day_ms + t, res));
    }
    parse_v1(s)
}

/// `Tue Jul 18 23:25:04 +0000 2017`
fn parse_v1(s: &str) -> Option<(i64, TimeResolution)> {
    let mut f = s.split_ascii_whitespace();
    let _weekday = f.next()?;
    let month = f.next()?;
    let d = num(f.next()?.as_bytes())?;
    let (t, res, _) = clock(f.next()?.as_bytes())?;
    let offset = zone(f.next()?.as_bytes())?;
    let y = num(f.next()?.as_bytes())?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|&x| x == month)? as u32 + 1;
    Some((date_ms(y as i64, m, d)? + t - offset, res))
}

/// Years are four digits, as every format writes them; more would overflow the milliseconds.
/// A day the month does not have (February 30th) is refused, not rolled into the next month.
fn date_ms(y: i64, m: u32, d: u32) -> Option<i64> {
    ((1..=9999).contains(&y) && (1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d))
        .then(|| days_from_civil(y, m, d) * 86_400_000)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `HH:MM[:SS[.fff]]`, then whatever follows.
fn clock(b: &[u8]) -> Option<(i64, TimeResolution, &[u8])> {
    let colon = b.iter().position(|&c| c == b':')?;
    let h = num(&b[..colon])? as i64;
    let b = &b[colon + 1..];
    if b.len() < 2 {
        return None;
    }
    let mi = num(&b[..2])? as i64;
    if h > 23 || mi > 59 {
        return None;
    }
    let mut ms = (h * 60 + mi) * 60_000;
    let mut rest = &b[2..];
    if rest.first() != Some(&b':') {
        return Some((ms, TimeResolution::Minute, rest));
    }
    if rest.len() < 3 {
        return None;
    }
    let sec = num(&rest[1..3])? as i64;
    if sec > 60 {
        return None;
    }
    ms += sec * 1000;
    rest = &rest[3..];
    let mut res = TimeResolution::Second;
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let frac = &rest[1..1 + digits];
        let mut millis = 0i64;
        for i in 0..3 {
            millis = millis * 10 + frac.get(i).map_or(0, |c| (c - b'0') as i64);
        }
        // The API writes `.000` on every time: only a non-zero fraction means milliseconds.
        if millis != 0 {
            res = TimeResolution::Millisecond;
        }
        ms += millis;
        rest = &rest[1 + digits..];
    }
    Some((ms, res, rest))
}

/// `Z`, `+00:00`, `+0000`, `-0500` or nothing (UTC); the offset in ms.
fn zone(b: &[u8]) -> Option<i64> {
    let b = trim(b);
    match b {
        [] | [b'Z'] | b"UTC" => Some(0),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let digits: Vec<u8> = rest.iter().copied().filter(|c| *c != b':').collect();
            if digits.len() != 4 {
                return None;
            }
            let (h, m) = (num(&digits[..2])?, num(&digits[2..])?);
            // Offsets in use run from -12:00 to +14:00.
            if h > 14 || m > 59 {
                return None;
            }
            let v = (h * 60 + m) as i64 * 60_000;
            Some(if *sign == b'-' { -v } else { v })
        }
        _ => None,
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, &c| n * 10 + (c - b'0') as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::time::format_iso;
    use TimeResolution::*;

    #[test]
    fn archive_snowflake_gives_seconds_the_csv_lacks() {
        // Real row of the October 2018 release: tweet_time 2017-06-22 16:03, id 877919995476496385.
        let written = parse_datetime("2017-06-22 16:03").unwrap();
        assert_eq!(written.1, Minute);
        let (ms, res, mismatch) = refine(Some(877919995476496385), Some(written)).unwrap();
        assert_eq!((res, mismatch), (Millisecond, false));
        assert_eq!(format_iso(ms), "2017-06-22T16:03:32.543Z");
    }

    #[test]
    fn disagreeing_snowflake_keeps_written_time() {
        let written = parse_datetime("2019-01-01 00:00").unwrap();
        let (ms, res, mismatch) = refine(Some(877919995476496385), Some(written)).unwrap();
        assert_eq!((ms, res, mismatch), (written.0, Minute, true));
        // Pre-snowflake ids carry no time.
        assert_eq!(
            refine(Some(12345), Some(written)).unwrap(),
            (written.0, Minute, false)
        );
    }

    #[test]
    fn days_a_month_lacks_and_impossible_offsets_are_refused() {
        for bad in [
            "2020-02-30 10:00",
            "2021-02-29",
            "2100-02-29",
            "2020-04-31 10:00",
            "2/30/2020 10:00",
            "2020-01-01T10:00:00+9999",
            "2020-01-01T10:00:00+25:00",
            "2020-01-01T10:00:00+00:99",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        for (good, iso) in [
            ("2020-02-29 10:00", "2020-02-29T10:00:00.000Z"),
            ("2000-02-29", "2000-02-29T00:00:00.000Z"),
            ("2020-12-31T23:00:00-12:00", "2021-01-01T11:00:00.000Z"),
            ("2020-01-01T10:00:00+14:00", "2019-12-31T20:00:00.000Z"),
        ] {
            assert_eq!(format_iso(parse_datetime(good).unwrap().0), iso, "{good}");
        }
    }

    #[test]
    fn every_layout() {
        let t = |s| parse_datetime(s).map(|(ms, r)| (format_iso(ms), r));
        assert_eq!(
            t("2013-12-07"),
            Some(("2013-12-07T00:00:00.000Z".into(), Day))
        );
        assert_eq!(
            t("2016-10-12 11:41:00"),
            Some(("2016-10-12T11:41:00.000Z".into(), Second))
        );
        assert_eq!(
            t("2021-09-22T16:37:29.000Z"),
            Some(("2021-09-22T16:37:29.000Z".into(), Second))
        );
        assert_eq!(
            t("2021-09-22T16:37:29.25Z"),
            Some(("2021-09-22T16:37:29.250Z".into(), Millisecond))
        );
        assert_eq!(
            t("2021-09-22T18:37:29+02:00"),
            Some(("2021-09-22T16:37:29.000Z".into(), Second))
        );
        assert_eq!(
            t("10/1/2017 19:58"),
            Some(("2017-10-01T19:58:00.000Z".into(), Minute))
        );
        let day_first = |s| parse_datetime_in(s, SlashOrder::DayFirst).map(|x| format_iso(x.0));
        assert_eq!(
            day_first("10/1/2017 19:58").unwrap(),
            "2017-01-10T19:58:00.000Z"
        );
        assert_eq!(day_first("31/12/2017").unwrap(), "2017-12-31T00:00:00.000Z");
        assert_eq!(day_first("12/31/2017"), None);
        assert_eq!(
            day_first("2017-06-22 16:03").unwrap(),
            "2017-06-22T16:03:00.000Z"
        );
        assert_eq!(
            t("Tue Jul 18 23:25:04 +0000 2017"),
            Some(("2017-07-18T23:25:04.000Z".into(), Second))
        );
        for bad in [
            "",
            "yesterday",
            "2017-13-01",
            "2017-06-22 25:00",
            "2017-06-22X16:03",
            "1/2",
            // Found by fuzzing: a nine-digit year overflowed the milliseconds.
            "1/1/450855089",
            "Tue Jul 18 23:25:04 +0000 450855089",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }
}

//! How figures read for people, in every stage's messages and in the report: shares as
//! percentages that never read as none or all, counts with their noun, scores cut rather
//! than rounded.

/// A score for people to read: two decimals, cut rather than rounded, so that a cluster below
/// the threshold never reads as at it (0.3978 shows as 0.39 beside a threshold of 0.40). The
/// files keep four decimals, cut too, so that what a page shows is what the files begin with.
pub fn score_shown(score: f64) -> String {
    cut(score, 2)
}

/// `x` to so many decimals, cut rather than rounded: a value below a bound the README names
/// (a score's threshold, a role's confidence of 0.7 without amplification) never reads as it.
pub fn cut(x: f64, decimals: usize) -> String {
    let scale = 10f64.powi(decimals as i32);
    // The nudge keeps 0.29, which is 28.999... hundredths in binary, at 0.29.
    format!("{:.*}", decimals, (x * scale + 1e-9).floor() / scale)
}

#[cfg(test)]
#[test]
fn shown_values_never_round_up_to_a_bound() {
    let shown: Vec<String> = [0.3978, 0.4, 0.29, 0.0, 1.0, 0.999].map(score_shown).into();
    assert_eq!(shown, ["0.39", "0.40", "0.29", "0.00", "1.00", "0.99"]);
    // A role's confidence just below 0.7 (0.4 * 0.999 / 1.0 shrunk) is not written as 0.700.
    assert_eq!(cut(0.5 + 0.2 * 0.99875, 3), "0.699");
}

/// A share as a percentage, whole from 1% to 99%; below and above, with the decimals it needs
/// not to read as none or all (0.4%, 99.96%), so that a list's small shares read alike. It
/// stays a number a parser can read.
pub fn pct(x: f64) -> String {
    let p = 100.0 * x;
    let mut decimals = usize::from(x > 0.0 && x < 1.0 && !(0.01..=0.99).contains(&x));
    while decimals > 0 && decimals < 6 {
        let shown: f64 = format!("{p:.decimals$}").parse().unwrap_or(p);
        if shown > 0.0 && shown < 100.0 {
            break;
        }
        decimals += 1;
    }
    format!("{p:.decimals$}%")
}

#[cfg(test)]
#[test]
fn a_share_that_is_neither_none_nor_all_never_reads_as_one() {
    let said = [
        0.0, 0.00004, 0.003, 0.0058, 0.01, 0.42, 0.99, 0.995, 0.9996, 1.0,
    ]
    .map(pct);
    let want = [
        "0%", "0.004%", "0.3%", "0.6%", "1%", "42%", "99%", "99.5%", "99.96%", "100%",
    ];
    assert_eq!(said, want);
}

/// `n` of `noun`, plural unless one: "1 account", "3 accounts".
pub fn counted(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
#[test]
fn counts_read_as_people_say_them() {
    let said = [(0, "core"), (1, "account"), (30, "amplifier")].map(|(n, w)| counted(n, w));
    assert_eq!(said, ["0 cores", "1 account", "30 amplifiers"]);
}

/// The one of `all` that `name` gives `typed` (in any case, spaces around it aside), or what
/// to type instead: "unknown quality 'x'; expected one of: modularity, cpm". Every setting
/// named by a word is read this way.
pub fn by_name<T: Copy>(
    all: &[T],
    name: impl Fn(T) -> &'static str,
    typed: &str,
    what: &str,
) -> Result<T, String> {
    let typed = typed.trim();
    let found = all.iter().find(|&&t| name(t).eq_ignore_ascii_case(typed));
    found.copied().ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|&t| name(t)).collect();
        format!(
            "unknown {what} '{typed}'; expected one of: {}",
            names.join(", ")
        )
    })
}

#[cfg(test)]
#[test]
fn a_name_is_read_in_any_case_and_a_wrong_one_lists_the_right_ones() {
    let all = [true, false];
    let name = |b: bool| if b { "yes" } else { "no" };
    assert_eq!(by_name(&all, name, " No ", "answer"), Ok(false));
    assert_eq!(
        by_name(&all, name, "maybe", "answer"),
        Err("unknown answer 'maybe'; expected one of: yes, no".to_string())
    );
}

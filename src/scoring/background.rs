//! Where the parts of the score find ordinary accounts to compare with.
//!
//! A part that says "more than ordinary accounts do" needs ordinary accounts. A mixed
//! collection has them: its own accounts are the background. A takedown archive does not:
//! every account in it is a suspect, so a null drawn from the data would describe the
//! operations themselves and every excess would vanish. There the background comes from a
//! control collection the analyst gives (ordinary accounts' tweets, as in the published
//! information-operations-versus-control studies), or else from documented platform-wide
//! figures ([`Reference`]); never from the suspects.
//!
//! Nulls that permute the members' own activity (times shifted by random offsets, days moved
//! around) need no background and are the same in every case.

use crate::dataset::Dataset;
use crate::graphs::retweet::{Source, Sources};

/// The background of ordinary accounts a part compares a cluster with.
#[derive(Clone, Copy, Debug)]
pub enum Background<'a> {
    /// The data's own accounts (a mixed collection).
    Data,
    /// A control collection of ordinary accounts' tweets, with each retweet's source.
    Control(&'a Dataset, &'a [Option<Source>]),
    /// No ordinary accounts at hand: the platform-wide figures of [`Reference`].
    Reference,
}

impl<'a> Background<'a> {
    /// A collection's own accounts; for an archive, the control collection when there is one
    /// (with each of its retweets' sources), else the reference figures. A collection's
    /// accounts are the background matched in topic and time, so a control is not used for
    /// one (and the archive-or-collection decision, made on the collection's scores, does not
    /// depend on it).
    pub fn of(control: Option<(&'a Dataset, &'a [Option<Source>])>, archive: bool) -> Self {
        match (control, archive) {
            (_, false) => Background::Data,
            (Some((c, s)), true) => Background::Control(c, s),
            (None, true) => Background::Reference,
        }
    }

    /// [`Background::name`] of a control that gave no figure: every null the reference's.
    pub const CONTROL_GAVE_NONE: &'static str = "built-in platform-wide reference figures: the \
        control collection gave none (no retweet naming its source with a time, no account \
        creation date)";

    pub fn name(&self) -> &'static str {
        match self {
            Background::Data => "the data's own accounts",
            Background::Control(..) => "the control collection",
            Background::Reference => "built-in platform-wide reference figures",
        }
    }
}

/// Whose figures a null is, as the explanation and the report name it: a control without
/// the figure leaves the reference's in its place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub enum NullFrom {
    #[default]
    Data,
    Control,
    Reference,
}

impl NullFrom {
    /// The accounts a share of accounts is of.
    pub fn accounts(self) -> &'static str {
        match self {
            NullFrom::Data => "the data's accounts",
            NullFrom::Control => "the control's accounts",
            NullFrom::Reference => "platform-wide reference",
        }
    }

    /// The retweets a share of retweets is of.
    pub fn retweets(self) -> &'static str {
        match self {
            NullFrom::Data => "the data's retweets",
            NullFrom::Control => "the control's retweets",
            NullFrom::Reference => "platform-wide reference",
        }
    }
}

/// Platform-wide figures for when no ordinary accounts are at hand.
pub struct Reference;

impl Reference {
    /// Share of retweets made within 5 minutes of the original. Kwak, Lee, Park & Moon
    /// (2010), "What is Twitter, a social network or a news media?" (WWW 2010), measured half
    /// of all retweets within an hour of the original and three quarters within a day; a
    /// log-normal delay with those quantiles (median 1 h, sigma 4.7) puts 30% within 5 minutes.
    pub const RETWEETS_WITHIN_5MIN: f64 = 0.30;

    /// The day Twitter opened to the public (2006-07-15), from which accounts exist.
    pub const PLATFORM_START_MS: i64 = 1_152_921_600_000;

    /// Share of platform accounts created in a window of `window_ms` that ends by `until_ms`,
    /// were creations spread evenly over the platform's life up to then. (Creations peaked in
    /// 2009-2014, so in those years this understates the rate about twofold; against the
    /// 80-100% of an operation's accounts created within a month, that does not matter.)
    pub fn created_within(window_ms: i64, until_ms: i64) -> f64 {
        let life = (until_ms - Reference::PLATFORM_START_MS).max(window_ms);
        (window_ms as f64 / life as f64).min(1.0)
    }
}

/// Retweets (of another account, with a known delay) in the control collection, and those
/// within `window_ms`: counted as the data's are.
pub fn control_fast_retweets(
    control: &Dataset,
    sources: &[Option<Source>],
    window_ms: i64,
) -> (u64, u64) {
    let (mut timed, mut fast) = (0u64, 0u64);
    for r in 0..control.len() {
        if let Some(d) = sources.other_source(control, r).and_then(|s| s.delay_ms) {
            timed += 1;
            fast += (d <= window_ms) as u64;
        }
    }
    (timed, fast)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_creation_rate_spreads_over_the_platform_life() {
        // Thirty days out of ten years of platform life, about 0.8%.
        let day = 86_400_000;
        let r = Reference::created_within(30 * day, Reference::PLATFORM_START_MS + 3653 * day);
        assert!((r - 30.0 / 3653.0).abs() < 1e-9);
        assert_eq!(
            Reference::created_within(30 * day, Reference::PLATFORM_START_MS),
            1.0
        );
    }
}

//! The synthetic population: ordinary accounts with heavy-tailed activity and popularity,
//! and network accounts created in bursts.

use crate::hash::splitmix;
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Pareto};

/// Who an account is in the truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Organic,
    Core,
    Amplifier,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Organic => "organic",
            Role::Core => "core",
            Role::Amplifier => "amplifier",
        }
    }
}

pub struct Account {
    /// Index into the plan's network list, or `None` for organic accounts.
    pub network: Option<u16>,
    pub role: Role,
    pub created_ms: i64,
    pub followers: u32,
    pub following: u32,
    /// Relative rate of own activity (organic) and of being retweeted.
    pub activity: f64,
    pub popularity: f64,
    pub lang: &'static str,
}

pub const LANGS: [(&str, f64); 6] = [
    ("en", 0.55),
    ("es", 0.12),
    ("ar", 0.1),
    ("ru", 0.08),
    ("tr", 0.08),
    ("zh", 0.07),
];

/// 64 hex digits, as the archive hashes the ids of accounts under 5,000 followers; popular
/// accounts keep a numeric id, as in the archive.
pub fn account_id(seed: u64, index: u32, followers: u32) -> String {
    if followers >= 5_000 {
        // Dense and therefore unique (a scrambled form collided every 125,000 accounts).
        return (1_000_000_000 + index as u64).to_string();
    }
    let mut s = String::with_capacity(64);
    let mut x = seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for _ in 0..4 {
        x = splitmix(x);
        s.push_str(&format!("{x:016x}"));
    }
    s
}

pub fn screen_name(seed: u64, index: u32, followers: u32) -> String {
    if followers >= 5_000 {
        format!("outlet_{index}")
    } else {
        account_id(seed, index, followers)
    }
}

pub fn pick_lang(rng: &mut impl Rng) -> &'static str {
    let mut u: f64 = rng.random();
    for (lang, p) in LANGS {
        if u < p {
            return lang;
        }
        u -= p;
    }
    "en"
}

pub fn organic(rng: &mut impl Rng, start_ms: i64) -> Account {
    let activity: f64 = Pareto::new(1.0, 1.6).unwrap().sample(rng);
    let activity = activity.min(500.0);
    let popularity = LogNormal::new(0.0, 1.6).unwrap().sample(rng);
    let followers = (popularity * 150.0 * LogNormal::new(0.0, 0.5).unwrap().sample(rng)) as u32;
    // Organic accounts were made over a decade before the period.
    let age_days = rng.random_range(30.0..4_000.0);
    Account {
        network: None,
        role: Role::Organic,
        created_ms: start_ms - (age_days * 86_400_000.0) as i64,
        followers,
        following: rng.random_range(20..2_000),
        activity,
        popularity,
        lang: pick_lang(rng),
    }
}

/// A network account: created within the network's burst, few followers.
pub fn planted(
    rng: &mut impl Rng,
    network: u16,
    role: Role,
    burst_ms: i64,
    lang: &'static str,
) -> Account {
    let followers = match role {
        Role::Core => rng.random_range(50..3_000),
        _ => rng.random_range(0..120),
    };
    Account {
        network: Some(network),
        role,
        created_ms: burst_ms + rng.random_range(0..3 * 86_400_000),
        followers,
        following: rng.random_range(50..1_500),
        activity: 1.0,
        popularity: 1.0,
        lang,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popular_account_ids_never_collide() {
        // The old scrambled id gave accounts 125,000 apart the same id.
        let ids: std::collections::HashSet<String> =
            (0..300_000).map(|i| account_id(1, i, 10_000)).collect();
        assert_eq!(ids.len(), 300_000);
    }
}

//! Roles inside a cluster: core (originates what the cluster pushes), amplifier (echoes it),
//! other.
//!
//! Two kinds of evidence, blended: the amplification the data shows (retweets received from
//! versus made to the cluster's own members) and the account's own behaviour (the share of its
//! tweets it wrote itself). In a takedown archive many retweets point outside the data or have
//! no source, so behaviour alone must be able to decide; where amplification is visible it
//! weighs more, since it says who is echoed and who echoes.

use super::features::{Activity, Amplification};

/// An account's role in its cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Core,
    Amplifier,
    Other,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Core => "core",
            Role::Amplifier => "amplifier",
            Role::Other => "other",
        }
    }
}

/// Weight of visible amplification against own behaviour, when both are known.
const AMPLIFICATION_WEIGHT: f64 = 0.6;

/// The role of a clustered account and a confidence in [0.5, 1): how far the evidence leans
/// from even, times n / (n + 1) for the n observations behind it (the account's tweets and the
/// retweets it received from members), so that one tweet never makes a sure role.
pub fn role(activity: &Activity, amp: &Amplification, u: usize) -> (Role, f64) {
    let made = amp.made[u] as f64;
    let received = amp.received[u] as f64;
    let tweets = activity.tweets[u];
    let observed = tweets as f64 + received;
    let sure = |lean: f64| 0.5 + lean.abs() * observed / (observed + 1.0);
    // Accounts that only appear as the source of the group's retweets (their own tweets are
    // not in the data; `detect` keeps them out of clusters, a suspects list given to `score`
    // can name them) are its cores by the only evidence there is.
    if tweets == 0 {
        return if received > 0.0 {
            (Role::Core, sure(0.5))
        } else {
            (Role::Other, 0.5)
        };
    }
    let own = activity.own_share(u);
    // Conversation (replies, quotes) is neither posting nor echoing.
    let conversation = (activity.replies[u] + activity.quotes[u]) as f64 / tweets as f64;
    if conversation > 0.5 && received == 0.0 {
        return (Role::Other, sure(conversation - 0.5));
    }
    // Amplification not seen (no retweets between members) is no evidence either way: it
    // counts as undecided, so behaviour alone decides the role but with at most
    // 0.5 + (1 - AMPLIFICATION_WEIGHT) / 2 confidence.
    let visible = match made + received > 0.0 {
        true => received / (made + received),
        false => 0.5,
    };
    let p_core = AMPLIFICATION_WEIGHT * visible + (1.0 - AMPLIFICATION_WEIGHT) * own;
    let confidence = sure(p_core - 0.5);
    if p_core >= 0.5 {
        (Role::Core, confidence)
    } else {
        (Role::Amplifier, confidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(tweets: u32, retweets: u32, replies: u32, made: u32, received: u32) -> (Role, f64) {
        let activity = Activity {
            tweets: vec![tweets],
            originals: vec![tweets - retweets - replies],
            retweets: vec![retweets],
            replies: vec![replies],
            quotes: vec![0],
            first_ms: vec![0],
            last_ms: vec![0],
            days: vec![0],
        };
        let amp = Amplification {
            made: vec![made],
            received: vec![received],
            median_delay_ms: vec![-1],
        };
        role(&activity, &amp, 0)
    }

    #[test]
    fn amplification_decides_where_visible_behaviour_elsewhere() {
        // Retweeted by the cluster, never retweets it: core, confidently.
        let (r, c) = one(20, 2, 0, 0, 40);
        assert_eq!(r, Role::Core);
        assert!(c > 0.9);
        // Retweets the cluster's cores and little else: amplifier.
        assert_eq!(one(30, 27, 0, 25, 0).0, Role::Amplifier);
        // No visible amplification (sources unknown): its own behaviour decides, less surely.
        let (r, c) = one(30, 30, 0, 0, 0);
        assert_eq!(r, Role::Amplifier);
        let most = 0.5 + (1.0 - AMPLIFICATION_WEIGHT) / 2.0;
        assert!(c < most && c > 0.5 + (most - 0.5) * 0.95, "{c}");
        assert_eq!(one(30, 3, 0, 0, 0).0, Role::Core);
        // Mostly replies, never amplified: other.
        assert_eq!(one(10, 0, 8, 0, 0).0, Role::Other);
        // Known only as the source of the cluster's retweets.
        assert_eq!(one(0, 0, 0, 0, 5).0, Role::Core);
    }

    #[test]
    fn confidence_grows_with_the_evidence_behind_a_role() {
        // One reply, one retweet, one retweet received: the role, but far from sure.
        for (r, (role, c)) in [
            (Role::Other, one(1, 0, 1, 0, 0)),
            (Role::Amplifier, one(1, 1, 0, 1, 0)),
            (Role::Core, one(0, 0, 0, 0, 1)),
        ] {
            assert_eq!(role, r);
            assert!((c - 0.75).abs() < 1e-9, "{r:?} {c}");
        }
        // The same leanings over many tweets are near sure.
        assert!(one(200, 0, 200, 0, 0).1 > 0.99);
        assert!(one(200, 200, 0, 200, 0).1 > 0.99);
        // More evidence, more confidence, for the same shares.
        let c: Vec<f64> = [2, 10, 50].map(|n| one(n, n, 0, n, 0).1).to_vec();
        assert!(c[0] < c[1] && c[1] < c[2], "{c:?}");
    }
}

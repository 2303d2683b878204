//! The coordination score: each part with its name, weight and rule, and how the parts a
//! cluster has evidence for combine into one score.

/// A part of the coordination score: its name, its weight in the score, and how it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// How much of the members' significant ties stay inside the cluster, and how many.
    Coaction,
    /// How often members act within 5 minutes of each other, against shifted times.
    Synchrony,
    /// How much of the members' retweets go to members.
    Structure,
    /// How many members were created in one 30-day span.
    CreationBurst,
    /// How much of the members' own texts another member posted too.
    ContentDuplication,
    /// How much of the members' hashtag use is on tags the cluster owns.
    HashtagConcentration,
}

/// How a part enters the score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counting {
    /// Its value counts, high or low.
    Always,
    /// It describes one way of operating (amplifying one's own cores, posting the same
    /// texts): it counts only where it raises the score, since its absence is no sign of
    /// innocence.
    WhereItRaises,
}

impl Part {
    /// Every part, in the order of clusters.csv's columns.
    pub const ALL: [Part; 6] = [
        Part::Coaction,
        Part::Synchrony,
        Part::Structure,
        Part::CreationBurst,
        Part::ContentDuplication,
        Part::HashtagConcentration,
    ];

    /// The part's name, as clusters.csv and summary.json write it.
    pub const fn name(self) -> &'static str {
        match self {
            Part::Coaction => "coaction",
            Part::Synchrony => "synchrony",
            Part::Structure => "structure",
            Part::CreationBurst => "creation_burst",
            Part::ContentDuplication => "content_duplication",
            Part::HashtagConcentration => "hashtag_concentration",
        }
    }

    /// The part's weight in the score's weighted mean.
    pub const fn weight(self) -> f64 {
        match self {
            Part::Coaction => 0.15,
            Part::Synchrony => 0.25,
            Part::Structure => 0.15,
            Part::CreationBurst => 0.15,
            Part::ContentDuplication => 0.1,
            Part::HashtagConcentration => 0.2,
        }
    }

    /// Whether the part is evidence of acting together, which a score cannot do without.
    pub const fn acting_together(self) -> bool {
        matches!(self, Part::Coaction | Part::Synchrony)
    }

    /// How the part counts, measured against a collection's ordinary accounts or among a
    /// takedown archive's suspects (`among_suspects`). There the other users of a cluster's
    /// hashtags are the other operations: tags shared with them are no sign of innocence,
    /// while tags an operation keeps to itself still set it apart.
    pub const fn counting(self, among_suspects: bool) -> Counting {
        match self {
            Part::Structure | Part::ContentDuplication => Counting::WhereItRaises,
            Part::HashtagConcentration if among_suspects => Counting::WhereItRaises,
            _ => Counting::Always,
        }
    }
}

/// A cluster's parts: each a value in [0, 1], or `None` where the cluster has too little
/// evidence for it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parts {
    values: [Option<f64>; 6],
    /// Measured in a takedown archive, where what the data gives as chance is the suspects'.
    among_suspects: bool,
}

impl Parts {
    /// The part's value, if the cluster had evidence enough for it.
    pub fn get(&self, part: Part) -> Option<f64> {
        self.values[part as usize]
    }

    /// Set the part's value (`None`: too little evidence).
    pub fn set(&mut self, part: Part, value: Option<f64>) {
        self.values[part as usize] = value;
    }

    /// These parts, measured among a takedown archive's suspects: see [`Part::counting`].
    pub fn among_suspects(mut self) -> Parts {
        self.among_suspects = true;
        self
    }

    /// These parts with `part` set to `value`.
    pub fn with(mut self, part: Part, value: f64) -> Parts {
        self.set(part, Some(value));
        self
    }

    /// Every part with its value, in [`Part::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Part, Option<f64>)> + '_ {
        Part::ALL.into_iter().map(|p| (p, self.get(p)))
    }

    /// The score: the weighted mean of the parts that count always, then of those that count
    /// where they raise it, best first, each added while it raises the mean. Co-action and
    /// synchrony, the evidence of acting together, always count: as 0 where none was found.
    /// Owned hashtags and accounts made together describe a community, ordinary ones too.
    pub fn score(&self) -> f64 {
        let (mut sum, mut weight) = (0.0, 0.0);
        let mut raising = Vec::new();
        let measured = self.iter().any(|(_, v)| v.is_some());
        for (p, v) in self.iter() {
            let v = match v {
                None if measured && p.acting_together() => 0.0,
                None => continue,
                Some(v) => v,
            };
            match p.counting(self.among_suspects) {
                Counting::Always => {
                    sum += v * p.weight();
                    weight += p.weight();
                }
                Counting::WhereItRaises => raising.push((v, p.weight())),
            }
        }
        let mean = |s: f64, w: f64| if w == 0.0 { 0.0 } else { s / w };
        raising.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (v, w) in raising {
            if v > mean(sum, weight) {
                sum += v * w;
                weight += w;
            }
        }
        mean(sum, weight)
    }
}

impl serde::Serialize for Parts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(Part::ALL.len()))?;
        for (p, v) in self.iter() {
            m.serialize_entry(p.name(), &v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_parts_count_only_where_they_raise_the_score() {
        let base = Parts::default()
            .with(Part::Coaction, 0.8)
            .with(Part::Synchrony, 0.6)
            .with(Part::CreationBurst, 0.4)
            .with(Part::HashtagConcentration, 0.2);
        let plain = base.score();
        // Weighted mean of the four general parts.
        let expected = (0.8 * 0.15 + 0.6 * 0.25 + 0.4 * 0.15 + 0.2 * 0.2) / 0.75;
        assert!((plain - expected).abs() < 1e-12);
        // No retweets among members (structure 0) is no evidence of innocence.
        let low = base
            .clone()
            .with(Part::Structure, 0.0)
            .with(Part::ContentDuplication, 0.0);
        assert_eq!(low.score(), plain);
        // A strong amplification structure raises it.
        let high = base.with(Part::Structure, 0.9);
        assert!(high.score() > plain);
        assert_eq!(Parts::default().score(), 0.0);
    }

    #[test]
    fn owned_hashtags_without_evidence_of_acting_together_do_not_make_a_high_score() {
        // A news desk's accounts: their own tags, no co-action, a rhythm like anyone's.
        let desk = Parts::default()
            .with(Part::HashtagConcentration, 0.95)
            .with(Part::Synchrony, 0.0)
            .with(Part::Structure, 0.0);
        let expected = 0.95 * 0.2 / (0.2 + 0.15 + 0.25);
        assert!((desk.score() - expected).abs() < 1e-12, "{}", desk.score());
        // Co-action and synchrony measured at 0 score as none found, and the other way.
        let measured = desk.clone().with(Part::Coaction, 0.0);
        assert!((measured.score() - desk.score()).abs() < 1e-12);
        let mut unmeasured = desk.clone();
        unmeasured.set(Part::Synchrony, None);
        assert!((unmeasured.score() - desk.score()).abs() < 1e-12);
        // Amplifying its own cores still raises it; timing counts as itself.
        assert!(desk.clone().with(Part::Structure, 0.9).score() > desk.score());
        let timed = desk.with(Part::Synchrony, 0.8);
        assert!((timed.score() - (0.95 * 0.2 + 0.8 * 0.25) / 0.6).abs() < 1e-12);
    }

    /// A news desk in a takedown archive: links of its own, retweeted by its amplifiers, and
    /// hashtags only from what it retweets of the world, which the other operations retweet
    /// too. Against a collection's ordinary accounts that is a community like any other; among
    /// suspects, it is no sign of innocence.
    #[test]
    fn hashtags_shared_with_other_operations_do_not_lower_an_archive_score() {
        let desk = Parts::default()
            .with(Part::Coaction, 0.55)
            .with(Part::Synchrony, 0.42)
            .with(Part::Structure, 0.88)
            .with(Part::CreationBurst, 0.13)
            .with(Part::HashtagConcentration, 0.0);
        let general = (0.55 * 0.15 + 0.42 * 0.25 + 0.13 * 0.15) / 0.55;
        let with_structure = (general * 0.55 + 0.88 * 0.15) / 0.7;
        let collection = (with_structure * 0.7) / 0.9;
        assert!(
            (desk.score() - collection).abs() < 1e-12,
            "{}",
            desk.score()
        );
        let archive = desk.clone().among_suspects();
        assert!((archive.score() - with_structure).abs() < 1e-12);
        assert!(desk.score() < 0.4 && archive.score() >= 0.4);
        // Tags of its own raise an archive's score as they raise a collection's.
        let owned = |p: Parts| p.with(Part::HashtagConcentration, 0.9).score();
        assert_eq!(owned(desk.clone()), owned(archive));
        assert!(owned(desk.clone()) > desk.score());
    }
}

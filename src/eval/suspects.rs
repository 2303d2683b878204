//! An analyst's list of suspected accounts (`coordnet score`): read, and placed in the data
//! as groups to score.

use super::*;

/// An analyst's list of suspected accounts: the `column` of each row, with its group from
/// `group_column` if given (one group otherwise, `suspects`). Returns (line, account, group)
/// in file order, each account once, groups without stray spaces; an account in two groups, or
/// a row without its group, is an error.
pub fn read_suspects(
    path: &Path,
    column: &str,
    group_column: Option<&str>,
) -> Result<Vec<(u64, String, String)>> {
    let mut wanted = vec![column];
    wanted.extend(group_column);
    let mut rows = Vec::new();
    for (line, mut v) in read_table(path, &wanted)? {
        let group = match group_column {
            None => "suspects".to_string(),
            Some(g) => {
                let group = v.pop().unwrap_or_default().trim().to_string();
                if group.is_empty() {
                    return Err(Error::bad_row(
                        Position::new(path, line).with_column(g),
                        "the group is empty",
                        "a group on every row",
                    ));
                }
                group
            }
        };
        rows.push((line, v.pop().unwrap_or_default(), group));
    }
    one_row_per_account(path, column, "group", rows)
}

/// An analyst's list of suspects ([`read_suspects`]) placed in the data: each group's
/// accounts that posted, as the clusters [`crate::assess`] scores, and what the list names
/// that cannot be scored. Accounts are found by id or screen name (`@name`, any case, stray
/// spaces), as `explain` finds them.
#[derive(Debug)]
pub struct SuspectGroups<'a> {
    /// Each account's group, an index into `names`; `NO_CLUSTER` for none.
    pub cluster_of: Vec<u32>,
    /// The groups with an account that posted, in the list's order.
    pub names: Vec<String>,
    /// Listed accounts not in the input, as the list writes them.
    pub missing: Vec<&'a str>,
    /// Listed accounts there only as others' retweets, replies or mentions: nothing of
    /// their own to measure.
    pub posted_nothing: Vec<&'a str>,
    /// Each group's listed accounts (each once however it is spelt), in the list's order.
    pub listed: Vec<(&'a str, usize)>,
    /// Each group's first member, which names its cluster once [`crate::assess`] renumbers.
    pub(super) first_member: Vec<u32>,
}

impl<'a> SuspectGroups<'a> {
    /// Place `suspects`, read from `path` (its accounts in `column`), in `data`. One account
    /// given two groups (by its id and its `@name`, say) is an error naming both lines.
    pub fn place(
        data: &Dataset,
        suspects: &'a [(u64, String, String)],
        path: &Path,
        column: &str,
    ) -> Result<SuspectGroups<'a>> {
        let mut posted = vec![false; data.accounts.len()];
        for &u in &data.account {
            posted[u as usize] = true;
        }
        let mut cluster_of = vec![NO_CLUSTER; data.accounts.len()];
        let (mut names, mut first_member): (Vec<String>, Vec<u32>) = (Vec::new(), Vec::new());
        let (mut missing, mut posted_nothing) = (Vec::new(), Vec::new());
        let mut finder = data.accounts.finder();
        // Two spellings of one account (its id and `@name`, or another case) on two lines.
        let mut listed_on: HashMap<u32, (u64, &str, &str)> = HashMap::new();
        let mut listed: Vec<(&str, usize)> = Vec::new();
        fn list<'a>(listed: &mut Vec<(&'a str, usize)>, group: &'a str) {
            match listed.iter_mut().find(|(g, _)| *g == group) {
                Some((_, n)) => *n += 1,
                None => listed.push((group, 1)),
            }
        }
        // One not in the input counts once by its spelling, as the finder reads it.
        let mut missing_seen: std::collections::HashSet<String> = Default::default();
        for (line, account, group) in suspects {
            let Some(u) = finder.find(account) else {
                let spelt = account.trim().trim_start_matches('@').to_lowercase();
                if missing_seen.insert(spelt) {
                    missing.push(account.as_str());
                    list(&mut listed, group);
                }
                continue;
            };
            match listed_on.get(&u) {
                Some(&(_, _, first)) if first == group => continue,
                Some(&(first_line, first, _)) => {
                    return Err(Error::bad_row(
                        Position::new(path, *line).with_column(column),
                        format!(
                            "'{account}' names the account line {first_line} gives as \
                             '{first}', there with another group"
                        ),
                        "each account with one group",
                    ));
                }
                None => {
                    list(&mut listed, group);
                    listed_on.insert(u, (*line, account, group))
                }
            };
            if !posted[u as usize] {
                posted_nothing.push(account.as_str());
                continue;
            }
            let g = match names.iter().position(|x| x == group) {
                Some(g) => g,
                None => {
                    names.push(group.clone());
                    first_member.push(u);
                    names.len() - 1
                }
            };
            cluster_of[u as usize] = g as u32;
        }
        Ok(SuspectGroups {
            cluster_of,
            names,
            missing,
            posted_nothing,
            listed,
            first_member,
        })
    }

    /// How many accounts the list gives `group`.
    pub fn listed_in(&self, group: &str) -> usize {
        (self.listed.iter())
            .find(|(g, _)| *g == group)
            .map_or(0, |x| x.1)
    }

    /// How many accounts the list names, each once.
    pub fn suspected(&self) -> usize {
        self.listed.iter().map(|x| x.1).sum()
    }

    /// The groups none of whose listed accounts posted in the input: left out.
    pub fn left_out(&self) -> Vec<&'a str> {
        (self.listed.iter())
            .filter(|(g, _)| !self.names.iter().any(|x| x == g))
            .map(|(g, _)| *g)
            .collect()
    }

    /// Each cluster's group name, in the cluster order of `d`, scored from these groups.
    pub fn names_of(&self, d: &Detection) -> Vec<&str> {
        (d.clusters.iter())
            .map(|c| {
                (self.first_member.iter())
                    .position(|&u| d.cluster_of[u as usize] == c.id)
                    .map_or("?", |g| self.names[g].as_str())
            })
            .collect()
    }
}

//! `accounts.csv` and `clusters.csv`: each column a name and how its cell is written, kept
//! together so a header and its rows cannot drift apart.

use super::*;

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), fmt)
}

/// Which accounts `accounts.csv` lists: every account that tweeted, every clustered one, and
/// every one the edge files name (`named`, rising: with `--all-edges`, retweeted accounts
/// that never posted), so that each edge's ends join to a row.
pub(crate) fn listed(data: &Dataset, d: &Detection, named: &[u32]) -> Vec<u32> {
    (0..data.accounts.len() as u32)
        .filter(|&u| {
            d.activity.tweets[u as usize] > 0
                || d.cluster_of[u as usize] != NO_CLUSTER
                || named.binary_search(&u).is_ok()
        })
        .collect()
}

/// Whether the clusters are named groups (`coordnet score --group-column`): then the tables
/// carry each one's name in a `group` column, after `cluster`.
fn named_groups(d: &Detection) -> bool {
    d.clusters.iter().any(|c| c.group.is_some())
}

/// Write `dir/accounts.csv`: every account that tweeted, every clustered one, and those the
/// edge files name (`named`).
pub fn write_accounts(dir: &Path, data: &Dataset, d: &Detection, named: &[u32]) -> Result<()> {
    let columns = account_columns(data, d);
    let header: Vec<&str> = columns.iter().map(|c| c.name).collect();
    let listed = listed(data, d, named);
    // Rows formatted in parallel straight into byte buffers: a cell a `String`, through the
    // CSV writer, was a third of the writing stage's CPU at 10^6 tweets.
    create(dir, "accounts.csv", |out| {
        write_header(out, &header)?;
        write_rows(out, listed.len(), |buf, i| {
            let u = listed[i] as usize;
            for (k, column) in columns.iter().enumerate() {
                if k > 0 {
                    buf.push(b',');
                }
                (column.cell)(buf, u);
            }
            buf.push(b'\n');
        })
    })
}

/// A column of `accounts.csv`: its name and how an account's cell is written (straight into
/// the row's bytes), kept together so a header and its rows cannot drift apart.
struct AccountColumn<'a> {
    pub(super) name: &'a str,
    pub(super) cell: Box<AccountCell<'a>>,
}

/// Writes account `u`'s cell (by its index in the dataset) onto a row.
type AccountCell<'a> = dyn Fn(&mut Vec<u8>, usize) + Sync + 'a;

fn account_column<'a>(
    name: &'a str,
    cell: impl Fn(&mut Vec<u8>, usize) + Sync + 'a,
) -> AccountColumn<'a> {
    AccountColumn {
        name,
        cell: Box::new(cell),
    }
}

/// The columns of `accounts.csv`, in order: who the account is, its cluster (with the group's
/// name after it when the clusters are named groups) and role, its features, what its profile
/// says, and why it was left out of a cluster. Cells of an account in no cluster are empty
/// where they describe the cluster (`flagged` is false).
fn account_columns<'a>(data: &'a Dataset, d: &'a Detection) -> Vec<AccountColumn<'a>> {
    let cluster = move |u: usize| {
        let c = d.cluster_of[u];
        (c != NO_CLUSTER).then(|| (c, &d.clusters[c as usize]))
    };
    let accounts = &data.accounts;
    let mut columns = vec![
        account_column("account_id", |buf, u| {
            push_field(buf, accounts.key(u as u32))
        }),
        account_column("screen_name", |buf, u| {
            push_field(buf, accounts.screen_name(u as u32).unwrap_or_default())
        }),
        account_column("cluster", move |buf, u| {
            if let Some((c, _)) = cluster(u) {
                buf.extend_from_slice(itoa::Buffer::new().format(c).as_bytes());
            }
        }),
    ];
    if named_groups(d) {
        columns.push(account_column("group", move |buf, u| {
            if let Some((_, cl)) = cluster(u) {
                push_field(buf, cl.group.as_deref().unwrap_or_default());
            }
        }));
    }
    columns.extend([
        account_column("role", move |buf, u| {
            if cluster(u).is_some() {
                buf.extend_from_slice(d.roles[u].0.name().as_bytes());
            }
        }),
        account_column("role_confidence", move |buf, u| {
            if cluster(u).is_some() {
                let _ = write!(buf, "{}", cut(d.roles[u].1, 3));
            }
        }),
        account_column("flagged", move |buf, u| {
            let flagged = cluster(u).is_some_and(|(_, cl)| cl.flagged);
            buf.extend_from_slice(if flagged { b"true" } else { b"false" });
        }),
        account_column("score", move |buf, u| {
            if let Some((_, cl)) = cluster(u) {
                let _ = write!(buf, "{}", cut(cl.score, 4));
            }
        }),
    ]);
    columns.extend((d.features.names.iter().enumerate()).map(|(k, name)| {
        account_column(name, move |buf, u| push_fmt(buf, d.features.values[[u, k]]))
    }));
    columns.push(account_column("created_at", |buf, u| {
        let created = accounts.created_ms[u];
        if created != i64::MIN {
            push_field(buf, &format_iso(created));
        }
    }));
    let count = |x: u32, buf: &mut Vec<u8>| {
        if x != u32::MAX {
            buf.extend_from_slice(itoa::Buffer::new().format(x).as_bytes());
        }
    };
    columns.extend([
        account_column("followers", move |buf, u| count(accounts.followers[u], buf)),
        account_column("following", move |buf, u| count(accounts.following[u], buf)),
        account_column("left_out", |buf, u| {
            push_field(
                buf,
                d.left_out.get(u).copied().flatten().unwrap_or_default(),
            )
        }),
    ]);
    columns
}

/// A column of `clusters.csv`: its name and how a cluster's value is written, kept together
/// so a header and its rows cannot drift apart.
type ClusterColumn = (&'static str, Box<dyn Fn(&Cluster) -> String + Sync>);

pub(super) fn column(
    name: &'static str,
    value: impl Fn(&Cluster) -> String + Sync + 'static,
) -> ClusterColumn {
    (name, Box::new(value))
}

/// The columns of `clusters.csv`, in order (with a `group` column if `grouped`).
pub fn cluster_columns(grouped: bool) -> Vec<ClusterColumn> {
    let ratio = |num: u64, den: u64| (den > 0).then(|| num as f64 / den as f64);
    let joined = |items: Vec<String>| items.join(" ");
    let mut columns = vec![column("cluster", |c| c.id.to_string())];
    if grouped {
        columns.push(column("group", |c| c.group.clone().unwrap_or_default()));
    }
    columns.extend([
        column("size", |c| c.size.to_string()),
        column("n_core", |c| c.n_core.to_string()),
        column("n_amplifier", |c| c.n_amplifier.to_string()),
        column("n_other", |c| c.n_other.to_string()),
        column("score", |c| cut(c.score, 4)),
        column("flagged", |c| c.flagged.to_string()),
    ]);
    columns.extend(Part::ALL.map(|p| column(p.name(), move |c: &Cluster| opt(c.parts.get(p)))));
    columns.extend([
        column("core_amplifier_ratio", |c| {
            if c.n_core > 0 {
                format!("1:{:.1}", c.n_amplifier as f64 / c.n_core as f64)
            } else {
                String::new()
            }
        }),
        column("inner_retweets", |c| c.evidence.inner_retweets.to_string()),
        column("inner_retweet_share", move |c| {
            opt(ratio(c.evidence.inner_retweets, c.evidence.retweets_known))
        }),
        column("median_retweet_delay_s", |c| {
            opt(c.evidence.inner_median_delay_ms.map(|d| d as f64 / 1e3))
        }),
        column("retweet_delay_q1_s", |c| {
            opt(c
                .evidence
                .inner_delay_quartiles_ms
                .map(|q| q.0 as f64 / 1e3))
        }),
        column("retweet_delay_q3_s", |c| {
            opt(c
                .evidence
                .inner_delay_quartiles_ms
                .map(|q| q.1 as f64 / 1e3))
        }),
        column("retweets_within_5min", move |c| {
            let e = &c.evidence;
            opt(ratio(e.inner_retweets_fast, e.inner_retweets_timed))
        }),
        column("retweets_within_5min_null", |c| opt(c.evidence.fast_null)),
        column("shared_burst_share", move |c| {
            let r = &c.evidence.rhythm;
            opt(ratio(r.shared_hours, r.active_hours))
        }),
        column("shared_burst_share_null", |c| {
            opt(c.evidence.rhythm.shared_null)
        }),
        column("hour_of_week_similarity", |c| {
            opt(c.evidence.rhythm.profile_similarity)
        }),
        column("hour_of_week_similarity_null", |c| {
            opt(c.evidence.rhythm.profile_null)
        }),
        column("tweets", |c| c.profile.tweets.to_string()),
        column("tweets_per_account", |c| fmt(c.profile.tweets_per_account)),
        column("languages", move |c| {
            joined(
                c.profile
                    .languages
                    .iter()
                    .map(|(l, s)| format!("{l}:{}", pct(*s)))
                    .collect(),
            )
        }),
        column("top_clients", move |c| {
            joined(
                c.profile
                    .clients
                    .iter()
                    .map(|(a, s)| format!("{a}:{}", pct(*s)))
                    .collect(),
            )
        }),
        column("top_hashtags", move |c| {
            joined(
                c.profile
                    .top_hashtags
                    .iter()
                    .map(|(t, n)| format!("#{t}:{n}"))
                    .collect(),
            )
        }),
        column("top_domains", move |c| {
            joined(
                c.profile
                    .top_domains
                    .iter()
                    .map(|(t, n)| format!("{t}:{n}"))
                    .collect(),
            )
        }),
        column("amplified_accounts", move |c| {
            joined(
                c.profile
                    .amplified_accounts
                    .iter()
                    // No '@': the name may be an id, and a cell that starts with '@' is
                    // guarded against spreadsheets with a quote.
                    .map(|(a, n)| format!("{a}:{n}"))
                    .collect(),
            )
        }),
        column("first_tweet", |c| {
            c.profile.first_tweet_ms.map(format_iso).unwrap_or_default()
        }),
        column("last_tweet", |c| {
            c.profile.last_tweet_ms.map(format_iso).unwrap_or_default()
        }),
        column("young_account_share", |c| opt(c.profile.young_share)),
        column("median_followers", |c| {
            c.profile
                .median_followers
                .map(|f| f.to_string())
                .unwrap_or_default()
        }),
        column("explanation", |c| c.explanation.clone()),
    ]);
    columns
}

/// Write `dir/clusters.csv`: one row per cluster, in [`cluster_columns`]' order.
pub fn write_clusters(dir: &Path, d: &Detection) -> Result<()> {
    let columns = cluster_columns(named_groups(d));
    let header: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let rows = d.clusters.iter().map(|c| {
        columns
            .iter()
            .map(|(_, value)| value(c))
            .collect::<Vec<_>>()
    });
    write_csv_rows(dir, "clusters.csv", &header, rows)
}

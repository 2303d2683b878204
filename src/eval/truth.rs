//! The tables `eval` reads: the truth, the traps and a detection's `accounts.csv`, each row
//! one account, with the lines of any account given twice named.

use super::*;

/// Rows of the `wanted` columns, by line.
pub(super) fn read_table(path: &Path, wanted: &[&str]) -> Result<Vec<(u64, Vec<String>)>> {
    read_table_with(path, wanted, &[], "")
}

/// Rows of the `wanted` columns and then the `optional` ones (empty where the file has no
/// such column), by line; `naming` says how to name other columns, where a header lacks one.
fn read_table_with(
    path: &Path,
    wanted: &[&str],
    optional: &[&str],
    naming: &str,
) -> Result<Vec<(u64, Vec<String>)>> {
    // Read as the inputs are: gzip or zstd by their bytes, a missing file said as such.
    let source = crate::ingest::source::Source {
        path: path.to_path_buf(),
        zip_entry: None,
        found: false,
    };
    crate::ingest::source::with_reader(&source, |file| {
        table_of(path, file, wanted, optional, naming)
    })
}

/// [`read_table_with`] from the decompressed `file`.
fn table_of(
    path: &Path,
    file: &mut dyn std::io::Read,
    wanted: &[&str],
    optional: &[&str],
    naming: &str,
) -> Result<Vec<(u64, Vec<String>)>> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(crate::ingest::source::CrlfAsLf::new(file));
    let headers = r
        .headers()
        .map_err(|e| Error::io(path, std::io::Error::other(e)))?
        .clone();
    if headers.is_empty() {
        return Err(Error::format(
            path,
            format!(
                "the file is empty (expected a header with {})",
                wanted.join(", ")
            ),
        ));
    }
    let mut cols: Vec<Option<usize>> = wanted
        .iter()
        .map(|w| {
            headers
                .iter()
                .position(|h| h == *w)
                .map(Some)
                .ok_or_else(|| {
                    // One cell holding the names apart by another mark: said, since the
                    // header then reads as one long name.
                    let other = (headers.len() == 1)
                        .then_some([('\t', "tabs"), (';', "semicolons"), ('|', "bars")])
                        .into_iter()
                        .flatten()
                        .find(|(c, _)| headers[0].contains(*c));
                    let hint = other.map_or(String::new(), |(_, by)| {
                        format!("; its names are apart by {by}: the table is read comma-separated")
                    });
                    Error::bad_row(
                        Position::new(path, 1).with_column(*w),
                        format!(
                            "no column '{w}' (the header has: {}){hint}",
                            crate::error::shown(&headers.iter().collect::<Vec<_>>().join(", "))
                        ),
                        format!("a header with {}{naming}", wanted.join(", ")),
                    )
                })
        })
        .collect::<Result<_>>()?;
    cols.extend(
        optional
            .iter()
            .map(|o| headers.iter().position(|h| h == *o)),
    );
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            // The position is said once, by the error's own: not again inside its reason.
            let (reason, expected) = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => (
                    format!("the row has {len} fields"),
                    format!("{expected_len}, as the header has"),
                ),
                csv::ErrorKind::Utf8 { .. } => (
                    "the row is not UTF-8 text".to_string(),
                    "a UTF-8 file".to_string(),
                ),
                _ => (e.to_string(), "a well-formed CSV row".to_string()),
            };
            Error::bad_row(Position::new(path, line), reason, expected)
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        out.push((
            line,
            cols.iter()
                .map(|&c| unguard(c.and_then(|c| rec.get(c)).unwrap_or_default()).to_string())
                .collect(),
        ));
    }
    Ok(out)
}

/// Rows `(line, account, what the row says of it)` with each account once, in file order, at
/// its first line. An
/// account on two rows that say different things (`what`: two groups, two networks) is an
/// error naming both lines: which one the file means cannot be told. The same row twice is
/// kept once.
pub(super) fn one_row_per_account<V: PartialEq>(
    path: &Path,
    column: &str,
    what: &str,
    rows: impl IntoIterator<Item = (u64, String, V)>,
) -> Result<Vec<(u64, String, V)>> {
    let mut out: Vec<(u64, String, V)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, account, v) in rows {
        if account.trim().is_empty() {
            return Err(Error::bad_row(
                Position::new(path, line).with_column(column),
                "the account is empty",
                "an account id on every row",
            ));
        }
        match seen.get(&account) {
            Some(&i) if out[i].2 == v => {}
            Some(&i) => {
                let first = out[i].0;
                return Err(Error::bad_row(
                    Position::new(path, line).with_column(column),
                    format!("account '{account}' is on line {first} too, with another {what}"),
                    format!("each account with one {what}"),
                ));
            }
            None => {
                seen.insert(account.clone(), out.len());
                out.push((line, account, v));
            }
        }
    }
    Ok(out)
}

/// The truth's column names: `account_id, network, role` as `synth` writes them, or a
/// researchers' labels file's own (IRA's `authors.csv`: `author_id`, `account_category`).
#[derive(Clone, Debug)]
pub struct TruthColumns {
    pub account: String,
    pub network: String,
    /// Optional in the file unless `role_named`: a truth without roles is scored on
    /// everything else.
    pub role: String,
    /// The user named the role column, so a file without it is a mistake (a misspelt name
    /// would otherwise turn role accuracy off without a word).
    pub role_named: bool,
}

impl Default for TruthColumns {
    fn default() -> Self {
        TruthColumns {
            account: "account_id".into(),
            network: "network".into(),
            role: "role".into(),
            role_named: false,
        }
    }
}

/// The truth, with `synth`'s column names.
pub fn read_truth(path: &Path) -> Result<HashMap<String, TruthRow>> {
    read_truth_with(path, &TruthColumns::default())
}

/// The truth, its columns named by `columns`.
pub fn read_truth_with(path: &Path, columns: &TruthColumns) -> Result<HashMap<String, TruthRow>> {
    let (wanted, optional): (&[&str], &[&str]) = match columns.role_named {
        true => (&[&columns.account, &columns.network, &columns.role], &[]),
        false => (&[&columns.account, &columns.network], &[&columns.role]),
    };
    let rows = read_table_with(
        path,
        wanted,
        optional,
        " (or name the file's own with --account-column, --network-column and --role-column)",
    )?;
    // Detect's roles, and synth's name for an ordinary account's.
    let roles = [
        Role::Core.name(),
        Role::Amplifier.name(),
        Role::Other.name(),
        "organic",
    ];
    let rows = rows
        .into_iter()
        .map(|(line, mut v)| {
            let role = v.pop().unwrap_or_default();
            // A role spelled otherwise (`Core`, `boss`) would only count as a wrong one.
            if !role.is_empty() && !roles.contains(&role.as_str()) {
                return Err(Error::bad_row(
                    Position::new(path, line).with_column(&columns.role),
                    format!("role is '{role}'"),
                    format!("{}, or empty where unknown", roles.join(", ")),
                ));
            }
            let network = v.pop().unwrap_or_default();
            // An unlabelled account would be a network of its own, named "".
            if network.trim().is_empty() {
                return Err(Error::bad_row(
                    Position::new(path, line).with_column(&columns.network),
                    "the network is empty",
                    "a network on every row (organic for an ordinary account)",
                ));
            }
            Ok((
                line,
                v.pop().unwrap_or_default(),
                TruthRow { network, role },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(
        one_row_per_account(path, &columns.account, "network or role", rows)?
            .into_iter()
            .map(|(_, account, row)| (account, row))
            .collect(),
    )
}

/// `accounts.csv` of a detection.
pub fn read_predicted(path: &Path) -> Result<HashMap<String, Predicted>> {
    let rows = read_table(path, &["account_id", "cluster", "role", "flagged"])?;
    rows.into_iter()
        .map(|(line, v)| {
            let flagged = match v[3].as_str() {
                "true" => true,
                "false" => false,
                other => {
                    return Err(Error::bad_row(
                        Position::new(path, line).with_column("flagged"),
                        format!("flagged is '{other}'"),
                        "true or false",
                    ))
                }
            };
            Ok((
                v[0].clone(),
                Predicted {
                    cluster: (!v[1].is_empty()).then(|| v[1].clone()),
                    role: v[2].clone(),
                    flagged,
                },
            ))
        })
        .collect()
}

/// The truth's accounts as `accounts` (an `accounts.csv`) names them: one not there by its id
/// is found by its id in another case, or by its screen name in any case (with or without
/// `@`), where one account answers, as `score --accounts` finds them. A labels file keyed by
/// screen names written otherwise (IRA handles, case-insensitive) would lose those accounts.
pub fn align_truth(
    truth: HashMap<String, TruthRow>,
    truth_path: &Path,
    accounts: &Path,
    predicted: &HashMap<String, Predicted>,
) -> Result<HashMap<String, TruthRow>> {
    if truth.keys().all(|id| predicted.contains_key(id)) {
        return Ok(truth);
    }
    let rows = read_table_with(accounts, &["account_id"], &["screen_name"], "")?;
    // Lowercased id or name -> the account, or "" where two accounts answer.
    let mut by: HashMap<String, String> = HashMap::new();
    let mut add = |key: String, id: &str| {
        let entry = by.entry(key).or_insert_with(|| id.to_string());
        if entry != id {
            entry.clear();
        }
    };
    for (_, v) in &rows {
        add(v[0].to_lowercase(), &v[0]);
        if !v[1].is_empty() {
            add(v[1].trim_start_matches('@').to_lowercase(), &v[0]);
        }
    }
    let mut out = HashMap::with_capacity(truth.len());
    let mut rest = Vec::new();
    for (id, t) in truth {
        match predicted.contains_key(&id) {
            true => drop(out.insert(id, t)),
            false => rest.push((id, t)),
        }
    }
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    // Where the account is named already, by its id or another spelling, the labels must
    // agree: one is not to be kept and the other counted as not in the data.
    let mut named_as: HashMap<String, String> = HashMap::new();
    for (id, t) in rest {
        let key = id.trim().trim_start_matches('@').to_lowercase();
        let Some(account) = by.get(&key).filter(|a| !a.is_empty()).cloned() else {
            out.insert(id, t);
            continue;
        };
        match out.get(&account) {
            None => {
                named_as.insert(account.clone(), id);
                out.insert(account, t);
            }
            Some(same) if *same == t => {}
            Some(other) => {
                let first = named_as.get(&account).unwrap_or(&account);
                return Err(Error::format(
                    truth_path,
                    format!(
                        "'{}' and '{}' name the same account of {} ('{}'), with different \
                         labels ({} and {}); give each account one network and role",
                        shown(first),
                        shown(&id),
                        accounts.display(),
                        shown(&account),
                        shown(&other.network),
                        shown(&t.network),
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// `traps.csv` as `synth` writes it: trap -> its accounts.
pub fn read_traps(path: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    let rows = read_table(path, &["trap", "account_id"])?;
    let mut traps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, v) in rows {
        traps.entry(v[0].clone()).or_default().push(v[1].clone());
    }
    Ok(traps)
}

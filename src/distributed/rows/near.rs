//! Co-similar's forms grouped across processes, in rounds ([`Near`]).

use super::*;

/// The rounds that group co-similar's forms across processes as one process groups them
/// ([`similarity`]): each form's buckets go to their owners ([`held::owner`]), which ask the
/// holder of each bucket's first form to send its signature to a holder of each other form;
/// that one compares them, and process 0 groups the pairs alike enough and tells every
/// process. Every process sends every other one message a round (most of the last two empty);
/// the buckets go [`BANDS_A_ROUND`] bands at a time, so that no process holds every band's.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) enum Near {
    /// `(bucket, form)`: the forms the sender holds, in the buckets the receiver owns, of
    /// the bands of a round (by number).
    Buckets(u16, Vec<(u64, u64)>),
    /// From a bucket's owner: the first forms whose signatures to send, and to which process;
    /// and the pairs `(first, form)` to compare.
    Asked(Vec<(u64, u32)>, Vec<(u64, u64)>),
    /// The signatures asked for, each once.
    Signatures(Vec<(u64, Vec<u32>)>),
    /// To process 0: the pairs that compare at the threshold or above.
    Joined(Vec<(u64, u64)>),
    /// From process 0: each grouped form with its group.
    Groups(Vec<(u64, u64)>),
}

/// Bands whose buckets go in one round: a quarter of the 24 at co-similar's default
/// threshold, so a process holds about 40 bytes a form of them at once, not 380.
const BANDS_A_ROUND: usize = 6;

impl Near {
    pub(super) fn step(&self) -> u32 {
        const LAST: u32 = u16::MAX as u32;
        match self {
            Near::Buckets(round, _) => *round as u32,
            Near::Asked(..) => LAST + 1,
            Near::Signatures(_) => LAST + 2,
            Near::Joined(_) => LAST + 3,
            Near::Groups(_) => LAST + 4,
        }
    }
}

/// One process's side of the [`Near`] rounds: what came early (another process may be a round
/// ahead), and the actions on items that a process which finished the rounds sent on.
pub(super) struct NearRounds<'a, P: Piece> {
    pub(super) link: &'a Mailbox<P>,
    pub(super) early: Vec<(usize, Near)>,
    pub(super) shares: Vec<(usize, Share)>,
}

impl<P: Piece> NearRounds<'_, P> {
    /// Send `out[q]` to every other process `q`; return what each sent this one for the
    /// round, by process (`out[me]` for its own).
    pub(super) fn round(&mut self, out: Vec<Near>) -> Result<Vec<Near>> {
        let me = self.link.cluster().process;
        let step = out[me].step();
        let mut got: Vec<Option<Near>> = (0..out.len()).map(|_| None).collect();
        for (q, r) in out.into_iter().enumerate() {
            match q == me {
                true => got[q] = Some(r),
                false => self.link.post(q, &Said::Near(r))?,
            }
        }
        for (q, r) in std::mem::take(&mut self.early) {
            match r.step() == step && got[q].is_none() {
                true => got[q] = Some(r),
                false => self.early.push((q, r)),
            }
        }
        let wrong = |q| unexpected_in(self.link, q, "a round of grouping near-duplicate texts");
        while got.iter().any(Option::is_none) {
            match self.link.mail::<Said>()? {
                (q, Said::Near(r)) if q < got.len() && r.step() == step && got[q].is_none() => {
                    got[q] = Some(r)
                }
                (q, Said::Near(r)) if q < got.len() && r.step() > step => self.early.push((q, r)),
                (q, Said::Share(s)) if !self.shares.iter().any(|e| e.0 == q) => {
                    self.shares.push((q, s))
                }
                (q, _) => return Err(wrong(q)),
            }
        }
        Ok(got.into_iter().flatten().collect())
    }

    /// This process's part in the rounds, with `forms`, those of the rows it holds: the
    /// groups of every process's forms.
    fn groups(&mut self, forms: &Forms, similarity: f64) -> Result<NearGroups> {
        let (me, n) = (self.link.cluster().process, self.link.cluster().processes());
        let wrong = |q| unexpected_in(self.link, q, "a round of grouping near-duplicate texts");
        let bands = similarity::bands_for(similarity).0;
        let (mut send, mut compare) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for (round, start) in (0..bands).step_by(BANDS_A_ROUND).enumerate() {
            let mut buckets = vec![Vec::new(); n];
            let these = start..(start + BANDS_A_ROUND).min(bands);
            for (bucket, form) in forms.buckets(similarity, these) {
                buckets[held::owner(bucket, n)].push((bucket, form));
            }
            let round = round as u16;
            let got = self.round(
                buckets
                    .into_iter()
                    .map(|b| Near::Buckets(round, b))
                    .collect(),
            )?;
            let mut entries = Vec::new();
            for (q, r) in got.into_iter().enumerate() {
                match r {
                    Near::Buckets(_, b) if b.iter().all(|e| held::owner(e.0, n) == me) => {
                        entries.extend(b.into_iter().map(|(bucket, form)| (bucket, form, q as u32)))
                    }
                    _ => return Err(wrong(q)),
                }
            }
            entries.par_sort_unstable_by_key(|e| (e.1, e.2));
            for c in similarity::candidates(&entries) {
                send[c.first_at as usize].push((c.first, c.at));
                compare[c.at as usize].push((c.first, c.form));
            }
        }
        // A pair found in several bands is asked for once.
        fn once<T: Ord>(mut v: Vec<T>) -> Vec<T> {
            v.sort_unstable();
            v.dedup();
            v
        }
        let asked = (send.into_iter().zip(compare)).map(|(s, c)| Near::Asked(once(s), once(c)));
        let got = self.round(asked.collect())?;
        let (mut signatures, mut compare) = (vec![Vec::new(); n], Vec::new());
        for (q, r) in got.into_iter().enumerate() {
            let Near::Asked(send, pairs) = r else {
                return Err(wrong(q));
            };
            for (first, to) in send {
                match (forms.find(first), (to as usize) < n) {
                    (Some(f), true) => signatures[to as usize].push(f),
                    _ => return Err(wrong(q)),
                }
            }
            compare.extend(pairs);
        }
        let signed = signatures.into_iter().map(|fs| {
            let fs = once(fs);
            let sig = |f: usize| (forms.hashes[f], forms.signature(f).to_vec());
            Near::Signatures(fs.into_iter().map(sig).collect())
        });
        let got = self.round(signed.collect())?;
        let mut theirs: HashMap<u64, Vec<u32>> = HashMap::new();
        for (q, r) in got.into_iter().enumerate() {
            let Near::Signatures(sigs) = r else {
                return Err(wrong(q));
            };
            theirs.extend(sigs);
        }
        let compare = once(compare);
        let mut joined = Vec::new();
        for (first, form) in compare {
            let (Some(a), Some(b)) = (theirs.get(&first), forms.find(form)) else {
                return Err(wrong(me));
            };
            if similarity::estimated_jaccard(a, forms.signature(b)) >= similarity {
                joined.push((first, form));
            }
        }
        drop(theirs);
        let mut out: Vec<Near> = (0..n).map(|_| Near::Joined(Vec::new())).collect();
        out[0] = Near::Joined(joined);
        let got = self.round(out)?;
        let mut groups = Vec::new();
        if me == 0 {
            let mut all = Vec::new();
            for (q, r) in got.into_iter().enumerate() {
                let Near::Joined(pairs) = r else {
                    return Err(wrong(q));
                };
                all.extend(pairs);
            }
            groups = similarity::near_groups(all).into_pairs();
        }
        let out = (0..n).map(|_| Near::Groups(groups.clone())).collect();
        match self.round(out)?.swap_remove(0) {
            Near::Groups(groups) => Ok(NearGroups::from_pairs(groups)),
            _ => Err(wrong(0)),
        }
    }
}

/// Co-similar's actions of `rows` of `data` (their dataset rows by `global`, `None`: they are
/// the dataset's) by their items' owners, their forms grouped with every process's first (as
/// [`RowsActions`]).
pub(super) fn near_items<P: Piece>(
    rounds: &mut NearRounds<P>,
    data: &Dataset,
    rows: &[Range<usize>],
    global: Option<&[u32]>,
    (min_chars, similarity): (usize, f64),
) -> Result<RowsActions> {
    let (mut keyed, forms) = similarity::forms_of_rows(data, min_chars, rows);
    let groups = rounds.groups(&forms, similarity)?;
    drop(forms);
    groups.name(&mut keyed);
    let taken = keyed.len();
    let (out, coarse) = items_by_owner(data, keyed, global, rounds.link.cluster().processes());
    Ok((out, coarse, (taken, 0)))
}

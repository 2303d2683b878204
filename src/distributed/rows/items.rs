//! Actions sent to their items' owners and paired there, and the rounds of the search for
//! the retweets' originals.

use super::*;

/// A process's rows' actions of a kind on the items another process owns.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct Share {
    pub(super) kind: CoactionKind,
    pub(super) actions: Vec<Travelling>,
}

/// A process's rows' actions on their way to their items' owners, by owner, and how coarse
/// their times are ([`actions::coarseness`]): `keyed`, the actions of `data`'s rows, whose
/// dataset rows `global` gives (`None`: they are the dataset's).
pub(super) fn items_by_owner(
    data: &Dataset,
    keyed: actions::Keyed,
    global: Option<&[u32]>,
    n: usize,
) -> (Vec<Vec<Travelling>>, (TimeResolution, usize)) {
    let coarse = actions::coarseness(data, &keyed);
    let mut out: Vec<Vec<Travelling>> = vec![Vec::new(); n];
    for (item, r) in keyed {
        let r = r as usize;
        let row = global.map_or(r as u32, |g| g[r]);
        out[held::owner(item, n)].push((item, row, data.account[r], data.time_ms[r]));
    }
    (out, coarse)
}

/// The part of a process other than 0 in pairing `kind`'s actions where their items are
/// owned: send each of `out`, the actions it took by owner, to its item's owner, and gather
/// those of the items this process owns from every process (`early`: what came before process
/// 0's word to take them). Returns them grouped.
pub(super) fn exchange_items<P: Piece>(
    link: &Mailbox<P>,
    kind: CoactionKind,
    out: Vec<Vec<Travelling>>,
    early: &mut Vec<(usize, Share)>,
) -> Result<Actions> {
    let (me, n) = (link.cluster().process, link.cluster().processes());
    let mut got: Vec<Option<Share>> = (0..n).map(|_| None).collect();
    for (q, actions) in out.into_iter().enumerate() {
        let share = Share { kind, actions };
        match q == me {
            true => got[q] = Some(share),
            false => link.post(q, &Said::Share(share))?,
        }
    }
    for (q, share) in std::mem::take(early) {
        got[q] = Some(share);
    }
    let wrong = |q| unexpected_in(link, q, "its actions on items this one owns");
    while got.iter().any(Option::is_none) {
        match link.mail::<Said>()? {
            (q, Said::Share(share)) if q < n && got[q].is_none() => got[q] = Some(share),
            (q, _) => return Err(wrong(q)),
        }
    }
    let mut all = Vec::new();
    for (q, share) in got.into_iter().enumerate() {
        let Some(share) = share else { continue };
        let mine = |&(item, ..): &Travelling| held::owner(item, n) == me;
        if share.kind != kind || !share.actions.iter().all(mine) {
            return Err(wrong(q));
        }
        all.extend(share.actions);
    }
    Ok(actions::from_travelled(kind, all))
}

/// The rest of a process other than 0's part, once it has `owned`, the actions on the items
/// it owns: tell process 0 what they add up to (`part`), keep those of the accounts that take
/// part as process 0 says, tell it what they add to the null, and pair them. Returns those
/// kept.
pub(super) fn pair_owned<P: Piece>(
    link: &Link<P>,
    mut owned: Actions,
    part: ItemsSummary,
) -> Result<Actions> {
    let mailbox = link.mailbox();
    mailbox.post(0, &Said::Summary(Box::new(part)))?;
    let ask = match mailbox.mail::<Said>()? {
        (0, Said::Pair(ask)) if Some(ask.kind) == owned.kind => ask,
        (q, _) => return Err(unexpected_in(&mailbox, q, "how to pair its items' actions")),
    };
    owned.retain_accounts(|a| ask.keeps(a));
    if ask.edges {
        let parts = coaction::edge_parts(&owned, &ask);
        mailbox.post(0, &Said::Edges(Box::new(parts)))?;
        return Ok(owned);
    }
    mailbox.post(
        0,
        &Said::Slots(ItemsSlots::of(&owned, ask.window_ms, ask.cap)),
    )?;
    let units = coaction::units(&owned, ask.window_ms, ask.cap);
    link.count_held(units.map(Unit::Actions))?;
    // What scoring reads, as process 0 keeps its own items' (see `fusion::fuse`).
    owned.keep_shared(true);
    Ok(owned)
}

/// One process's side of the rounds: what came early (another process may be a round
/// ahead), and whether process 0's word to begin is still to come (a process may begin on
/// another's first offer).
pub(super) struct Rounds<'a, P: Piece> {
    pub(super) link: &'a Mailbox<P>,
    pub(super) early: Vec<(usize, Round)>,
    pub(super) begin_due: bool,
}

impl<P: Piece> Rounds<'_, P> {
    /// Send `out[q]` (as `wrap` makes it a round's message) to every other process `q` and
    /// return, by process, what each sent this one for the round (`out[me]` for its own).
    pub(super) fn round<T>(
        &mut self,
        out: Vec<T>,
        wrap: fn(T) -> Round,
        unwrap: fn(Round) -> Option<T>,
    ) -> Result<Vec<T>> {
        let me = self.link.cluster().process;
        let mut got: Vec<Option<Round>> = (0..out.len()).map(|_| None).collect();
        let mut step = 0;
        for (q, r) in out.into_iter().map(wrap).enumerate() {
            step = r.step();
            match q == me {
                true => got[q] = Some(r),
                false => self.link.post(q, &Said::Find(r))?,
            }
        }
        self.gather(&mut got, step)?;
        Ok(got.into_iter().flatten().filter_map(unwrap).collect())
    }

    /// Fill `got` with what each process sent for `step`, keeping what belongs to later.
    pub(super) fn gather(&mut self, got: &mut [Option<Round>], step: u8) -> Result<()> {
        for (q, r) in std::mem::take(&mut self.early) {
            match r.step() == step && got[q].is_none() {
                true => got[q] = Some(r),
                false => self.early.push((q, r)),
            }
        }
        while got.iter().any(Option::is_none) {
            match self.link.mail::<Said>()? {
                (q, Said::Find(r)) if q < got.len() && r.step() == step && got[q].is_none() => {
                    got[q] = Some(r)
                }
                (q, Said::Find(r)) if q < got.len() && r.step() > step => self.early.push((q, r)),
                (0, Said::Find(Round::Begin)) if self.begin_due => self.begin_due = false,
                (q, _) => {
                    return Err(unexpected_in(
                        self.link,
                        q,
                        "a round of the sources' search",
                    ))
                }
            }
        }
        Ok(())
    }
}

/// This process's part of the search for its rows' originals (`names`: the dataset whose
/// accounts' names process 0 resolves `RT @name:` prefixes by).
pub(super) fn find_sources<P: Piece>(
    held: Held,
    names: Option<&Dataset>,
    rounds: &mut Rounds<P>,
) -> Result<Vec<(u32, Source, Option<i64>)>> {
    let n = rounds.link.cluster().processes();
    let (mut finder, offers) = Finder::new(held, n);
    let offers = rounds.round(offers, Round::Offer, |r| match r {
        Round::Offer(o) => Some(o),
        _ => None,
    })?;
    let unnamed = offers.iter().any(Offer::unnamed);
    let answers = Finder::answer(offers, names);
    let answers = rounds.round(answers, Round::Answer, |r| match r {
        Round::Answer(a) => Some(a),
        _ => None,
    })?;
    if let Some(texts) = finder.take(answers, unnamed) {
        let texts = rounds.round(texts, Round::Texts, |r| match r {
            Round::Texts(t) => Some(t),
            _ => None,
        })?;
        let answers = Finder::answer_texts(texts);
        let answers = rounds.round(answers, Round::TextAnswers, |r| match r {
            Round::TextAnswers(a) => Some(a),
            _ => None,
        })?;
        finder.take_texts(answers);
    }
    Ok(finder.found())
}

/// An [`Ask`] that travels.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct OwnedAsk {
    pub(super) cluster_of: Vec<u32>,
    pub(super) clusters: usize,
    pub(super) plan: Plan,
    pub(super) seed: u64,
    pub(super) hashtags: usize,
    pub(super) ties_of: Vec<bool>,
    pub(super) windows: Vec<(CoactionKind, i64)>,
}

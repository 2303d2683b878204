//! A process's link to the others: the timely dataflow that carries pieces between them
//! ([`Link`]), and the mailbox each process reads them from ([`Mailbox`]).

use super::*;

/// What a process hands its worker.
pub(super) enum Outgoing<P> {
    /// For process 0.
    Piece(P),
    /// From process 0: everything arrived; tell the others.
    Gathered,
    /// Pairs to count across the processes: process 0's graphs and units, another's held
    /// units.
    Work(pairs::Work),
    /// A piece of a message to another process.
    Parcel(mail::Parcel),
    /// From process 0: every graph is counted.
    PairingDone,
    /// From process 0: the run needs the others no more.
    Close,
}

/// Pieces sent ahead of those waiting in the outbox, credit or not: a process's failure,
/// which process 0 should hear of before it merges what the process parsed ahead.
pub(super) type Urgent<P> = Arc<Mutex<Vec<P>>>;

/// The worker's ends of what the process's threads hand it and take from it.
pub(super) struct Ends<P> {
    pub(super) outbox: Receiver<Outgoing<P>>,
    pub(super) inbox: SyncSender<(u32, P)>,
    pub(super) answers: std::sync::mpsc::Sender<crate::graphs::PairCount>,
    pub(super) mail: std::sync::mpsc::Sender<(usize, mail::Letter)>,
    pub(super) cuts: std::sync::mpsc::Sender<Cut>,
    pub(super) cut_out: Receiver<(u32, Cut)>,
    pub(super) taken: Arc<Vec<AtomicU64>>,
    pub(super) urgent: Urgent<P>,
}

type PieceInput<P> = InputHandle<u64, CapacityContainerBuilder<Vec<(u32, P)>>>;

/// Send the urgent pieces at once.
pub(super) fn send_urgent<P: Piece>(
    urgent: &Urgent<P>,
    input: &mut PieceInput<P>,
    me: u32,
    sent: &mut u64,
) {
    let pieces = std::mem::take(&mut *urgent.lock().unwrap_or_else(|e| e.into_inner()));
    for piece in pieces {
        input.send((me, piece));
        *sent += 1;
        input.advance_to(*sent);
    }
}

/// The worker of one process. It sends what the process puts in `outbox` to process 0,
/// where they come out of `inbox` with the number of the process that sent them; sending
/// waits while the process is more than [`READ_AHEAD`] pieces ahead of process 0's merging.
/// Then it counts
/// pairs for process 0 (see [`pairs`]), whose answers come out of `answers`, until process 0
/// closes the link. Returns whether process 0 said it gathered everything (on process 0:
/// whether it did).
pub(super) fn work<P: Piece>(worker: &mut timely::worker::Worker, ends: Ends<P>) -> bool {
    let Ends {
        outbox,
        inbox,
        answers,
        mail,
        cuts,
        cut_out,
        taken,
        urgent,
    } = ends;
    let me = worker.index() as u32;
    let peers = worker.peers();
    let mut input: PieceInput<P> = InputHandle::new();
    let mut acks: InputHandle<u64, CapacityContainerBuilder<Vec<u32>>> = InputHandle::new();
    // From process 0 to each of the others: a credit (`None`), or a chunk to parse.
    type Grant = (u32, Option<Cut>);
    let mut grants: InputHandle<u64, CapacityContainerBuilder<Vec<Grant>>> = InputHandle::new();
    let gathered = std::rc::Rc::new(std::cell::Cell::new(false));
    let credit = std::rc::Rc::new(std::cell::Cell::new(READ_AHEAD as u64));
    // How far a process runs ahead is counted in pieces process 0 has merged (credits it
    // grants back), per process: a window on timely's frontier, which every process's input
    // holds, let a process waiting on one held back another that process 0 was waiting on.
    worker.dataflow::<u64, _, _>(|scope| {
        scope
            .input_from(&mut input)
            .exchange(|_| 0)
            .unary::<CapacityContainerBuilder<Vec<()>>, _, _, _>(
                timely::dataflow::channels::pact::Pipeline,
                "Gathered",
                move |_, _| {
                    move |input, _| {
                        input.for_each(|_, data| {
                            for piece in data.drain(..) {
                                // Process 0 gone (it failed and stopped reading): nothing to do.
                                let _ = inbox.send(piece);
                            }
                        });
                    }
                },
            );
        let gathered = gathered.clone();
        scope.input_from(&mut acks).exchange(|p| *p as u64).sink(
            timely::dataflow::channels::pact::Pipeline,
            "Acknowledged",
            move |(input, _)| {
                input.for_each(|_, data| {
                    if !data.is_empty() {
                        gathered.set(true);
                    }
                    data.clear();
                })
            },
        );
        let credit = credit.clone();
        scope.input_from(&mut grants).exchange(|g| g.0 as u64).sink(
            timely::dataflow::channels::pact::Pipeline,
            "Granted",
            move |(input, _)| {
                input.for_each(|_, data| {
                    for (_, cut) in data.drain(..) {
                        match cut {
                            None => credit.set(credit.get() + 1),
                            // The reader gone (it failed): nothing to do.
                            Some(cut) => drop(cuts.send(cut)),
                        }
                    }
                })
            },
        );
    });
    let pairing = pairs::dataflow(worker, answers);
    let mut parcels = Some(mail::dataflow(worker, mail));
    let mut parcel_round = 0u64;
    // Process 0 sends no pieces, and only process 0 sends acknowledgements: other inputs
    // close at once, or the frontiers would wait on them. Every process feeds pairing until
    // process 0 says the graphs are done.
    let mut input = (me != 0).then_some(input);
    let mut acks = (me == 0).then_some(acks);
    let mut grants = (me == 0).then_some(grants);
    let mut granted = vec![0u64; peers];
    let mut grant_round = 0u64;
    let mut pairing = Some(pairing);
    let mut sent = 0u64;
    loop {
        if let Some(input) = input.as_mut() {
            send_urgent(&urgent, input, me, &mut sent);
        }
        match outbox.recv_timeout(Duration::from_millis(2)) {
            Ok(Outgoing::Gathered) => {
                gathered.set(true);
                grants = None;
                if let Some(mut acks) = acks.take() {
                    for p in 1..peers as u32 {
                        acks.send(p);
                    }
                }
            }

            Ok(Outgoing::Work(w)) => {
                if let Some(pairing) = pairing.as_mut() {
                    pairing.send(worker, w);
                }
            }
            // Closing the inputs ends the dataflow on every process, and frees what it held.
            Ok(Outgoing::PairingDone) => {
                if let Some(mut pairing) = pairing.take() {
                    pairing.send(worker, pairs::Work::Control(pairs::Control::Done));
                }
            }
            Ok(Outgoing::Parcel(p)) => {
                if let Some(parcels) = parcels.as_mut() {
                    parcels.send(p);
                    parcel_round += 1;
                    parcels.advance_to(parcel_round);
                }
            }
            Ok(Outgoing::Piece(piece)) => {
                let Some(input) = input.as_mut() else {
                    continue; // process 0 sends nothing to itself
                };
                // Process 0 grants a piece back each time it merges one of this process's:
                // more than READ_AHEAD ahead of its merging, this process waits.
                while credit.get() == 0 {
                    send_urgent(&urgent, input, me, &mut sent);
                    worker.step_or_park(Some(Duration::from_millis(1)));
                }
                credit.set(credit.get() - 1);
                input.send((me, piece));
                sent += 1;
                input.advance_to(sent);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Ok(Outgoing::Close) | Err(RecvTimeoutError::Disconnected) => break,
        }
        if me != 0 && pairing.as_mut().is_some_and(|p| !p.heard()) {
            pairing = None;
        }
        if let Some(grants) = grants.as_mut() {
            let mut any = false;
            while let Ok((p, cut)) = cut_out.try_recv() {
                grants.send((p, Some(cut)));
                any = true;
            }
            for (p, granted) in granted.iter_mut().enumerate().skip(1) {
                let merged = taken[p].load(Ordering::Relaxed);
                while *granted < merged {
                    grants.send((p as u32, None));
                    *granted += 1;
                    any = true;
                }
            }
            if any {
                // A new time, not a flush: only that has timely move the grants on at once.
                grant_round += 1;
                grants.advance_to(grant_round);
            }
        }
        worker.step();
    }
    // A failure handed over as the process let go of its link still goes.
    if let Some(input) = input.as_mut() {
        send_urgent(&urgent, input, me, &mut sent);
    }
    drop((input, acks, grants, pairing, parcels));
    // Process 0 closes its inputs only once it has everything (or it fails and its
    // connections close), so the dataflow ends after its word has arrived.
    while worker.step_or_park(Some(Duration::from_millis(10))) {}
    gathered.get()
}

/// A running cluster: this process's way to send pieces to process 0, and on process 0 the
/// pieces every process sent.
pub struct Link<P: Piece> {
    pub(super) cluster: Cluster,
    pub(super) outbox: Option<SyncSender<Outgoing<P>>>,
    /// In mutexes only to share the link between the threads of ingest.
    pub(super) inbox: Option<Mutex<Receiver<(u32, P)>>>,
    /// On process 0: how many pieces of each process it has merged.
    pub(super) taken: Arc<Vec<AtomicU64>>,
    /// On process 0: the answers to pairing work, a graph at a time.
    pub(super) answers: Option<Arc<Mutex<Receiver<crate::graphs::PairCount>>>>,
    /// Whole messages from other processes, with who sent them (see [`mail`]).
    pub(super) mail: Letters,
    /// Pieces of messages this process has sent, by the process they went to.
    pub(super) posted: Arc<Vec<AtomicU64>>,
    /// On the others: the chunks of split files process 0 cut for this process.
    pub(super) cuts: Option<Mutex<Receiver<Cut>>>,
    /// On process 0: where it sends them.
    pub(super) cut_out: Option<std::sync::mpsc::Sender<(u32, Cut)>>,
    /// Pieces for process 0 ahead of the outbox (see [`Urgent`]).
    pub(super) urgent: Urgent<P>,
    pub(super) guards: Mutex<Option<timely::communication::WorkerGuards<bool>>>,
    /// Set once the link is done with: a process silent after that is no failure of the run.
    pub(super) beats_done: Arc<AtomicBool>,
}

impl<P: Piece> Link<P> {
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Send `piece` to process 0.
    pub fn send(&self, piece: P) -> Result<()> {
        let outbox = self.outbox.as_ref().expect("a closed link sends nothing");
        outbox
            .send(Outgoing::Piece(piece))
            .map_err(|_| self.failure())
    }

    /// Send `piece` to process 0 ahead of every piece waiting to go, however far ahead of
    /// process 0 this process parsed: for a failure, which stops the run.
    pub fn send_urgent(&self, piece: P) {
        (self.urgent.lock().unwrap_or_else(|e| e.into_inner())).push(piece);
    }

    /// On process 0, once it has merged a piece `process` sent: that process may send
    /// another (see `READ_AHEAD`). A counter the worker reads, not a message: the worker
    /// may be waiting for this thread to take a piece, and this thread must never wait on it.
    pub fn taken(&self, process: usize) {
        self.taken[process].fetch_add(1, Ordering::Relaxed);
    }

    /// On process 0: tell `process` where a chunk it is to parse lies.
    pub fn cut(&self, process: usize, cut: Cut) -> Result<()> {
        let out = self.cut_out.as_ref().expect("only process 0 cuts");
        (out.send((process as u32, cut))).map_err(|_| self.failure())
    }

    /// On the others: the next chunk process 0 cut for this process, waiting for it if `wait`
    /// (else `None` when none has come).
    pub fn next_cut(&self, wait: bool) -> Result<Option<Cut>> {
        let cuts = self.cuts.as_ref().expect("only the others are sent cuts");
        let cuts = cuts.lock().unwrap_or_else(|e| e.into_inner());
        match wait {
            true => cuts.recv().map(Some).map_err(|_| self.failure()),
            false => match cuts.try_recv() {
                Ok(cut) => Ok(Some(cut)),
                Err(std::sync::mpsc::TryRecvError::Empty) => Ok(None),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => Err(self.failure()),
            },
        }
    }

    /// This process's way to send messages of any size to another and take theirs.
    pub fn mailbox(&self) -> Mailbox<P> {
        Mailbox {
            cluster: self.cluster.clone(),
            outbox: self.outbox.clone(),
            posted: self.posted.clone(),
            mail: self.mail.clone(),
        }
    }

    /// Send `message` to process `to` (see [`Mailbox::post`]).
    pub fn post<T: serde::Serialize>(&self, to: usize, message: &T) -> Result<()> {
        self.mailbox().post(to, message)
    }

    /// The next message another process sent this one (see [`Mailbox::mail`]).
    pub fn mail<T: serde::de::DeserializeOwned>(&self) -> Result<(usize, T)> {
        self.mailbox().mail()
    }

    /// The next message process `from` sent this one (see [`Mailbox::mail_from`]).
    pub fn mail_from<T: serde::de::DeserializeOwned>(&self, from: usize) -> Result<T> {
        self.mailbox().mail_from(from)
    }

    /// On process 0, once it has every process's share: tell the others.
    pub fn gathered(&self) -> Result<()> {
        let outbox = self.outbox.as_ref().expect("a closed link sends nothing");
        outbox.send(Outgoing::Gathered).map_err(|_| self.failure())
    }

    /// On process 0: the next piece and the process that sent it; an error naming the process
    /// that failed if the others stopped before sending everything.
    pub fn recv(&self) -> Result<(usize, P)> {
        let inbox = self.inbox.as_ref().expect("only process 0 receives");
        let inbox = inbox.lock().unwrap_or_else(|e| e.into_inner());
        inbox
            .recv()
            .map(|(from, p)| (from as usize, p))
            .map_err(|_| self.failure())
    }

    /// Wait until everything sent has arrived and the processes have parted; an error naming
    /// the process that failed if one did.
    pub fn finish(mut self) -> Result<()> {
        if let (true, Some(outbox)) = (self.cluster.is_first(), &self.outbox) {
            // Everything arrived (if not said already), and nothing more is asked: the others
            // may stop.
            let _ = outbox.send(Outgoing::Gathered);
            let _ = outbox.send(Outgoing::Close);
        }
        self.outbox = None;
        self.inbox = None; // a worker handing over pieces nobody takes stops waiting
        self.answers = None;
        *self.mail.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.cuts = None;
        self.cut_out = None;
        let guards = self
            .guards
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        // Joining drops timely's network guard, which panics if a network thread did.
        let gathered = guards.is_some_and(|g| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.join()))
                .is_ok_and(|r| r.into_iter().all(|r| r.is_ok_and(|g| g)))
        });
        self.beats_done.store(true, Ordering::Relaxed);
        match gathered && network_failure().is_none() {
            true => Ok(()),
            false => Err(self.failure()),
        }
    }

    pub(super) fn failure(&self) -> Error {
        failure(&self.cluster)
    }
}

/// Whole messages from other processes, with who sent them; `None` once the link is closed.
type Letters = Arc<Mutex<Option<Inbox>>>;

/// The messages that arrived, and those taken out of their turn to reach one sender's
/// ([`Mailbox::mail_from`]), which come first.
pub(super) struct Inbox {
    pub(super) arrived: Receiver<(usize, mail::Letter)>,
    pub(super) held: std::collections::VecDeque<(usize, mail::Letter)>,
}

/// Messages of any size between this process and the others (see `mail`).
pub struct Mailbox<P: Piece> {
    pub(super) cluster: Cluster,
    pub(super) outbox: Option<SyncSender<Outgoing<P>>>,
    pub(super) posted: Arc<Vec<AtomicU64>>,
    pub(super) mail: Letters,
}

impl<P: Piece> Mailbox<P> {
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Send `message` to process `to`, in pieces.
    pub fn post<T: serde::Serialize>(&self, to: usize, message: &T) -> Result<()> {
        let outbox = self.outbox.as_ref().expect("a closed link sends nothing");
        let me = self.cluster.process as u32;
        let mut pieces = mail::Pieces::new(|bytes, last| {
            let parcel = mail::Parcel {
                from: me,
                to: to as u32,
                seq: self.posted[to].fetch_add(1, Ordering::Relaxed),
                last,
                bytes,
            };
            (outbox.send(Outgoing::Parcel(parcel)))
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
        });
        bincode::serialize_into(&mut pieces, message).map_err(|e| match *e {
            bincode::ErrorKind::Io(_) => failure(&self.cluster),
            e => Error::cluster(format!("a message for process {to}: {e}")),
        })?;
        pieces.finish().map_err(|_| failure(&self.cluster))
    }

    /// The next message another process sent this one, and who sent it; an error naming the
    /// process that failed if the others stopped first, or if the message is not a `T`.
    pub fn mail<T: serde::de::DeserializeOwned>(&self) -> Result<(usize, T)> {
        self.read(self.letter(None)?)
    }

    /// The next message process `from` sent this one ([`Mailbox::mail`]); those of others
    /// that come first wait for the next calls. Messages from one process arrive in the order
    /// it sent them, but not in order with another's: a process that another's message set
    /// going may write to this one before a message sent earlier arrives.
    pub fn mail_from<T: serde::de::DeserializeOwned>(&self, from: usize) -> Result<T> {
        Ok(self.read(self.letter(Some(from))?)?.1)
    }

    /// The next letter from `from`, or from any process, held ones first; the others'
    /// letters that arrive before it are held.
    pub(super) fn letter(&self, from: Option<usize>) -> Result<(usize, mail::Letter)> {
        let mut inbox = self.mail.lock().unwrap_or_else(|e| e.into_inner());
        let Some(inbox) = inbox.as_mut() else {
            return Err(failure(&self.cluster));
        };
        let wanted = |l: &(usize, mail::Letter)| from.is_none_or(|f| l.0 == f);
        if let Some(at) = inbox.held.iter().position(wanted) {
            return Ok(inbox.held.remove(at).expect("a held letter"));
        }
        loop {
            let letter = (inbox.arrived.recv()).map_err(|_| failure(&self.cluster))?;
            match wanted(&letter) {
                true => return Ok(letter),
                false => inbox.held.push_back(letter),
            }
        }
    }

    pub(super) fn read<T: serde::de::DeserializeOwned>(
        &self,
        (from, letter): (usize, mail::Letter),
    ) -> Result<(usize, T)> {
        // Buffered: the decoder reads a few bytes at a time.
        let letter = std::io::BufReader::with_capacity(1 << 16, letter);
        let message = bincode::deserialize_from(letter).map_err(|e| {
            Error::cluster(format!(
                "{} sent a message that does not hold together ({e}): every process must run \
                 the same build",
                self.cluster.name(from)
            ))
        })?;
        Ok((from, message))
    }
}

impl<P: Piece> Drop for Link<P> {
    fn drop(&mut self) {
        // Dropped without finishing: this process failed and is about to exit. Joining would
        // wait for the others to send everything; leaving the threads to end with the process
        // closes the connections, which tells the others at once.
        self.beats_done.store(true, Ordering::Relaxed);
        self.outbox = None;
        self.inbox = None;
        self.answers = None;
        *self.mail.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.cuts = None;
        self.cut_out = None;
        if let Some(guards) = self
            .guards
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            std::mem::forget(guards);
        }
    }
}

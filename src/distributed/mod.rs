//! One run across processes and hosts, on timely dataflow: a cluster is N copies of the
//! binary and a host file, with no service to start.
//!
//! The processes connect to each other first (`connect`: a deadline, a handshake that
//! refuses a process started with other arguments), then hand their sockets to timely, whose
//! exchange carries what each process computed to where it is needed. Each process reads its
//! share of the inputs ([`shares`]); process 0 gathers what the others parsed, in input
//! order, so its dataset (and every output after it) is the one a single process builds.
//!
//! When a process dies or its host goes away, timely's network threads panic; here that panic
//! becomes an [`Error`] naming the process and its host, on every process that notices, and
//! nothing is written.

mod beat;
mod connect;
mod hosts;
mod mail;
mod pairs;
mod rows;

pub use hosts::{parse_hosts, read_hostfile, Host};
pub use pairs::Pairing;
pub use rows::{place_outlined, place_rows, serve_rows, RowsAcross};

use crate::error::{Error, Result};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
use timely::communication::allocator::{AllocatorBuilder, ProcessBuilder};
use timely::communication::Hooks;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::{Exchange, Input};
use timely::dataflow::InputHandle;

/// Who this process is among how many, and where each one listens.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub hosts: Vec<Host>,
    pub process: usize,
    /// How long to wait for the other processes to start, and for a heartbeat from one once
    /// started (see `beat`).
    pub connect_timeout: Duration,
    /// Pieces a process other than 0 may have parsed and not yet sent (see
    /// [`Cluster::PARSE_AHEAD`]).
    pub parse_ahead: usize,
}

impl Cluster {
    /// The default of `connect_timeout`: long enough to start N processes by hand or by ssh.
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

    /// The default of `parse_ahead`. A process other than 0 holds what it parsed until
    /// process 0 takes it, and may send only `READ_AHEAD` pieces ahead of process 0's
    /// merging; parsing further ahead, into its own memory, is what keeps it busy while
    /// process 0 works through a file of its own or of another process (process 0 merges in
    /// input order). `ingest::parse_ahead` sizes it from the memory limit.
    pub const PARSE_AHEAD: usize = 4 * READ_AHEAD;

    /// The cluster the host file at `hostfile` describes, as process `process` of
    /// `processes`.
    pub fn new(hostfile: &Path, processes: usize, process: usize) -> Result<Cluster> {
        if processes < 2 {
            return Err(Error::config(
                "--processes must be 2 or more for a run across processes (leave it out for one)",
            ));
        }
        if process >= processes {
            return Err(Error::config(format!(
                "--process {process} is not below --processes {processes}: processes are \
                 numbered from 0"
            )));
        }
        Ok(Cluster {
            hosts: read_hostfile(hostfile, processes)?,
            process,
            connect_timeout: Cluster::CONNECT_TIMEOUT,
            parse_ahead: Cluster::PARSE_AHEAD,
        })
    }

    pub fn processes(&self) -> usize {
        self.hosts.len()
    }

    /// Process 0, which gathers, runs what runs on one machine and writes the outputs.
    pub fn is_first(&self) -> bool {
        self.process == 0
    }

    /// `process` and its address, for messages.
    pub fn name(&self, process: usize) -> String {
        format!("process {process} ({})", self.hosts[process])
    }

    /// Connect to the other processes and start timely over the connections. `fingerprint`
    /// stands for the arguments and inputs, which must be the same on every process.
    pub fn start<P: Piece>(&self, fingerprint: Fingerprint) -> Result<Link<P>> {
        let connect::Connected {
            streams: sockets,
            beats,
        } = connect::connect(&self.hosts, self.process, fingerprint, self.connect_timeout)?;
        let _ = RUNNING.set(self.clone());
        watch_network_panics();
        let beats_done = Arc::new(AtomicBool::new(false));
        for (peer, beat) in beats {
            let data = sockets[peer].as_ref().and_then(|s| s.try_clone().ok());
            let silence = self.connect_timeout;
            let silent = move || {
                fail(
                    peer,
                    format!(
                        "not a word from it for {} s: paused (Ctrl-Z) or its host frozen",
                        silence.as_secs()
                    ),
                )
            };
            beat::watch(peer, beat, data, silence, beats_done.clone(), silent)
                .map_err(|e| Error::cluster(format!("starting the heartbeats: {e}")))?;
        }
        let mut hooks = Hooks::default();
        // Timely keeps the network buffers a burst of messages filled for reuse, for as long as
        // the link is up; at 10^7 tweets, after the graphs' answers, that was 60-110 MB on
        // process 0 through to the end of the run. One spare is enough to reuse.
        hooks.refill.limit = Some(1);
        let local = ProcessBuilder::new_typed_vector(1, hooks.refill.clone(), hooks.spill.clone());
        let (builders, comms) =
            initialize_networking_from_sockets(local, sockets, self.process, 1, hooks)
                .map_err(|e| Error::cluster(format!("starting the network: {e}")))?;
        let builders = builders.into_iter().map(AllocatorBuilder::Tcp).collect();
        // The others' pieces wait here, in their own memory, while the worker has no credit
        // to send them (see `parse_ahead`).
        let ahead = match self.is_first() {
            true => IN_FLIGHT,
            false => self.parse_ahead.max(IN_FLIGHT),
        };
        let (outbox_tx, outbox_rx) = sync_channel::<Outgoing<P>>(ahead);
        let (inbox_tx, inbox_rx) = sync_channel::<(u32, P)>(IN_FLIGHT);
        let (answers_tx, answers_rx) = channel();
        let (mail_tx, mail_rx) = channel();
        let (cuts_tx, cuts_rx) = channel();
        // Cuts go out on a channel of their own, never full: the thread that cuts must never
        // wait on the worker, which may be waiting for process 0 to take a piece.
        let (cut_out_tx, cut_out_rx) = channel();
        let taken: Arc<Vec<AtomicU64>> =
            Arc::new((0..self.processes()).map(|_| AtomicU64::new(0)).collect());
        let urgent: Urgent<P> = Arc::default();
        let ends = Arc::new(Mutex::new(Some(Ends {
            outbox: outbox_rx,
            inbox: inbox_tx,
            answers: answers_tx,
            mail: mail_tx,
            cuts: cuts_tx,
            cut_out: cut_out_rx,
            taken: taken.clone(),
            urgent: urgent.clone(),
        })));
        let guards = timely::execute::execute_from(
            builders,
            Box::new(comms),
            timely::WorkerConfig::default(),
            move |worker| {
                let ends = ends.lock().unwrap_or_else(|e| e.into_inner()).take();
                let Some(ends) = ends else {
                    return false; // one worker per process: never reached
                };
                work(worker, ends)
            },
        )
        .map_err(|e| Error::cluster(format!("starting timely: {e}")))?;
        Ok(Link {
            cluster: self.clone(),
            outbox: Some(outbox_tx),
            inbox: self.is_first().then_some(Mutex::new(inbox_rx)),
            answers: (self.is_first()).then(|| Arc::new(Mutex::new(answers_rx))),
            mail: Arc::new(Mutex::new(Some(Inbox {
                arrived: mail_rx,
                held: Default::default(),
            }))),
            posted: Arc::new((0..self.processes()).map(|_| AtomicU64::new(0)).collect()),
            cuts: (!self.is_first()).then(|| Mutex::new(cuts_rx)),
            cut_out: self.is_first().then_some(cut_out_tx),
            taken,
            urgent,
            guards: Mutex::new(Some(guards)),
            beats_done,
        })
    }
}

/// What travels to process 0: anything timely can serialise.
pub trait Piece: timely::ExchangeData + Clone {}
impl<P: timely::ExchangeData + Clone> Piece for P {}

/// Pieces a process may have sent ahead of what process 0 has merged (in input order):
/// enough to read and parse ahead while process 0 merges another process's file, few enough
/// that process 0 holds at most this many of each process's pieces (4 MB chunks: 128 MB).
const READ_AHEAD: usize = 32;

/// Pieces, or units of pairing work, queued between a process's threads and its worker, and
/// units process 0 may have sent ahead of what the counting has taken: enough to keep the
/// network busy, few enough that nothing piles up.
const IN_FLIGHT: usize = 16;

/// Where a chunk of a split file lies, as process 0 cut it, for the process that parses it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Cut {
    /// Bytes `offset..offset + len` of input `file`, starting on line `first_line`; `check`
    /// is their [`crate::dataset::interner::hash_bytes`], to tell a copy that differs.
    Chunk {
        file: u32,
        /// The parsing process's count of its own chunks of the file before this one.
        seq: u32,
        offset: u64,
        len: u64,
        first_line: u64,
        check: u64,
        /// Plain CSV, which the fast reader reads as the exact one does.
        plain: bool,
    },
    /// Input `file` was cut into `chunks` chunks in all, `mine` of them for this process.
    End { file: u32, chunks: u32, mine: u32 },
}

/// What a process hands its worker.
enum Outgoing<P> {
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
type Urgent<P> = Arc<Mutex<Vec<P>>>;

/// The worker's ends of what the process's threads hand it and take from it.
struct Ends<P> {
    outbox: Receiver<Outgoing<P>>,
    inbox: SyncSender<(u32, P)>,
    answers: std::sync::mpsc::Sender<crate::graphs::PairCount>,
    mail: std::sync::mpsc::Sender<(usize, mail::Letter)>,
    cuts: std::sync::mpsc::Sender<Cut>,
    cut_out: Receiver<(u32, Cut)>,
    taken: Arc<Vec<AtomicU64>>,
    urgent: Urgent<P>,
}

type PieceInput<P> = InputHandle<u64, CapacityContainerBuilder<Vec<(u32, P)>>>;

/// Send the urgent pieces at once.
fn send_urgent<P: Piece>(urgent: &Urgent<P>, input: &mut PieceInput<P>, me: u32, sent: &mut u64) {
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
fn work<P: Piece>(worker: &mut timely::worker::Worker, ends: Ends<P>) -> bool {
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
    cluster: Cluster,
    outbox: Option<SyncSender<Outgoing<P>>>,
    /// In mutexes only to share the link between the threads of ingest.
    inbox: Option<Mutex<Receiver<(u32, P)>>>,
    /// On process 0: how many pieces of each process it has merged.
    taken: Arc<Vec<AtomicU64>>,
    /// On process 0: the answers to pairing work, a graph at a time.
    answers: Option<Arc<Mutex<Receiver<crate::graphs::PairCount>>>>,
    /// Whole messages from other processes, with who sent them (see [`mail`]).
    mail: Letters,
    /// Pieces of messages this process has sent, by the process they went to.
    posted: Arc<Vec<AtomicU64>>,
    /// On the others: the chunks of split files process 0 cut for this process.
    cuts: Option<Mutex<Receiver<Cut>>>,
    /// On process 0: where it sends them.
    cut_out: Option<std::sync::mpsc::Sender<(u32, Cut)>>,
    /// Pieces for process 0 ahead of the outbox (see [`Urgent`]).
    urgent: Urgent<P>,
    guards: Mutex<Option<timely::communication::WorkerGuards<bool>>>,
    /// Set once the link is done with: a process silent after that is no failure of the run.
    beats_done: Arc<AtomicBool>,
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

    fn failure(&self) -> Error {
        failure(&self.cluster)
    }
}

/// Whole messages from other processes, with who sent them; `None` once the link is closed.
type Letters = Arc<Mutex<Option<Inbox>>>;

/// The messages that arrived, and those taken out of their turn to reach one sender's
/// ([`Mailbox::mail_from`]), which come first.
struct Inbox {
    arrived: Receiver<(usize, mail::Letter)>,
    held: std::collections::VecDeque<(usize, mail::Letter)>,
}

/// Messages of any size between this process and the others (see `mail`).
pub struct Mailbox<P: Piece> {
    cluster: Cluster,
    outbox: Option<SyncSender<Outgoing<P>>>,
    posted: Arc<Vec<AtomicU64>>,
    mail: Letters,
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
    fn letter(&self, from: Option<usize>) -> Result<(usize, mail::Letter)> {
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

    fn read<T: serde::de::DeserializeOwned>(
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

/// What went wrong, as well as this process of `cluster` can tell.
fn failure(cluster: &Cluster) -> Error {
    match network_failure() {
        Some((peer, what)) if peer < cluster.processes() => {
            Error::cluster(peer_failed(cluster, peer, &what))
        }
        _ if !cluster.is_first() => Error::cluster(format!(
            "{} stopped before the run was done; this {} stops too",
            cluster.name(0),
            cluster.name(cluster.process)
        )),
        _ => Error::cluster(format!(
            "the connection between the processes failed; this {} stops",
            cluster.name(cluster.process)
        )),
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

/// The first peer whose connection failed, by the name of timely's network thread that
/// panicked (`timely:recv-N`, `timely:send-N`), with what it said.
static NETWORK_FAILURE: OnceLock<(usize, String)> = OnceLock::new();

/// The cluster this process runs in, for the watchdog's message.
static RUNNING: OnceLock<Cluster> = OnceLock::new();

/// How long a process whose peer failed may take to stop by itself (its error path) before
/// the watchdog stops it: reading a file blocks without noticing the network.
const GRACE: Duration = Duration::from_secs(10);

fn network_failure() -> Option<(usize, String)> {
    NETWORK_FAILURE.get().cloned()
}

/// Record that the connection to `peer` failed, saying `what`, unless one failed before, and
/// start the [`watchdog`].
fn fail(peer: usize, what: String) {
    if NETWORK_FAILURE.set((peer, what)).is_ok() {
        std::thread::spawn(watchdog);
    }
}

/// Timely reports a lost connection by panicking in its network threads, and then in the
/// workers that use them. Those panics are noted, not printed: the error says it in the
/// user's words. Any other panic prints as before.
fn watch_network_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("");
            let peer = (name.strip_prefix("timely:recv-"))
                .or_else(|| name.strip_prefix("timely:send-"))
                .and_then(|n| n.parse::<usize>().ok());
            if let Some(peer) = peer {
                let what = (info.payload().downcast_ref::<String>().cloned())
                    .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                let what = what.trim_start_matches("timely communication error: ");
                fail(peer, what.to_string());
                return;
            }
            let in_timely = info.location().is_some_and(|l| l.file().contains("timely"));
            let worker = name.starts_with("timely:");
            if (worker || in_timely) && NETWORK_FAILURE.get().is_some() {
                return; // a worker, or the guard of the network threads, failing after them
            }
            previous(info);
        }));
    });
}

/// Stop the process [`GRACE`] after a peer failed, if it has not stopped by then.
fn watchdog() {
    std::thread::sleep(GRACE);
    let (Some(cluster), Some((peer, what))) = (RUNNING.get(), network_failure()) else {
        std::process::exit(2);
    };
    if peer < cluster.processes() {
        crate::tell!("coordnet: error: {}", peer_failed(cluster, peer, &what));
    }
    std::process::exit(2);
}

fn peer_failed(cluster: &Cluster, peer: usize, what: &str) -> String {
    format!(
        "{} stopped or cannot be reached ({what}); if it stopped, its own error says why; this \
         {} stops too",
        cluster.name(peer),
        cluster.name(cluster.process)
    )
}

/// Which process reads each input, by size: each in turn goes to the process with the
/// fewest bytes so far (the lowest numbered on a tie), so that files of about one size go
/// round the processes in input order and process 0 gathers them as they come.
pub fn shares(sizes: &[u64], processes: usize) -> Vec<usize> {
    let mut load = vec![0u64; processes];
    sizes
        .iter()
        .map(|&size| {
            let p = (0..processes).min_by_key(|&p| (load[p], p)).unwrap_or(0);
            load[p] += size.max(1);
            p
        })
        .collect()
}

/// What must be the same on every process of a run, each part a 64-bit digest of its own so
/// that a mismatch names the part (see [`fingerprint`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fingerprint {
    pub arguments: u64,
    pub inputs: u64,
    pub build: u64,
}

/// The part of two fingerprints that differs, the first by the order of the checks: another
/// build explains different arguments, and arguments name the inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mismatch {
    Arguments = 1,
    Inputs = 2,
    Build = 3,
}

impl Mismatch {
    /// The part, in the words of what to change.
    pub fn words(self) -> &'static str {
        match self {
            Mismatch::Build => {
                "another build of coordnet: install the same version on every host (compare \
                 `coordnet --version`)"
            }
            Mismatch::Arguments => {
                "other arguments: give every process the same flags with the same values, in \
                 the same order (--process, --threads, --connect-timeout, --memory-limit, \
                 --temp-dir and --quiet may differ)"
            }
            Mismatch::Inputs => {
                "other inputs: every process needs the same files, under the same names and \
                 with the same sizes"
            }
        }
    }

    /// The mismatch a byte on the wire stands for (`self as u8`).
    pub fn from_byte(b: u8) -> Option<Mismatch> {
        [Mismatch::Arguments, Mismatch::Inputs, Mismatch::Build]
            .into_iter()
            .find(|m| *m as u8 == b)
    }
}

impl Fingerprint {
    /// The part of `other` that differs from this; `None` if nothing.
    pub fn mismatch(&self, other: &Fingerprint) -> Option<Mismatch> {
        match () {
            _ if self.build != other.build => Some(Mismatch::Build),
            _ if self.arguments != other.arguments => Some(Mismatch::Arguments),
            _ if self.inputs != other.inputs => Some(Mismatch::Inputs),
            _ => None,
        }
    }

    /// What in `other` differs from this, in the words of what to change; `None` if nothing.
    pub fn differs(&self, other: &Fingerprint) -> Option<&'static str> {
        self.mismatch(other).map(Mismatch::words)
    }
}

/// This process's fingerprint: the arguments (`args`, less those that may differ: the
/// process's number, its threads and the host's own memory and disk), the inputs as they
/// expand (each file and zip entry's name and size, and samples of its content), and the
/// build (version, target, and the string hash the interners trust from other processes).
pub fn fingerprint(args: &[String], inputs: &[std::path::PathBuf]) -> Result<Fingerprint> {
    use crate::ingest::source;
    let (sources, _) = source::expand_noting(inputs)?;
    let mut files: Vec<Vec<u8>> = Vec::new();
    for s in &sources {
        files.push(s.display_path().to_string_lossy().as_bytes().to_vec());
        // A zip entry by its archive's size and samples: the entries' own are read later.
        let size = std::fs::metadata(&s.path).map_or(u64::MAX, |m| m.len());
        files.push(size.to_le_bytes().to_vec());
        files.push(samples(&s.path, size).unwrap_or_default());
    }
    let probe = crate::dataset::interner::hash_bytes(b"coordnet").to_le_bytes();
    let build: [&[u8]; 3] = [
        env!("CARGO_PKG_VERSION").as_bytes(),
        std::env::consts::ARCH.as_bytes(),
        &probe,
    ];
    Ok(Fingerprint {
        arguments: digest(args.iter().map(|a| a.as_bytes())),
        inputs: digest(files.iter().map(|p| p.as_slice())),
        build: digest(build),
    })
}

/// The first, middle and last MiB of the file at `path` (of `size` bytes; all of it when
/// smaller): copies of one size that differ (another version, an edited copy) are told apart
/// before connecting, without reading whole files. A plain file split by byte ranges is also
/// checked chunk by chunk in full as it is read.
fn samples(path: &std::path::Path, size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    const MIB: u64 = 1 << 20;
    let mut f = std::fs::File::open(path)?;
    let mut out = Vec::new();
    for start in [
        0,
        (size / 2).saturating_sub(MIB / 2),
        size.saturating_sub(MIB),
    ] {
        f.seek(SeekFrom::Start(start))?;
        (&mut f).take(MIB).read_to_end(&mut out)?;
    }
    Ok(out)
}

/// A stable 64-bit digest of `parts`, the same on every host and build.
fn digest<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    u64::from_le_bytes(h.finalize()[..8].try_into().unwrap())
}

/// `n` hosts on 127.0.0.1 at ports free a moment ago, all different (held until all are
/// chosen).
#[cfg(test)]
fn free_hosts(n: usize) -> Vec<Host> {
    let held: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    (held.iter().enumerate())
        .map(|(i, l)| Host {
            address: format!("127.0.0.1:{}", l.local_addr().unwrap().port()),
            line: i as u64 + 1,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two processes in one test: process 1 sends far more pieces than may be in flight
    /// while process 0 takes them slowly; all arrive, in order, and both end cleanly.
    /// `n` processes on 127.0.0.1, each as it sees the cluster.
    fn local_cluster(n: usize) -> impl Fn(usize) -> Cluster {
        let hosts = free_hosts(n);
        move |process| Cluster {
            hosts: hosts.clone(),
            process,
            connect_timeout: Duration::from_secs(20),
            parse_ahead: Cluster::PARSE_AHEAD,
        }
    }

    /// Process `c` sending pieces `0..pieces` to process 0, on a thread of its own.
    fn send_all(c: Cluster, pieces: u64) -> std::thread::JoinHandle<Result<()>> {
        std::thread::spawn(move || {
            let link = c.start::<u64>(Fingerprint::default()).unwrap();
            for k in 0..pieces {
                link.send(k).unwrap();
            }
            link.finish()
        })
    }

    #[test]
    fn pieces_arrive_in_order_past_the_flight_window_and_both_ends_finish() {
        let cluster = local_cluster(2);
        let pieces = 20 * IN_FLIGHT as u64;
        let sender = send_all(cluster(1), pieces);
        let link = cluster(0).start::<u64>(Fingerprint::default()).unwrap();
        for k in 0..pieces {
            if k % 50 == 0 {
                std::thread::sleep(Duration::from_millis(20));
            }
            assert_eq!(link.recv().unwrap(), (1, k));
            link.taken(1);
        }
        link.finish().unwrap();
        sender.join().unwrap().unwrap();
    }

    /// Three processes: process 0 merges all of process 1's pieces before any of process
    /// 2's (as with files in input order), so what process 2 sends meanwhile waits in process
    /// 0; process 2 is held to READ_AHEAD pieces ahead, however many it has.
    #[test]
    fn a_process_runs_at_most_read_ahead_pieces_ahead_of_what_process_0_merged() {
        let cluster = local_cluster(3);
        let pieces = 5 * READ_AHEAD as u64;
        let senders = [1, 2].map(|p| send_all(cluster(p), pieces));
        let link = cluster(0).start::<u64>(Fingerprint::default()).unwrap();
        let (mut from_1, mut waiting, mut most_waiting) = (0, Vec::new(), 0);
        while from_1 < pieces {
            match link.recv().unwrap() {
                (1, k) => {
                    assert_eq!(k, from_1);
                    from_1 += 1;
                    link.taken(1);
                    // Slower than the senders, so that process 2 could run far ahead.
                    std::thread::sleep(Duration::from_millis(2));
                }
                (_, k) => {
                    waiting.push(k);
                    most_waiting = most_waiting.max(waiting.len());
                }
            }
        }
        for _ in waiting.drain(..) {
            link.taken(2);
        }
        let mut from_2 = most_waiting as u64;
        while from_2 < pieces {
            assert_eq!(link.recv().unwrap(), (2, from_2));
            from_2 += 1;
            link.taken(2);
        }
        assert!(
            most_waiting > 0 && most_waiting <= READ_AHEAD,
            "{most_waiting} of process 2's pieces waited"
        );
        link.finish().unwrap();
        for s in senders {
            s.join().unwrap().unwrap();
        }
    }

    /// Process `c`, free to parse `pieces` pieces ahead, hands them all over and then does
    /// `then` with its link, on a thread of its own.
    fn send_ahead(
        mut c: Cluster,
        pieces: u64,
        then: impl FnOnce(&Link<u64>) + Send + 'static,
    ) -> std::thread::JoinHandle<Result<()>> {
        c.parse_ahead = pieces as usize;
        std::thread::spawn(move || {
            let link = c.start::<u64>(Fingerprint::default()).unwrap();
            for k in 0..pieces {
                link.send(k).unwrap();
            }
            then(&link);
            link.finish()
        })
    }

    /// While process 0 takes nothing, process 1 still parses and hands over all its pieces:
    /// those it may not send yet wait in its own memory, up to its `parse_ahead`, rather than
    /// holding it at READ_AHEAD pieces ahead of process 0.
    #[test]
    fn a_process_parses_on_while_process_0_takes_nothing() {
        use std::sync::atomic::AtomicBool;
        let cluster = local_cluster(2);
        let pieces = 3 * READ_AHEAD as u64;
        let handed = Arc::new(AtomicBool::new(false));
        let done = handed.clone();
        let sender = send_ahead(cluster(1), pieces, move |_| {
            done.store(true, Ordering::SeqCst)
        });
        let link = cluster(0).start::<u64>(Fingerprint::default()).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !handed.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let ran_ahead = handed.load(Ordering::SeqCst);
        for k in 0..pieces {
            assert_eq!(link.recv().unwrap(), (1, k));
            link.taken(1);
        }
        link.finish().unwrap();
        sender.join().unwrap().unwrap();
        assert!(
            ran_ahead,
            "process 1 waited on process 0 to hand over {pieces} pieces"
        );
    }

    /// A failure reaches process 0 ahead of the pieces its process parsed ahead: process 0
    /// takes them slowly, so that hardly more than READ_AHEAD can come before it (all of
    /// them would, sent in turn).
    #[test]
    fn an_urgent_piece_overtakes_the_pieces_waiting_to_go() {
        let cluster = local_cluster(2);
        let pieces = 4 * READ_AHEAD as u64;
        let sender = send_ahead(cluster(1), pieces, |link| link.send_urgent(u64::MAX));
        let link = cluster(0).start::<u64>(Fingerprint::default()).unwrap();
        let (mut next, mut before) = (0, None);
        while next < pieces || before.is_none() {
            match link.recv().unwrap() {
                (1, u64::MAX) => before = Some(next),
                (1, k) => {
                    assert_eq!(k, next);
                    next += 1;
                    link.taken(1);
                    std::thread::sleep(Duration::from_millis(2));
                }
                other => panic!("{other:?}"),
            }
        }
        link.finish().unwrap();
        sender.join().unwrap().unwrap();
        let before = before.unwrap();
        assert!(
            before < 2 * READ_AHEAD as u64,
            "{before} of {pieces} pieces came before the urgent one"
        );
    }

    /// Three processes: process 1 writes to process 2 as soon as process 0 lets it (as its
    /// placement lets a process begin the sources' search), well before process 0's own
    /// letter to process 2 arrives. Process 2, waiting for process 0's, gets it, and then
    /// process 1's.
    #[test]
    fn a_letter_from_one_process_is_waited_for_past_another_s() {
        let cluster = local_cluster(3);
        let start = |p: usize| {
            let c = cluster(p);
            move || c.start::<u64>(Fingerprint::default())
        };
        let first = std::thread::spawn({
            let start = start(1);
            move || {
                let link = start()?;
                link.post(2, &"from 1")?;
                link.post(0, &"sent")?;
                link.finish()
            }
        });
        let second = std::thread::spawn({
            let start = start(2);
            move || -> Result<(String, (usize, String))> {
                let link = start()?;
                let got = (link.mail_from::<String>(0)?, link.mail::<String>()?);
                link.post(0, &"done")?;
                link.finish()?;
                Ok(got)
            }
        });
        let link = cluster(0).start::<u64>(Fingerprint::default()).unwrap();
        assert_eq!(link.mail::<String>().unwrap(), (1, "sent".to_string()));
        std::thread::sleep(Duration::from_millis(300));
        link.post(2, &"from 0").unwrap();
        assert_eq!(link.mail::<String>().unwrap(), (2, "done".to_string()));
        link.finish().unwrap();
        first.join().unwrap().unwrap();
        let (from_0, next) = second.join().unwrap().unwrap();
        assert_eq!(from_0, "from 0");
        assert_eq!(next, (1, "from 1".to_string()));
    }

    #[test]
    fn shares_go_round_by_size() {
        assert_eq!(shares(&[10, 10, 10, 10, 10], 2), vec![0, 1, 0, 1, 0]);
        assert_eq!(shares(&[100, 10, 10, 10], 2), vec![0, 1, 1, 1]);
        assert_eq!(shares(&[0, 0, 0], 3), vec![0, 1, 2]);
    }

    #[test]
    fn fingerprints_tell_arguments_and_inputs_apart() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.csv");
        std::fs::write(&file, "a,b\n").unwrap();
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let inputs = [dir.path().to_path_buf()];
        let a = fingerprint(&args(&["detect", "-o", "o"]), &inputs).unwrap();
        assert_eq!(
            a,
            fingerprint(&args(&["detect", "-o", "o"]), &inputs).unwrap()
        );
        let b = fingerprint(&args(&["detect", "-oo"]), &inputs).unwrap();
        assert!(a.differs(&b).unwrap().starts_with("other arguments"));
        // A directory is compared by what it holds.
        std::fs::write(&file, "a,b,c\n").unwrap();
        let c = fingerprint(&args(&["detect", "-o", "o"]), &inputs).unwrap();
        assert!(a.differs(&c).unwrap().starts_with("other inputs"));
        // So is a copy of the same size that differs, compressed or not.
        std::fs::write(&file, "a,b,d\n").unwrap();
        let e = fingerprint(&args(&["detect", "-o", "o"]), &inputs).unwrap();
        assert!(c.differs(&e).unwrap().starts_with("other inputs"));
        let d = Fingerprint { build: 1, ..a };
        assert!(a.differs(&d).unwrap().starts_with("another build"));
    }
}

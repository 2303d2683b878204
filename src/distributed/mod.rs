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
//! nothing is written (`watch`).
//!
//! `link` carries the pieces between the processes, `fingerprints` checks that they run the
//! same build on the same inputs, and `rows` holds the dataset's rows where they were parsed.

mod beat;
mod connect;
mod fingerprints;
mod hosts;
mod link;
mod mail;
mod pairs;
mod rows;
mod watch;

pub use fingerprints::*;
pub use hosts::{parse_hosts, read_hostfile, Host};
pub use link::*;
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
use watch::*;

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

//! A graph's pairs counted across processes: the shuffle by account pair, on timely.
//!
//! A graph's pairs go into the dataflow in units ([`Unit`]: consecutive actions by item, or
//! amplifier -> source pairs): each process feeds the units of the items it owns or of the
//! rows it holds, and process 0 deals round the processes the units of a graph whose actions it
//! takes whole (where it holds every row).
//! Each process forms its units' pairs and sends each account pair to the process its hash
//! names, where the pairs are summed. Once a graph's last unit is through, every process tests
//! the account pairs it owns (under the test process 0 broadcasts with the graph) and sends
//! process 0 the significant ones. Process 0 sorts them: the edges one process finds, and
//! only those.

use super::{failure, Link, Outgoing, Piece, IN_FLIGHT};
use crate::error::Result;
use crate::graphs::counting::{PairCount, PairCounter, PairJob, Test, Unit};
use hashbrown::HashMap;
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::vec::Broadcast;
use timely::dataflow::operators::{Capability, Exchange, Input, Probe};
use timely::dataflow::InputHandle;

/// What process 0 says to every process about the graphs.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(super) enum Control {
    /// A graph begins: the test its aggregated pairs meet, and whether every process feeds
    /// the units of the rows it holds (`held`) or process 0 deals them all.
    Begin { test: Test, held: bool },
    /// Its last unit has been sent.
    End,
    /// No more graphs: every process closes its inputs.
    Done,
}

/// What a process's worker is asked to send into the pairing dataflow.
pub(super) enum Work {
    /// Process 0's word about the graphs.
    Control(Control),
    /// A unit process 0 deals to the next process in turn.
    Unit(Unit),
    /// A unit of the rows this process holds, paired here.
    Held(Unit),
    /// This process's held units of the graph are all sent.
    HeldDone,
}

/// A piece of one process's answer for a graph: significant edges, and with the last piece
/// the counts.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Counted {
    process: u32,
    count: PairCount,
    last: bool,
}

/// Significant edges per piece of an answer (16 bytes each). Timely's exchange sends as many
/// pieces together as fit its buffer of small records (8 KB of `Counted` structs, about 60),
/// and the receiving process keeps a network buffer as large as the largest message for as
/// long as the link is up: pieces of 65,536 edges made 64 MB messages and left process 0
/// 260 MB larger from the graphs to the end of a 10^7-tweet run. So a message of pieces is
/// about 1 MB.
const PIECE_EDGES: usize =
    (1 << 20) / 16 / timely::container::buffer::default_capacity::<Counted>();

/// The graphs' beginnings as a process other than 0 hears of them (graph, `held`), and
/// process 0's word that there are no more.
#[derive(Default)]
struct Heard {
    begun: VecDeque<(u64, bool)>,
    done: bool,
}

/// A process's inputs to the pairing dataflow. A graph's times are `graph << 32 | round`:
/// a process moves to the next graph once it has sent that graph all it has, and the
/// counting waits for every process to have moved past a graph before it tests it.
pub(super) struct Inputs {
    units: InputHandle<u64, CapacityContainerBuilder<Vec<(u64, Unit)>>>,
    /// Process 0's only (closed at once on the others).
    control: Option<InputHandle<u64, CapacityContainerBuilder<Vec<Control>>>>,
    probe: timely::dataflow::operators::probe::Handle<u64>,
    heard: Rc<RefCell<Heard>>,
    process: u64,
    /// Units dealt, numbering them.
    dealt: u64,
    /// The graph the inputs are at, and the round within it (one per unit sent).
    graph: u64,
    round: u64,
    /// This process has sent all its held units of the graph it is at.
    held_done: bool,
}

/// Build the pairing dataflow in `worker` (every process builds it, in the same order as
/// the others); process 0's answer for each graph comes out of `answers`.
pub(super) fn dataflow(worker: &mut timely::worker::Worker, answers: Sender<PairCount>) -> Inputs {
    let mut units = InputHandle::new();
    let mut control = InputHandle::new();
    let process = worker.index() as u32;
    let peers = worker.peers();
    let heard = Rc::new(RefCell::new(Heard::default()));
    let probe = worker.dataflow::<u64, _, _>(|scope| {
        let control = scope.input_from(&mut control).broadcast();
        let told = heard.clone();
        control.clone().sink(Pipeline, "Heard", move |(input, _)| {
            input.for_each(|cap, data| {
                let mut told = told.borrow_mut();
                for c in data.drain(..) {
                    match c {
                        // Process 0 moves on at each graph's end, the others as they hear.
                        Control::Begin { held, .. } if process != 0 => {
                            if let Some(&time) = cap.least() {
                                told.begun.push_back((time >> 32, held))
                            }
                        }
                        Control::Done => told.done = true,
                        _ => {}
                    }
                }
            })
        });
        // A unit goes to the process its route names: the next in turn for a dealt unit,
        // this one for a held unit.
        let pairs = scope
            .input_from(&mut units)
            .exchange(|(route, _): &(u64, Unit)| *route)
            .unary::<CapacityContainerBuilder<Vec<(u64, u32)>>, _, _, _>(
                Pipeline,
                "Pair",
                |_, _| {
                    |input, output| {
                        input.for_each(|cap, data: &mut Vec<(u64, Unit)>| {
                            let formed: Vec<Vec<(u64, u32)>> =
                                data.par_iter_mut().map(|(_, unit)| unit.pairs()).collect();
                            let mut session = output.session(&cap);
                            for pairs in formed {
                                session.give_iterator(pairs.into_iter());
                            }
                        })
                    }
                },
            );
        let (probe, _) = pairs
            .exchange(|&(key, _)| key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32)
            .binary_frontier::<_, CapacityContainerBuilder<Vec<Counted>>, _, _, _, _>(
                control,
                Pipeline,
                Pipeline,
                "Count",
                move |_, _| {
                    let mut sums: HashMap<u64, u32> = HashMap::new();
                    let mut test: Option<Test> = None;
                    let mut end: Option<Capability<u64>> = None;
                    move |(pairs, pairs_frontier), (control, control_frontier), output| {
                        pairs.for_each(|_, data| {
                            for (key, n) in data.drain(..) {
                                *sums.entry(key).or_default() += n;
                            }
                        });
                        control.for_each(|cap, data| {
                            for c in data.drain(..) {
                                match c {
                                    Control::Begin { test: t, .. } => test = Some(t),
                                    Control::End => end = cap.retain_least(0),
                                    Control::Done => {}
                                }
                            }
                        });
                        // Every pair of the graph is here once neither input can bring more
                        // at or before the time of its end.
                        let Some(cap) = end.as_ref() else { return };
                        let t = cap.time();
                        if pairs_frontier.less_equal(t) || control_frontier.less_equal(t) {
                            return;
                        }
                        let mut count = match test.take() {
                            Some(test) => test.test(std::mem::take(&mut sums)),
                            None => PairCount::default(), // never: Begin comes first
                        };
                        let mut session = output.session(cap);
                        let edges = std::mem::take(&mut count.significant);
                        for piece in edges.chunks(PIECE_EDGES) {
                            let count = PairCount {
                                significant: piece.to_vec(),
                                ..Default::default()
                            };
                            session.give(Counted {
                                process,
                                count,
                                last: false,
                            });
                        }
                        session.give(Counted {
                            process,
                            count,
                            last: true,
                        });
                        drop(session);
                        end = None;
                    }
                },
            )
            .exchange(|_| 0)
            .unary::<CapacityContainerBuilder<Vec<()>>, _, _, _>(
                Pipeline,
                "Counted",
                move |_, _| {
                    // The pieces are put together here, on the thread that received them, and
                    // freed here: handed one by one to process 0's main thread and freed there,
                    // they left process 0 a quarter of a GB larger at 10^7 tweets.
                    let mut answer = PairCount::default();
                    let mut by_process = vec![0; peers];
                    let mut answered = 0;
                    move |input, _| {
                        input.for_each(|_, data| {
                            for piece in data.drain(..) {
                                answered += usize::from(piece.last);
                                by_process[piece.process as usize] += piece.count.pairs;
                                answer.add(piece.count);
                            }
                        });
                        if answered == peers {
                            answer.by_process = std::mem::replace(&mut by_process, vec![0; peers]);
                            let _ = answers.send(std::mem::take(&mut answer)); // process 0 gone
                            answered = 0;
                        }
                    }
                },
            )
            .probe();
        probe
    });
    Inputs {
        units,
        control: (process == 0).then_some(control),
        probe,
        heard,
        process: process as u64,
        dealt: 0,
        graph: 0,
        round: 0,
        held_done: false,
    }
}

impl Inputs {
    fn time(&self) -> u64 {
        self.graph << 32 | self.round
    }

    fn advance(&mut self) {
        let t = self.time();
        self.units.advance_to(t);
        if let Some(control) = self.control.as_mut() {
            control.advance_to(t);
        }
    }

    /// Send `work` into the dataflow, waiting while more than [`IN_FLIGHT`] of this
    /// process's units are on their way.
    pub(super) fn send(&mut self, worker: &mut timely::worker::Worker, work: Work) {
        match work {
            Work::Control(c) => {
                let Some(control) = self.control.as_mut() else {
                    return; // only process 0 speaks
                };
                let end = matches!(c, Control::End);
                if end {
                    // At the graph's last time, which the counting waits to see passed.
                    control.advance_to(self.graph << 32 | u64::from(u32::MAX));
                }
                control.send(c);
                if end {
                    self.next_graph();
                }
                return;
            }
            Work::Unit(unit) => {
                self.units.send((self.dealt, unit));
                self.dealt += 1;
            }
            Work::Held(unit) => self.units.send((self.process, unit)),
            Work::HeldDone => {
                self.held_done = true;
                return;
            }
        }
        self.round += 1;
        self.advance();
        let behind = self.graph << 32 | self.round.saturating_sub(IN_FLIGHT as u64);
        while self.probe.less_than(&behind) {
            worker.step_or_park(Some(std::time::Duration::from_millis(1)));
        }
    }

    fn next_graph(&mut self) {
        self.graph += 1;
        self.round = 0;
        self.held_done = false;
        self.advance();
    }

    /// On a process other than 0: move past each graph process 0 has begun to which this
    /// process has sent all it has (nothing, unless every process feeds its held units).
    /// False once process 0 says there are no more graphs.
    pub(super) fn heard(&mut self) -> bool {
        let heard = self.heard.clone();
        let mut heard = heard.borrow_mut();
        while let Some(&(graph, held)) = heard.begun.front() {
            if graph != self.graph || (held && !self.held_done) {
                break;
            }
            heard.begun.pop_front();
            self.next_graph();
        }
        !heard.done
    }
}

/// Counts a graph's pairs across the processes of a run (see the module's text).
pub struct Pairing<P: Piece> {
    cluster: super::Cluster,
    outbox: SyncSender<Outgoing<P>>,
    answers: Arc<Mutex<Receiver<PairCount>>>,
}

impl<P: Piece> Link<P> {
    /// On process 0: a counter that spreads each graph's pairs over the processes.
    pub fn pairing(&self) -> Option<Arc<dyn PairCounter>> {
        let outbox = self.outbox.clone()?;
        let answers = self.answers.clone()?;
        Some(Arc::new(Pairing {
            cluster: self.cluster.clone(),
            outbox,
            answers,
        }))
    }

    /// On a process other than 0: send the units of the rows it holds into the graph that
    /// process 0 counts next, from every process's held rows (see [`PairJob::held`]).
    pub fn count_held(&self, units: impl Iterator<Item = Unit>) -> Result<()> {
        let outbox = self.outbox.as_ref().ok_or_else(|| failure(&self.cluster))?;
        let send = |w: Work| (outbox.send(Outgoing::Work(w))).map_err(|_| failure(&self.cluster));
        for unit in units {
            send(Work::Held(unit))?;
        }
        send(Work::HeldDone)
    }
}

impl<P: Piece> PairCounter for Pairing<P> {
    fn count(&self, job: PairJob<'_>) -> Result<PairCount> {
        let send =
            |w: Work| (self.outbox.send(Outgoing::Work(w))).map_err(|_| failure(&self.cluster));
        // One graph at a time: its answers are all in before the next begins.
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        send(Work::Control(Control::Begin {
            test: job.test.clone(),
            held: job.held,
        }))?;
        for unit in job.units {
            send(match job.held {
                true => Work::Held(unit),
                false => Work::Unit(unit),
            })?;
        }
        send(Work::Control(Control::End))?;
        answers.recv().map_err(|_| failure(&self.cluster))
    }

    /// The pairing dataflow ends once the graphs are built, and what timely held for it goes.
    fn done(&self) {
        let _ = self.outbox.send(Outgoing::PairingDone);
    }
}

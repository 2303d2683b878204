//! Messages of any size between process 0 and the others: a placement of a process's rows,
//! a question about them, a tally. Each is serialised once and sent in pieces of at most
//! [`PIECE_BYTES`], so that no buffer of timely's grows to the size of the largest message
//! (its buffers keep the largest size they were asked for), and put together again where it
//! arrives, in the order it was sent.

use std::collections::BTreeMap;
use std::sync::mpsc::Sender;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::{Exchange, Input};
use timely::dataflow::InputHandle;

/// The largest piece of a message.
pub(super) const PIECE_BYTES: usize = 1 << 20;

/// A piece of a message from process `from` to process `to`: the `seq`-th piece `from` sent
/// `to`; `last` ends the message.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Parcel {
    pub from: u32,
    pub to: u32,
    pub seq: u64,
    pub last: bool,
    pub bytes: Vec<u8>,
}

pub(super) type Parcels = InputHandle<u64, CapacityContainerBuilder<Vec<Parcel>>>;

/// Build the mail dataflow in `worker` (every process builds it, in the same order): the
/// parcels sent into the returned input reach the process they are for, where each whole
/// message comes out of `mail` with the number of the process that sent it.
pub(super) fn dataflow(
    worker: &mut timely::worker::Worker,
    mail: Sender<(usize, Vec<u8>)>,
) -> Parcels {
    let mut parcels = InputHandle::new();
    // Per sender: the next piece due, those that came early, and the message so far.
    let mut from: Vec<(u64, BTreeMap<u64, Parcel>, Vec<u8>)> = Vec::new();
    worker.dataflow::<u64, _, _>(|scope| {
        scope
            .input_from(&mut parcels)
            .exchange(|p: &Parcel| p.to as u64)
            .sink(Pipeline, "Mail", move |(input, _)| {
                input.for_each(|_, pieces: &mut Vec<Parcel>| {
                    for p in pieces.drain(..) {
                        let sender = p.from as usize;
                        if from.len() <= sender {
                            from.resize_with(sender + 1, Default::default);
                        }
                        let (next, early, message) = &mut from[sender];
                        early.insert(p.seq, p);
                        while let Some(p) = early.remove(next) {
                            *next += 1;
                            message.extend_from_slice(&p.bytes);
                            if p.last {
                                // The process gone (it failed): nothing to do.
                                let _ = mail.send((sender, std::mem::take(message)));
                            }
                        }
                    }
                })
            });
    });
    parcels
}

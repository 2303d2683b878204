//! Messages of any size between process 0 and the others: a placement of a process's rows,
//! a question about them, a tally. Each is serialised straight into pieces of at most
//! [`PIECE_BYTES`] ([`Pieces`]), so that no buffer of timely's grows to the size of the
//! largest message (its buffers keep the largest size they were asked for), and read where
//! it arrives from its pieces in the order they were sent ([`Letter`]): neither side holds a
//! whole message's bytes.

use std::collections::BTreeMap;
use std::sync::mpsc::Sender;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::{Exchange, Input};
use timely::dataflow::InputHandle;

/// The largest piece of a message.
const PIECE_BYTES: usize = 1 << 20;

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

type Parcels = InputHandle<u64, CapacityContainerBuilder<Vec<Parcel>>>;

/// What has come from one sender: the next piece due, those that came early, and the pieces
/// of the message so far.
type Arriving = (u64, BTreeMap<u64, Parcel>, Vec<Vec<u8>>);

/// Build the mail dataflow in `worker` (every process builds it, in the same order): the
/// parcels sent into the returned input reach the process they are for, where each whole
/// message comes out of `mail` with the number of the process that sent it.
pub(super) fn dataflow(
    worker: &mut timely::worker::Worker,
    mail: Sender<(usize, Letter)>,
) -> Parcels {
    let mut parcels = InputHandle::new();
    let mut from: Vec<Arriving> = Vec::new();
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
                            message.push(p.bytes);
                            if p.last {
                                let letter = Letter::new(std::mem::take(message));
                                // The process gone (it failed): nothing to do.
                                let _ = mail.send((sender, letter));
                            }
                        }
                    }
                })
            });
    });
    parcels
}

/// Writes a message in pieces: each full piece goes to `send` (with `false`) as soon as more
/// follows, and the last at [`Pieces::finish`] (with `true`).
pub(super) struct Pieces<F: FnMut(Vec<u8>, bool) -> std::io::Result<()>> {
    piece: Vec<u8>,
    send: F,
}

impl<F: FnMut(Vec<u8>, bool) -> std::io::Result<()>> Pieces<F> {
    pub fn new(send: F) -> Self {
        Pieces {
            piece: Vec::with_capacity(PIECE_BYTES),
            send,
        }
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        (self.send)(std::mem::take(&mut self.piece), true)
    }
}

impl<F: FnMut(Vec<u8>, bool) -> std::io::Result<()>> std::io::Write for Pieces<F> {
    fn write(&mut self, mut bytes: &[u8]) -> std::io::Result<usize> {
        let n = bytes.len();
        while !bytes.is_empty() {
            if self.piece.len() == PIECE_BYTES {
                let full = std::mem::replace(&mut self.piece, Vec::with_capacity(PIECE_BYTES));
                (self.send)(full, false)?;
            }
            let take = bytes.len().min(PIECE_BYTES - self.piece.len());
            self.piece.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A message as it arrived, in pieces, read through without putting them together; each
/// piece is freed once read.
pub(super) struct Letter {
    pieces: std::collections::VecDeque<Vec<u8>>,
    at: usize,
}

impl Letter {
    fn new(pieces: Vec<Vec<u8>>) -> Letter {
        Letter {
            pieces: pieces.into(),
            at: 0,
        }
    }
}

impl std::io::Read for Letter {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while let Some(piece) = self.pieces.front() {
            if self.at < piece.len() {
                let n = out.len().min(piece.len() - self.at);
                out[..n].copy_from_slice(&piece[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            self.pieces.pop_front();
            self.at = 0;
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message written in pieces reads back the same, whatever its size against a piece's.
    #[test]
    fn a_message_in_pieces_reads_back_whole() {
        for len in [
            0,
            1,
            PIECE_BYTES - 1,
            PIECE_BYTES,
            PIECE_BYTES + 1,
            3 * PIECE_BYTES + 7,
        ] {
            let message: Vec<u32> = (0..len as u32 / 4)
                .map(|x| x.wrapping_mul(2_654_435_761))
                .collect();
            let mut sent: Vec<(Vec<u8>, bool)> = Vec::new();
            let mut w = Pieces::new(|piece, last| {
                sent.push((piece, last));
                Ok(())
            });
            bincode::serialize_into(&mut w, &message).unwrap();
            w.finish().unwrap();
            assert!(sent.iter().all(|(p, _)| p.len() <= PIECE_BYTES), "{len}");
            let lasts: Vec<bool> = sent.iter().map(|x| x.1).collect();
            assert_eq!(lasts.iter().filter(|&&l| l).count(), 1, "{len}");
            assert!(lasts[lasts.len() - 1], "{len}");
            let letter = Letter::new(sent.into_iter().map(|x| x.0).collect());
            let back: Vec<u32> = bincode::deserialize_from(letter).unwrap();
            assert_eq!(back, message, "{len}");
        }
    }
}

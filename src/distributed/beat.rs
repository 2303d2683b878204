//! Heartbeats. A paused process (Ctrl-Z, SIGSTOP) or a frozen host keeps its connections
//! open and its kernel answers for it, so the others would wait for it for ever. Process 0
//! and each other process say a byte to each other every second on a connection of their
//! own; one that hears nothing for the cluster's `connect_timeout` fails the run naming the
//! silent process. Process 0 watches every process and the others watch process 0: a silent
//! process stops process 0, whose end stops the rest.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often a process says it is there.
const BEAT: Duration = Duration::from_secs(1);

/// Say a byte to `peer` every [`BEAT`] on `beat`, and listen to it: after `silence` without a
/// byte from it (and before `done`), call `silent` and then shut `data`, the run's connection
/// to it, so the network threads on it fail and the run stops. A peer that closes its end (its
/// run is over, or it failed and its data connection says so) ends the watch quietly.
pub(super) fn watch(
    peer: usize,
    beat: TcpStream,
    data: Option<TcpStream>,
    silence: Duration,
    done: Arc<AtomicBool>,
    silent: impl FnOnce() + Send + 'static,
) -> std::io::Result<()> {
    // Said until the peer is gone, `done` or not: the peer may still be listening.
    let mut saying = beat.try_clone()?;
    std::thread::Builder::new()
        .name(format!("coordnet:beat-to-{peer}"))
        .spawn(move || {
            while saying.write_all(&[0]).is_ok() {
                std::thread::sleep(BEAT);
            }
        })?;
    let mut hearing = beat;
    hearing.set_read_timeout(Some(silence))?;
    std::thread::Builder::new()
        .name(format!("coordnet:beat-from-{peer}"))
        .spawn(move || {
            let mut b = [0u8; 64];
            let quiet = loop {
                match hearing.read(&mut b) {
                    Ok(0) => return,
                    Ok(_) => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => break timed_out(&e),
                }
            };
            if !quiet || done.load(Ordering::Relaxed) {
                return;
            }
            silent();
            if let Some(data) = data {
                let _ = data.shutdown(Shutdown::Both);
            }
            let _ = hearing.shutdown(Shutdown::Both);
        })?;
    Ok(())
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn a_silent_peer_fails_the_watch_and_its_connection_and_a_closed_one_does_not() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // Silent: the other end is open and never says a byte.
        let silent = TcpStream::connect(addr).unwrap();
        let (beat, _) = listener.accept().unwrap();
        let data_far = TcpStream::connect(addr).unwrap();
        let (data, _) = listener.accept().unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let (told, heard) = std::sync::mpsc::channel();
        let silence = Duration::from_millis(300);
        watch(1, beat, Some(data), silence, done, move || {
            told.send(()).unwrap()
        })
        .unwrap();
        // The watch says its own beats meanwhile.
        let mut far_beat = silent;
        far_beat
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut b = [0u8; 1];
        assert_eq!(far_beat.read(&mut b).unwrap(), 1);
        heard.recv_timeout(Duration::from_secs(10)).unwrap();
        // The data connection is shut: its far end reads the end of the stream.
        let mut far = data_far;
        far.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        assert_eq!(far.read(&mut b).unwrap(), 0);

        // A peer that beats is not silent, and one that closes its end ends the watch quietly.
        for closes in [false, true] {
            let far_beat = TcpStream::connect(addr).unwrap();
            let (beat, _) = listener.accept().unwrap();
            let done = Arc::new(AtomicBool::new(false));
            let (told, heard) = std::sync::mpsc::channel();
            watch(2, beat, None, silence, done.clone(), move || {
                told.send(()).unwrap()
            })
            .unwrap();
            let mut far_beat = far_beat;
            for _ in 0..8 {
                far_beat.write_all(&[0]).unwrap();
                std::thread::sleep(silence / 3);
            }
            if closes {
                drop(far_beat);
            } else {
                done.store(true, Ordering::Relaxed);
            }
            // Three silences later nothing has been said: a closed peer, or a finished run.
            assert!(heard.recv_timeout(3 * silence).is_err(), "closes: {closes}");
        }
    }
}

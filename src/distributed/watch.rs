//! Noticing a process that is gone: timely's network panics and the heartbeats' silence
//! become one error naming the process and its host.

use super::*;

/// What went wrong, as well as this process of `cluster` can tell.
pub(super) fn failure(cluster: &Cluster) -> Error {
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

/// The first peer whose connection failed, by the name of timely's network thread that
/// panicked (`timely:recv-N`, `timely:send-N`), with what it said.
static NETWORK_FAILURE: OnceLock<(usize, String)> = OnceLock::new();

/// The cluster this process runs in, for the watchdog's message.
pub(super) static RUNNING: OnceLock<Cluster> = OnceLock::new();

/// How long a process whose peer failed may take to stop by itself (its error path) before
/// the watchdog stops it: reading a file blocks without noticing the network.
const GRACE: Duration = Duration::from_secs(10);

pub(super) fn network_failure() -> Option<(usize, String)> {
    NETWORK_FAILURE.get().cloned()
}

/// Record that the connection to `peer` failed, saying `what`, unless one failed before, and
/// start the [`watchdog`].
pub(super) fn fail(peer: usize, what: String) {
    if NETWORK_FAILURE.set((peer, what)).is_ok() {
        std::thread::spawn(watchdog);
    }
}

/// Timely reports a lost connection by panicking in its network threads, and then in the
/// workers that use them. Those panics are noted, not printed: the error says it in the
/// user's words. Any other panic prints as before.
pub(super) fn watch_network_panics() {
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

//! Flags of a run across processes (timely's long flags), shared by `detect` and `graph`,
//! and reading the inputs as they say: here, or across processes.

use coordnet::ingest::ingest_with_progress;
use coordnet::progress::Progress;
use coordnet::{Dataset, IngestOptions, IngestStats};
use std::path::PathBuf;

/// The dataset and the report of what was read; `None` on a process other than 0 of a run
/// across processes, whose part (reading its share) is done.
pub type Read = Option<(Dataset, IngestStats)>;

/// What a run across processes keeps after reading: on process 0, its link to the others,
/// which count detect's pairs and tally the rows they hold, until it lets them go.
#[derive(Default)]
pub struct Session {
    #[cfg(feature = "distributed")]
    link: Option<coordnet::distributed::Link<coordnet::ingest::Shipment>>,
    #[cfg(feature = "distributed")]
    rows: Option<std::sync::Arc<coordnet::distributed::RowsAcross<coordnet::ingest::Shipment>>>,
}

impl Session {
    /// Where detect's co-action and retweet pairs are counted: across the processes, or here.
    pub fn counter(&self) -> coordnet::graphs::counting::Counter {
        #[cfg(feature = "distributed")]
        if let Some(link) = &self.link {
            return coordnet::graphs::counting::Counter(link.pairing());
        }
        coordnet::graphs::counting::Counter::default()
    }

    /// Where the rows the other processes hold are tallied: there, or none are elsewhere.
    pub fn elsewhere(&self) -> coordnet::scoring::tally::Elsewhere {
        #[cfg(feature = "distributed")]
        if let Some(rows) = &self.rows {
            return coordnet::scoring::tally::Elsewhere(Some(rows.clone()));
        }
        coordnet::scoring::tally::Elsewhere::default()
    }

    /// Where the rows are held, for the graphs' work on them: apart, or all here.
    pub fn holders(&self) -> coordnet::graphs::held::Holders {
        #[cfg(feature = "distributed")]
        if let Some(rows) = &self.rows {
            return coordnet::graphs::held::Holders(Some(rows.clone()));
        }
        coordnet::graphs::held::Holders::default()
    }

    /// How many rows process 0 holds apart from the dataset, as the others hold theirs, if
    /// it does.
    pub fn own_rows(&self) -> Option<usize> {
        #[cfg(feature = "distributed")]
        if let Some(rows) = &self.rows {
            return rows.own_rows();
        }
        None
    }

    /// What each process tallied of the rows for scoring, in words (empty on one process).
    pub fn rows_tallied(&self) -> String {
        #[cfg(feature = "distributed")]
        if let Some(rows) = &self.rows {
            return coordnet::progress::shared_out("tallied", &rows.tallied());
        }
        String::new()
    }

    /// Let the other processes go, once nothing more is asked of them.
    pub fn finish(self) -> anyhow::Result<()> {
        #[cfg(feature = "distributed")]
        if let Some(link) = self.link {
            if let Some(rows) = &self.rows {
                rows.end()?;
            }
            link.finish()?;
        }
        Ok(())
    }
}

/// The flags of a run across processes, taken (and hidden) only to say that this build
/// cannot run one: clap alone would call them unknown, as if mistyped.
#[cfg(not(feature = "distributed"))]
#[derive(clap::Args, Debug)]
pub struct ClusterArgs {
    #[arg(long, hide = true)]
    processes: Option<String>,
    #[arg(long, hide = true)]
    process: Option<String>,
    #[arg(long, hide = true)]
    hostfile: Option<String>,
    #[arg(long, hide = true)]
    connect_timeout: Option<String>,
}

#[cfg(not(feature = "distributed"))]
impl ClusterArgs {
    pub fn silence_others(&self) -> anyhow::Result<()> {
        self.refuse_across()
    }

    pub fn across(&self) -> bool {
        false
    }

    pub fn writes_outputs(&self) -> anyhow::Result<bool> {
        self.refuse_across()?;
        Ok(true)
    }

    fn refuse_across(&self) -> anyhow::Result<()> {
        let flags = [
            ("--processes", &self.processes),
            ("--process", &self.process),
            ("--hostfile", &self.hostfile),
            ("--connect-timeout", &self.connect_timeout),
        ];
        if let Some((flag, _)) = flags.iter().find(|(_, v)| v.is_some()) {
            anyhow::bail!(
                "{flag}: this coordnet was built without the `distributed` feature, which runs \
                 across processes; build it with `cargo build --release --features \
                 distributed`, or leave out --processes, --process and --hostfile"
            );
        }
        Ok(())
    }

    pub fn read(
        &self,
        inputs: &[PathBuf],
        opts: &IngestOptions,
        progress: &dyn Progress,
    ) -> anyhow::Result<(Read, Session)> {
        let read = ingest_with_progress(inputs, opts, progress)?;
        Ok((Some(read), Session::default()))
    }
}

#[cfg(feature = "distributed")]
pub use across::ClusterArgs;

/// `--help` shows the library's defaults, in every command that runs across processes.
pub fn show_defaults(cmd: clap::Command) -> clap::Command {
    #[cfg(feature = "distributed")]
    if cmd.get_arguments().any(|a| a.get_id() == "connect_timeout") {
        let timeout = coordnet::distributed::Cluster::CONNECT_TIMEOUT.as_secs();
        return super::with_defaults(cmd, &[("connect_timeout", timeout.to_string())]);
    }
    cmd
}

#[cfg(feature = "distributed")]
mod across {
    use super::*;
    use coordnet::distributed::{fingerprint, Cluster, Link, RowsAcross};
    use coordnet::ingest::{Gathered, Shipment};
    use std::time::Duration;

    const HEADING: &str = "Across processes";

    #[derive(clap::Args, Debug)]
    pub struct ClusterArgs {
        /// Run across N processes, one per host or several on one: start each with the same
        /// command line and its own --process. Each reads its share of the inputs; process 0
        /// gathers, finds the clusters and writes the outputs, the same as one process would
        /// [default: one process, this one].
        #[arg(long, value_parser = crate::cli::whole::<usize>, value_name = "N", requires_all = ["process", "hostfile"], help_heading = HEADING)]
        pub processes: Option<usize>,

        /// This process's number, 0 to N-1 [default: none; needed with --processes].
        #[arg(long, value_parser = crate::cli::whole::<usize>, value_name = "I", requires = "processes", help_heading = HEADING)]
        pub process: Option<usize>,

        /// A file with one host:port line per process, in process order; each process listens
        /// on its own line's port [default: none; needed with --processes].
        #[arg(long, value_name = "HOSTS", requires = "processes", help_heading = HEADING)]
        pub hostfile: Option<PathBuf>,

        /// Seconds to wait for the other processes to start, and for a word from one once
        /// started (a paused or frozen process is given up after this).
        #[arg(long, value_parser = crate::cli::whole::<u64>, value_name = "SECS", requires = "processes", help_heading = HEADING)]
        pub connect_timeout: Option<u64>,
    }

    impl ClusterArgs {
        /// Whether the flags name a run across processes.
        pub fn across(&self) -> bool {
            self.processes.is_some()
        }

        /// Whether this process writes the outputs: process 0 of a run across processes.
        pub fn writes_outputs(&self) -> anyhow::Result<bool> {
            Ok(self.cluster()?.is_none_or(|c| c.is_first()))
        }

        /// On a process other than 0, print nothing but errors: process 0 speaks for the run.
        pub fn silence_others(&self) -> anyhow::Result<()> {
            if self.cluster()?.is_some_and(|c| !c.is_first()) {
                crate::cli::progress::set_silent();
            }
            Ok(())
        }

        /// Read the inputs, across the processes if the flags name some. A process other than
        /// 0 then holds the rows it parsed and, until it is let go, does the graphs' and
        /// scoring's work on them and on the items it owns, as process 0 asks.
        pub fn read(
            &self,
            inputs: &[PathBuf],
            opts: &IngestOptions,
            progress: &dyn Progress,
        ) -> anyhow::Result<(Read, Session)> {
            let Some(mut cluster) = self.cluster()? else {
                let read = ingest_with_progress(inputs, opts, progress)?;
                return Ok((Some(read), Session::default()));
            };
            cluster.parse_ahead = coordnet::ingest::parse_ahead(opts);
            let link = self.start(&cluster, inputs)?;
            match coordnet::ingest::ingest_across(inputs, opts, progress, &link) {
                Ok(Gathered::First(data, mut stats, held, own)) => {
                    link.gathered()?;
                    let mut rows = RowsAcross::new(&link, held, data.tweets());
                    rows.hold_own(*own);
                    rows.name_far_dates(&data, &mut stats)?;
                    let session = Session {
                        link: Some(link),
                        rows: Some(std::sync::Arc::new(rows)),
                    };
                    Ok((Some((data, stats)), session))
                }
                Ok(Gathered::Other(kept)) => {
                    // Failing, this process stops at once: process 0 sees it go.
                    coordnet::distributed::serve_rows(&link, kept)?;
                    link.finish()?;
                    Ok((None, Session::default()))
                }
                // Process 0 stops at once: the others see its connections close and stop.
                Err(e) if cluster.is_first() => Err(e.into()),
                // Another process has told process 0 why; it waits for that to arrive
                // (process 0 then stops, which ends the wait) and fails with its own words.
                Err(e) => {
                    let _ = link.finish();
                    Err(e.into())
                }
            }
        }

        /// The cluster the flags describe, `None` for a run on one process.
        pub fn cluster(&self) -> anyhow::Result<Option<Cluster>> {
            let (Some(n), Some(i), Some(hosts)) = (self.processes, self.process, &self.hostfile)
            else {
                return Ok(None);
            };
            let mut c = Cluster::new(hosts, n, i)?;
            if let Some(s) = self.connect_timeout {
                c.connect_timeout = Duration::from_secs(s);
            }
            Ok(Some(c))
        }

        /// Connect to the other processes. Every process must be started with the same
        /// arguments (`--process` and `--threads` aside) and see the same inputs, by name and
        /// size: what is compared is a digest of both.
        pub fn start(
            &self,
            cluster: &Cluster,
            inputs: &[PathBuf],
        ) -> anyhow::Result<Link<Shipment>> {
            let mut args: Vec<String> = Vec::new();
            let mut given = std::env::args_os().skip(1);
            while let Some(a) = given.next() {
                let s = a.to_string_lossy();
                // Each process's own, and each host's: its memory and its disks.
                let own = [
                    "--process",
                    "--threads",
                    "--connect-timeout",
                    "--memory-limit",
                    "--temp-dir",
                ];
                if own.contains(&s.as_ref()) {
                    given.next();
                    continue;
                }
                if own.iter().any(|p| s.starts_with(&format!("{p}="))) {
                    continue;
                }
                if s == "-q" || s == "--quiet" {
                    continue; // what a process prints is its own business
                }
                args.push(s.into_owned());
            }
            let digest = fingerprint(&args, inputs)?;
            Ok(cluster.start(digest)?)
        }
    }
}

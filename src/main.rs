//! The `coordnet` command: a thin layer that parses flags and calls the library.

mod cli;

// Large runs allocate and free big buffers stage after stage; with glibc's allocator the page
// faults on fresh pages cost about 15% of a 1M-tweet detect (measured A/B: 9.3 s against 8.0 s).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

/// mimalloc's `mi_option_purge_delay` (v3's option enum, in the libmimalloc-sys version
/// pinned in Cargo.toml): how long freed memory waits before it goes back to the system.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The purge delay while the budget has room. At 0, pages a stage frees go back and the next
/// allocation faults them in again: a 1.28M-tweet detect took 335k faults and 1.3 s of kernel
/// time; at 100 ms, 210k and 0.9 s, 5% faster, for a peak 10% higher (docs/performance.md).
/// mimalloc's default, 1 s, kept a 10^7-tweet run's ingest buffers resident into the graphs
/// (1.7 GB where 1.0 GB was live). A small run never purges (-1, `memory::HOLD_FREED_UP_TO`);
/// near the limit, and past 2 GiB, the delay is 0 (`memory::Freed`).
const KEPT_MS: std::ffi::c_long = 100;

fn purge_delay(freed: coordnet::memory::Freed) {
    let ms = match freed {
        coordnet::memory::Freed::Held => -1,
        coordnet::memory::Freed::Kept => KEPT_MS,
        coordnet::memory::Freed::Returned => 0,
    };
    // SAFETY: sets an integer option of the allocator, read on its next purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
}

fn main() -> ExitCode {
    // `MIMALLOC_PURGE_DELAY` in the environment still decides.
    // Held only once a check of the budget finds the run small: commands that never check
    // it (`communities` on a large edge list, `synth`) keep the moment's delay.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        purge_delay(coordnet::memory::Freed::Kept);
        coordnet::memory::on_freed(purge_delay);
    }
    // Freed memory goes back soon, so a later allocation faults its pages in again; with transparent
    // huge pages on (`always`, as many Linux systems set them), each such fault zeroes 2 MB
    // where a few KB were wanted: measured, 9% of a 1.28M-tweet detect's CPU was the kernel
    // clearing pages. So they are off for this process (PR_SET_THP_DISABLE): peak 290 -> 231 MB
    // there, and at 10^7 tweets 1.62 -> 1.53 GB, at the same speed (docs/performance.md).
    #[cfg(target_os = "linux")]
    // SAFETY: a process-wide flag for the kernel, set before any thread starts.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // Ctrl-C, SIGTERM (a scheduler's time limit, `docker stop`) and SIGHUP (a dropped ssh
    // session) leave no partial output behind (a detect's staging folder is hundreds of MB at
    // scale); the temporary files of --temp-dir are unlinked already. 130: as the shell reports
    // a program stopped by SIGINT.
    let _ = ctrlc::set_handler(|| {
        let removed = coordnet::report::safe::remove_unfinished();
        let what = match removed {
            0 => String::new(),
            n => format!("; {n} unfinished output(s) removed"),
        };
        // The progress line is cleared first, not written after: a terminal's only.
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            eprint!("\r\x1b[2K");
        }
        coordnet::tell!("coordnet: stopped by a signal{what}");
        std::process::exit(130);
    });
    let result = cli::run();
    if coordnet::report::safe::stopped() {
        // The handler is removing what was being written (the writers' errors say only
        // that), and exits with 130.
        loop {
            std::thread::park();
        }
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`coordnet stats ... | head`) is not a failure.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // The library names the setting to change; the command line names its flag.
            let hint = e
                .chain()
                .find_map(|c| c.downcast_ref::<coordnet::Error>()?.setting())
                .map_or(String::new(), |s| {
                    format!(" (set with {})", cli::flag_for(s))
                });
            // The causes, outermost first; a coordnet error already says what its cause said.
            let mut message = String::new();
            for c in e.chain() {
                if !message.is_empty() {
                    message.push_str(": ");
                }
                message.push_str(&c.to_string());
                if c.is::<coordnet::Error>() {
                    break;
                }
            }
            let message = coordnet::error::shown_lines(&message);
            coordnet::tell!("coordnet: error: {message}{hint}");
            cli::progress::stopped();
            ExitCode::from(2)
        }
    }
}

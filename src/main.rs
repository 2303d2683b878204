//! The `coordnet` command: a thin layer that parses flags and calls the library.

mod cli;

// Large runs allocate and free big buffers stage after stage; with glibc's allocator the page
// faults on fresh pages cost about 15% of a 1M-tweet detect (measured A/B: 9.3 s against 8.0 s).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

/// mimalloc's `mi_option_purge_delay` (v3's option enum, in the libmimalloc-sys version
/// pinned in Cargo.toml): how long freed memory waits before it goes back to the system. Its
/// default, 1 s, kept a 10^7-tweet run's ingest buffers and texts resident into the graph stage
/// (1.7 GB resident where 1.0 GB was live); at 0 the peak of a 1M-tweet detect fell from 490
/// to 407 MB at the same speed. `MIMALLOC_PURGE_DELAY` in the environment still decides.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an integer option of the allocator, read on its next purge.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    // Memory goes back at once, so a later allocation faults its pages in again; with transparent
    // huge pages on (`always`, as on this machine), each such fault zeroes 2 MB where a few KB were
    // wanted: 9% of a 1.28M-tweet detect's CPU was the kernel clearing pages. So they are off
    // for this process (PR_SET_THP_DISABLE): peak 290 -> 231 MB there, and at 10^7 tweets 1.62 ->
    // 1.53 GB, at the same speed (docs/performance.md).
    #[cfg(target_os = "linux")]
    // SAFETY: a process-wide flag for the kernel, set before any thread starts.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    match cli::run() {
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
            eprintln!("coordnet: error: {message}{hint}");
            ExitCode::from(2)
        }
    }
}

//! The `nfd-compat` binary: parse arguments, run, map the outcome to an exit status.
//!
//! The process starts at a C `main`, not Rust's: Rust's start-up reads `/proc/self/maps` to
//! place a guard for the main thread's stack, a fifth of the instructions of
//! `nfd-compat --version` and 90 µs of its time (docs/DECISIONS.md, "Start-up is part of the
//! job"). [`prepare_process`] does the rest of what it did.

#![no_main]

use std::ffi::{CStr, OsString, c_char, c_int};
use std::os::unix::ffi::OsStringExt as _;

use clap::FromArgMatches as _;
use clap::error::ErrorKind;
use nfd_compat::app::{self, ExitStatus};
use nfd_compat::cli::Cli;
use nfd_compat::help;

// Fleet runs allocate and free many small strings on several threads, where glibc's malloc
// spent a fifth of the time in its own bookkeeping. Built without transparent huge pages
// (`no_thp`): with them, a single-node run's peak RSS doubled to ~19 MB. The v2 line starts
// faster than v3 (fewer page faults initialising its arena) and runs as fast.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[expect(unsafe_code, reason = "the process's C entry point")]
#[unsafe(no_mangle)]
extern "C" fn main(count: c_int, vector: *const *const c_char) -> c_int {
    prepare_process();
    let args = arguments(count, vector);
    // A panic leaves with 101 and its message, as from a Rust `main`.
    let code = std::panic::catch_unwind(|| run(&args)).unwrap_or(101);
    // Flushes standard output, as returning from a Rust `main` does.
    std::process::exit(code)
}

/// What Rust's start-up does before `main`, less the stack guard:
/// - writing to a closed pipe is an error (`BrokenPipe`) that `app` handles, not a signal that
///   ends the process before it reports its verdict;
/// - standard input, output and error are open (on `/dev/null` if they were closed), so no file
///   the program opens can take their numbers and receive its output.
#[expect(
    unsafe_code,
    reason = "libc calls on the process's own signal and descriptor table"
)]
fn prepare_process() {
    // SAFETY: no other thread runs yet, and SIG_IGN installs no handler code.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    for fd in 0..3 {
        // SAFETY: F_GETFD only reads the descriptor's flags.
        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
        // SAFETY: a constant NUL-terminated path; open returns the lowest free number, `fd`.
        if closed && unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) } != fd {
            // Rust's start-up aborts here too: output would land in whatever file took `fd`.
            std::process::abort();
        }
    }
}

/// The command line as the C runtime passed it to `main`. On some targets (musl among them)
/// `std::env::args_os` is filled in by Rust's start-up, which does not run here.
#[expect(unsafe_code, reason = "reading the C runtime's argument vector")]
fn arguments(count: c_int, vector: *const *const c_char) -> Vec<OsString> {
    (0..usize::try_from(count).unwrap_or(0))
        .map(|i| {
            // SAFETY: the C runtime passes `count` pointers to NUL-terminated strings in `vector`,
            // which live for the whole process.
            let arg = unsafe { CStr::from_ptr(*vector.add(i)) };
            OsString::from_vec(arg.to_bytes().to_vec())
        })
        .collect()
}

fn run(args: &[OsString]) -> c_int {
    // The command and its matches are left to the exit, as a command's other large values
    // are: freeing them took 27,000 instructions of every run.
    let parse = |mut cmd: clap::Command| {
        let matches = cmd.try_get_matches_from_mut(args);
        app::discard(cmd);
        matches.and_then(|m| {
            let cli = Cli::from_arg_matches(&m);
            app::discard(m);
            cli
        })
    };
    let cli = match parse(help::command_bare()) {
        Ok(cli) => cli,
        Err(e) if e.kind() == ErrorKind::DisplayVersion => e.exit(),
        // Help and usage errors: parsed again with the help sections, which help shows.
        Err(_) => match parse(help::command_for(args)) {
            Ok(cli) => cli,
            Err(e) => {
                app::usage_error(&e, args);
                e.exit()
            }
        },
    };
    match app::run(cli) {
        Ok(status) => c_int::from(u8::from(status)),
        Err(err) => {
            app::print_error(&err);
            c_int::from(u8::from(ExitStatus::Error))
        }
    }
}

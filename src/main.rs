//! The `nfd-compat` binary: parse arguments, run, map the outcome to an exit status.

use std::process::ExitCode;

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

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The command and its matches are left to the exit, as a command's other large values
    // are: freeing them took 27,000 instructions of every run.
    let parse = |mut cmd: clap::Command| {
        let matches = cmd.try_get_matches_from_mut(&args);
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
        Err(_) => match parse(help::command_for(&args)) {
            Ok(cli) => cli,
            Err(e) => {
                app::usage_error(&e, &args);
                e.exit()
            }
        },
    };
    match app::run(cli) {
        Ok(status) => ExitCode::from(u8::from(status)),
        Err(err) => {
            app::print_error(&err);
            ExitCode::from(u8::from(ExitStatus::Error))
        }
    }
}

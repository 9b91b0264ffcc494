//! The `nfd-compat` binary: parse arguments, run, map the outcome to an exit status.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use nfd_compat::app::{self, ExitStatus};
use nfd_compat::cli::Cli;

// Fleet runs allocate and free many small strings on several threads, where glibc's malloc
// spent a fifth of the time in its own bookkeeping. Built without transparent huge pages
// (`no_thp`): with them, a single-node run's peak RSS doubled to ~19 MB.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match app::run(cli) {
        Ok(status) => ExitCode::from(u8::from(status)),
        Err(err) => {
            // A closed stdout is not an error here: the report writer drops the rest and the
            // command keeps its verdict (`app::stdout`). A broken pipe that reaches this point
            // came from elsewhere (a registry connection) and is a real error.
            let _ = writeln!(io::stderr().lock(), "error: {err:#}");
            ExitCode::from(u8::from(ExitStatus::Error))
        }
    }
}

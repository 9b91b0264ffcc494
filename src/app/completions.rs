//! `completions` and `man`: shell completion scripts and man pages, generated from the
//! command-line definition so they cannot fall behind it.
//!
//! The generated files are committed under `completions/` (`tests/it/completions.rs` checks
//! that they match the binary's output).

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result};
use clap::CommandFactory as _;
use clap_complete::Shell;

use super::ExitStatus;
use crate::cli::{Cli, CompletionsArgs, ManArgs};

/// The program name used in completions and man pages.
const BIN: &str = "nfd-compat";

/// The completion script for `shell`.
pub(crate) fn completion_script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut out);
    out
}

/// The man pages: `nfd-compat.1` and one per subcommand (`nfd-compat-validate-node.1`,
/// `nfd-compat-export-features.1`, ...), as `(file name, roff)`.
pub(crate) fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    add_pages(&cmd, &mut pages)?;
    Ok(pages)
}

fn add_pages(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut roff = Vec::new();
    man.render(&mut roff)
        .context("cannot render the man page")?;
    pages.push((man.get_filename(), roff));
    // clap's generated `help` subcommands get no page.
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        add_pages(sub, pages)?;
    }
    Ok(())
}

/// `completions SHELL`.
pub(crate) fn run(args: &CompletionsArgs) -> Result<ExitStatus> {
    let mut out = super::stdout();
    out.write_all(&completion_script(args.shell))?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `man`.
pub(crate) fn man(args: &ManArgs) -> Result<ExitStatus> {
    let pages = man_pages()?;
    match &args.dir {
        None => {
            let mut out = super::stdout();
            if let Some((_, roff)) = pages.first() {
                out.write_all(roff)?;
            }
            out.flush()?;
        }
        Some(dir) => {
            fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
            for (name, roff) in &pages {
                super::write_atomically(&Path::new(dir).join(name), roff)?;
            }
        }
    }
    Ok(ExitStatus::Success)
}

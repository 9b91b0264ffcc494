//! `completions` and `man`: shell completion scripts and man pages, generated from the
//! command-line definition so they cannot fall behind it.
//!
//! The generated files are committed under `completions/` (`tests/it/completions.rs` checks
//! that they match the binary's output).

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result};
use clap_complete::Shell;

use super::{ExitStatus, Printer};
use crate::help;

/// The program name used in completions and man pages.
const BIN: &str = "nfd-compat";

/// The completion script for `shell`.
pub(crate) fn completion_script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut help::command(), BIN, &mut out);
    if shell == Shell::Bash {
        out = fix_bash_state_names(&out);
    }
    out
}

/// clap_complete's bash script tracks the subcommand path in a `cmd` state built as
/// `nfd__compat__subcmd__validate__subcmd__node` (the binary's `-` turned into `__`), but spells
/// the matching `case` arms `nfd__subcmd__compat__subcmd__...` (its `-` turned into the
/// subcommand separator), so no arm below the top level ever matched and `nfd-compat
/// validate-node --pl<TAB>` completed nothing. Spell the arms the way the state is built.
fn fix_bash_state_names(script: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(script);
    let wrong = format!("{}__subcmd__", BIN.replace('-', "__subcmd__"));
    let right = format!("{}__subcmd__", BIN.replace('-', "__"));
    text.replace(&wrong, &right).into_bytes()
}

/// The man pages: `nfd-compat.1` and one per subcommand (`nfd-compat-validate-node.1`,
/// `nfd-compat-export-features.1`, ...), as `(file name, roff)`. Each has clap's sections
/// (NAME, SYNOPSIS, DESCRIPTION, OPTIONS, SUBCOMMANDS), then EXAMPLES, EXIT STATUS and
/// ENVIRONMENT, and the main page the version (without the commit, so that the committed
/// pages do not change with every commit).
pub(crate) fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = help::command()
        .version(help::MAN_VERSION.as_str())
        .long_version(None);
    cmd.build();
    let mut pages = Vec::new();
    add_pages(&cmd, "", &mut pages)?;
    Ok(pages)
}

fn add_pages(cmd: &clap::Command, path: &str, pages: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut roff = Vec::new();
    let render = |roff: &mut Vec<u8>| -> std::io::Result<()> {
        man.render_title(roff)?;
        man.render_name_section(roff)?;
        man.render_synopsis_section(roff)?;
        man.render_description_section(roff)?;
        if cmd.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(roff)?;
        }
        if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
            man.render_subcommands_section(roff)?;
        }
        roff.write_all(help::man_roff(path).as_bytes())?;
        if cmd.get_version().is_some() {
            man.render_version_section(roff)?;
        }
        Ok(())
    };
    render(&mut roff).context("cannot render the man page")?;
    pages.push((man.get_filename(), roff));
    // clap's generated `help` subcommands get no page.
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let sub_path = if path.is_empty() {
            sub.get_name().to_owned()
        } else {
            format!("{path} {}", sub.get_name())
        };
        add_pages(sub, &sub_path, pages)?;
    }
    Ok(())
}

/// `completions SHELL`.
pub(crate) fn run(shell: clap_complete::Shell, printer: Printer) -> Result<ExitStatus> {
    let mut out = printer.stdout();
    out.write_all(&completion_script(shell))?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `man`.
pub(crate) fn man(dir: Option<&Path>, printer: Printer) -> Result<ExitStatus> {
    let pages = man_pages()?;
    match dir {
        None => {
            let mut out = printer.stdout();
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

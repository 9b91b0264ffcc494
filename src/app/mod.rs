//! Resolves the command line into work and runs it. One file per command; this module holds
//! the exit status, the dispatch and the input/output helpers they share. The command line is
//! first resolved into typed settings (`settings`), which raise every usage error before any
//! I/O; all output goes through the `printer`.

mod artifacts;
mod completions;
mod copy;
mod discover;
mod export;
mod fleet;
mod image;
mod init;
mod lint;
mod nodes;
mod printer;
mod schema;
mod settings;
mod validate;

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::cli::{Cli, ColorChoice, Command};
use crate::spec;
use crate::warning::{Topic, Warning};
pub(crate) use printer::Printer;
use settings::Settings;

/// Ends the use of a large value of plain data (a spec, a node's features, a report, the parsed
/// command line) without freeing it. [`run`] is the process's one command, and the exit frees
/// all of its memory at once: freeing a 1,000-rule spec and its node block by block first was
/// 5% of a run. Clang skips the same work the same way (`-disable-free`). Only for values whose
/// drop does nothing but free memory, and at most once per input, so memory stays bounded.
pub fn discard<T>(value: T) {
    std::mem::forget(value);
}

/// The process exit status: the verdict, or an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: compatible (or a command that succeeded).
    Success,
    /// 1: incompatible.
    Incompatible,
    /// 2: an error.
    Error,
}

impl From<ExitStatus> for u8 {
    fn from(s: ExitStatus) -> u8 {
        match s {
            ExitStatus::Success => 0,
            ExitStatus::Incompatible => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Runs the command.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    let stdout_tty = io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_tty && !no_color,
    };
    let printer = Printer::new(color, cli.quiet, stdout_tty);
    // A usage error of validate-node is also a CI format's document, as its other errors.
    let fatal_format = match &cli.command {
        Command::ValidateNode(args) if !args.output_json => Some(args.output),
        _ => None,
    };
    let settings = match settings::resolve(cli.command) {
        Ok(settings) => settings,
        Err(err) => {
            if let Some(format) = fatal_format {
                validate::print_fatal(printer, format, &format!("{err:#}"));
            }
            return Err(err);
        }
    };
    match settings {
        Settings::Validate(s) => validate::run(&s, printer),
        Settings::ExportFeatures(s) => export::features(&s, printer),
        Settings::ExportGroup(s) => export::node_feature_group(&s, printer),
        Settings::ExportRule(s) => export::node_feature_rule(&s, printer),
        Settings::Attach(s) => artifacts::attach(&s, printer),
        Settings::List(s) => artifacts::list(&s, printer),
        Settings::Fetch(s) => artifacts::fetch(&s, printer),
        Settings::Detach(s) => artifacts::detach(&s, printer),
        Settings::Copy(s) => copy::run(&s, printer),
        Settings::Schema => schema::run(printer),
        Settings::Completions(shell) => completions::run(shell, printer),
        Settings::Man(dir) => completions::man(dir.as_deref(), printer),
        Settings::Init(s) => init::run(&s, printer),
        Settings::Lint(s) => lint::run(&s, printer),
    }
}

/// A command line clap rejected: when it asks `validate-node` for `-o junit` or `-o github`,
/// the error is also printed as that format's document, so that a CI gate reading it sees
/// the failure (clap then prints the error and exits).
pub fn usage_error(err: &clap::Error, args: &[std::ffi::OsString]) {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return;
    }
    // Whether the command is validate-node, as far as the command line can be read.
    let Ok(matches) = crate::help::command()
        .ignore_errors(true)
        .try_get_matches_from(args)
    else {
        return;
    };
    if !matches!(matches.subcommand(), Some(("validate-node", _))) {
        return;
    }
    // The format asked for, read from the words themselves: clap stops at the error.
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .skip_while(|w| w != "validate-node")
        .collect();
    if words.iter().any(|w| w == "--output-json") {
        return;
    }
    let mut format = None;
    for (i, w) in words.iter().enumerate() {
        let value = match w.as_str() {
            "-o" | "--output" => words.get(i + 1).map(String::as_str),
            _ => w
                .strip_prefix("--output=")
                .or_else(|| w.strip_prefix("-o").filter(|v| !v.is_empty())),
        };
        if let Some(v) = value
            .and_then(|v| <crate::cli::ReportFormat as clap::ValueEnum>::from_str(v, false).ok())
        {
            format = Some(v);
        }
    }
    let Some(format) = format else {
        return;
    };
    // The error's own words, without clap's usage lines.
    let rendered = err.render().to_string();
    let message = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    // clap's error comes before the settings: no colour is asked for yet, and none is needed.
    let printer = Printer::new(false, false, false);
    validate::print_fatal(printer, format, message.trim_start_matches("error: "));
}

/// Prints the error that ended the run: `error: ...` with its causes, on stderr.
///
/// A closed stdout is not an error here: the report writer drops the rest and the command
/// keeps its verdict ([`printer::Stdout`]). A broken pipe that reaches this point came from
/// elsewhere (a registry connection) and is a real error. The message may quote a name from a
/// spec or a snapshot: the printer escapes control characters.
pub fn print_error(err: &anyhow::Error) {
    Printer::new(false, false, false).error(&format!("{err:#}"));
}

/// Whether `err` is a broken pipe (`nfd-compat ... | head`): a normal way to stop reading.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// How a path is shown in messages (`-` is stdin).
pub(crate) fn display_path(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        format!("`{}`", path.display())
    }
}

/// How a path is given as data (reports): as written, `<stdin>` for `-`.
pub(crate) fn plain_path(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads a file (or stdin for `-`), refusing more than `limit` bytes before reading them all.
pub(crate) fn read_input(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>> {
    let too_large = |len: u64| {
        anyhow::anyhow!(
            "{what} {} is {len} bytes; the limit is {limit}",
            display_path(path)
        )
    };
    let limit64 = u64::try_from(limit).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        io::stdin()
            .lock()
            .take(limit64 + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {what} from stdin"))?;
        if bytes.len() > limit {
            bail!("{what} on stdin is larger than {limit} bytes");
        }
        return Ok(bytes);
    }
    if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        bail!("{what} {} is a directory, not a file", display_path(path));
    }
    let file = crate::input::open_regular(path)
        .with_context(|| format!("cannot open {what} {}", display_path(path)))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read {what} {}", display_path(path)))?;
    if meta.len() > limit64 {
        return Err(too_large(meta.len()));
    }
    file.take(limit64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {what} {}", display_path(path)))?;
    if bytes.len() > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Loads a spec, adding its warnings (prefixed with where it came from) to `warnings`.
pub(crate) fn load_spec(
    bytes: &[u8],
    name: &str,
    warnings: &mut Vec<Warning>,
) -> Result<spec::Loaded> {
    let loaded = spec::load(bytes).map_err(|e| {
        let sep = if e.pos.is_some() { "" } else { " " };
        anyhow::anyhow!("spec {name}:{sep}{e}")
    })?;
    warnings.extend(
        loaded
            .warnings
            .iter()
            .map(|w| Warning::new(Topic::Spec, format!("spec {name}:{w}"))),
    );
    Ok(loaded)
}

/// Writes `bytes` to `path` ([`write_atomically`]), or to stdout when there is no path.
pub(crate) fn write_output(printer: Printer, path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(path) => write_atomically(path, bytes),
        None => {
            let mut out = printer.stdout();
            out.write_all(bytes)?;
            Ok(out.flush()?)
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so that a failure
/// never leaves a partial file behind.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("`{}` is not a file path", path.display()))?;
    let mut tmp = PathBuf::from(dir);
    tmp.push(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write `{}`", path.display()));
    }
    Ok(())
}

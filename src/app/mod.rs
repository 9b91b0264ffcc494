//! Resolves the command line into work and runs it. One file per command; this module holds
//! the exit status, the dispatch and the input/output helpers they share.

mod artifacts;
mod completions;
mod copy;
mod discover;
mod export;
mod fleet;
mod image;
mod init;
mod lint;
mod schema;
mod validate;

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::cli::{Cli, ColorChoice, Command, ExportCommand};
use crate::spec;

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

/// Settings every command shares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Global {
    /// Whether to colour the report.
    pub(crate) color: bool,
    /// Whether to hide warnings.
    pub(crate) quiet: bool,
}

/// Runs the command.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    let stdout_tty = io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let global = Global {
        color: match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_tty && !no_color,
        },
        quiet: cli.quiet,
    };
    match cli.command {
        Command::ValidateNode(args) => validate::run(&args, global, stdout_tty),
        Command::Export(ExportCommand::Features(args)) => export::features(&args, global),
        Command::Attach(args) => artifacts::attach(&args, global),
        Command::List(args) => artifacts::list(&args, global),
        Command::Fetch(args) => artifacts::fetch(&args, global),
        Command::Detach(args) => artifacts::detach(&args, global),
        Command::Copy(args) => copy::run(&args, global),
        Command::Schema => schema::run(),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => completions::man(&args),
        Command::Init(args) => init::run(&args, global),
        Command::Lint(args) => lint::run(&args),
        Command::Export(ExportCommand::NodeFeatureGroup(args)) => {
            export::node_feature_group(&args, global)
        }
        Command::Export(ExportCommand::NodeFeatureRule(args)) => {
            export::node_feature_rule(&args, global)
        }
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
    validate::print_fatal(format, message.trim_start_matches("error: "));
}

/// Whether `err` is a broken pipe (`nfd-compat ... | head`): a normal way to stop reading.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

pub(crate) fn warn(global: Global, message: &str) {
    if !global.quiet {
        let _ = writeln!(
            io::stderr().lock(),
            "warning: {}",
            crate::report::text::escape(message)
        );
    }
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
    warnings: &mut Vec<String>,
) -> Result<spec::Loaded> {
    let loaded = spec::load(bytes).map_err(|e| {
        let sep = if e.pos.is_some() { "" } else { " " };
        anyhow::anyhow!("spec {name}:{sep}{e}")
    })?;
    warnings.extend(loaded.warnings.iter().map(|w| format!("spec {name}:{w}")));
    Ok(loaded)
}

/// Prints each of `warnings` (see [`warn`]).
pub(crate) fn warn_all(global: Global, warnings: &[String]) {
    for w in warnings {
        warn(global, w);
    }
}

/// Standard output, where a closed pipe (`nfd-compat ... | head -1`) means the reader stopped
/// reading: what is left is dropped and the command still ends with its verdict, so a
/// `set -o pipefail` gate sees 1 for an incompatible node, not 0 and not a write error.
///
/// It is buffered (64 KiB): stdout itself is line-buffered, and a report of thousands of lines
/// would otherwise be thousands of writes.
pub(crate) struct Stdout {
    inner: io::BufWriter<io::StdoutLock<'static>>,
    closed: bool,
}

/// The report's destination (see [`Stdout`]).
pub(crate) fn stdout() -> Stdout {
    Stdout {
        inner: io::BufWriter::with_capacity(1 << 16, io::stdout().lock()),
        closed: false,
    }
}

impl Stdout {
    fn settle<T>(&mut self, result: io::Result<T>, closed: T) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(closed)
            }
            other => other,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.settle(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.settle(result, ())
    }
}

/// Writes `bytes` to `path` ([`write_atomically`]), or to stdout when there is no path.
pub(crate) fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(path) => write_atomically(path, bytes),
        None => {
            let mut out = stdout();
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

//! The printer: the one owner of stdout and stderr. Commands write their output through
//! [`Printer::stdout`] and tell the user things through [`Printer::warn`] (`warning: ...`),
//! [`Printer::info`] (progress lines such as `attached ...`), both hidden by `--quiet`, and
//! [`Printer::error`] and [`Printer::debug`], never hidden. It also knows whether to colour
//! and how wide the terminal is.

use std::io::{self, Write};

use crate::report::text::escape;
use crate::warning::Warning;

/// Where output goes and how it looks (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Printer {
    /// Whether to colour reports.
    color: bool,
    /// Whether to hide warnings and informational lines.
    quiet: bool,
    /// Whether stdout is a terminal.
    stdout_tty: bool,
}

impl Printer {
    /// A printer with these settings.
    pub(crate) fn new(color: bool, quiet: bool, stdout_tty: bool) -> Self {
        Printer {
            color,
            quiet,
            stdout_tty,
        }
    }

    /// Whether to colour reports.
    pub(crate) fn color(self) -> bool {
        self.color
    }

    /// Whether `--quiet` was given.
    pub(crate) fn quiet(self) -> bool {
        self.quiet
    }

    /// The terminal's width when stdout is a terminal (tables fit it), else `None`.
    pub(crate) fn width(self) -> Option<u16> {
        if self.stdout_tty {
            crate::report::table::terminal_width()
        } else {
            None
        }
    }

    /// Standard output (see [`Stdout`]).
    #[expect(
        clippy::unused_self,
        reason = "every write goes through the printer, whatever it needs of it"
    )]
    pub(crate) fn stdout(self) -> Stdout {
        Stdout {
            inner: io::BufWriter::with_capacity(1 << 16, io::stdout().lock()),
            closed: false,
        }
    }

    /// `warning: ...` on stderr, unless `--quiet`.
    pub(crate) fn warn(self, warning: &Warning) {
        if !self.quiet {
            stderr_line(&format!("warning: {}", escape(&warning.to_string())));
        }
    }

    /// Each of `warnings` (see [`Printer::warn`]).
    pub(crate) fn warn_all(self, warnings: &[Warning]) {
        for w in warnings {
            self.warn(w);
        }
    }

    /// An informational line on stderr (what a command did), unless `--quiet`.
    pub(crate) fn info(self, message: &str) {
        if !self.quiet {
            stderr_line(&escape(message));
        }
    }

    /// `error: ...` on stderr, for an error the command goes on after.
    #[expect(
        clippy::unused_self,
        reason = "every write goes through the printer, whatever it needs of it"
    )]
    pub(crate) fn error(self, message: &str) {
        stderr_line(&format!("error: {}", escape(message)));
    }

    /// `debug: ...` on stderr (`--debug`'s trace; not hidden by `--quiet`).
    #[expect(
        clippy::unused_self,
        reason = "every write goes through the printer, whatever it needs of it"
    )]
    pub(crate) fn debug(self, line: &str) {
        stderr_line(&format!("debug: {line}"));
    }
}

/// Writes one line to stderr; a failure to write it has nowhere to be reported.
fn stderr_line(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
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

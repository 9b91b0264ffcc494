//! `lint`: check spec files and print what was found, as text lines or JSON.
//!
//! Exit status: 1 when some file has an error finding (a spec that does not load), or a
//! warning with `--strict`; 0 otherwise (notes never fail). A file that cannot be read at all
//! is reported on stderr, the other files are still linted, and the status is 2. With
//! several files the worst status wins.

use std::io::{self, Write};
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::settings::Lint;
use super::{ExitStatus, Printer, read_input};
use crate::cli::LintFormat;
use crate::lint::{self, Finding, Severity};
use crate::report::text::escape;
use crate::spec;

/// The findings of one file.
#[derive(Debug, Serialize)]
struct FileFindings {
    /// The file as given (`<stdin>` for `-`).
    file: String,
    /// What was found, in document order.
    findings: Vec<Finding>,
}

/// `lint`.
pub(crate) fn run(args: &Lint, printer: Printer) -> Result<ExitStatus> {
    let mut status = ExitStatus::Success;
    let mut reports = Vec::new();
    for path in &args.files {
        let file = if path == Path::new("-") {
            "<stdin>".to_owned()
        } else {
            path.display().to_string()
        };
        let bytes = match read_input(path, spec::MAX_SPEC_BYTES, "spec") {
            Ok(bytes) => bytes,
            Err(e) => {
                printer.error(&format!("{e:#}"));
                status = worse(status, ExitStatus::Error);
                continue;
            }
        };
        let checked = spec::load_all(&bytes);
        let findings = lint::findings(&checked);
        super::discard(checked);
        let fails = findings.iter().any(|f| {
            f.severity == Severity::Error || (args.strict && f.severity == Severity::Warning)
        });
        if fails {
            // 1, as grep's "found": the spec has problems; 2 stays for "could not check".
            status = worse(status, ExitStatus::Incompatible);
        }
        reports.push(FileFindings { file, findings });
    }
    let mut out = printer.stdout();
    match args.output {
        LintFormat::Text => render_text(&reports, &mut out)?,
        LintFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &reports)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(status)
}

fn worse(a: ExitStatus, b: ExitStatus) -> ExitStatus {
    let rank = |s: ExitStatus| u8::from(s);
    if rank(b) > rank(a) { b } else { a }
}

/// `FILE:LINE:COL: severity[code]: `path`: message` per finding, then a summary per file.
fn render_text(reports: &[FileFindings], out: &mut impl Write) -> io::Result<()> {
    for r in reports {
        for f in &r.findings {
            let file = escape(&r.file);
            match (f.line, f.column) {
                (Some(line), Some(column)) => write!(out, "{file}:{line}:{column}: ")?,
                _ => write!(out, "{file}: ")?,
            }
            write!(out, "{}[{}]: ", f.severity.as_str(), f.code)?;
            if !f.path.is_empty() {
                write!(out, "`{}`: ", escape(&f.path))?;
            }
            writeln!(out, "{}", escape(&f.message))?;
        }
        let count = |s: Severity| r.findings.iter().filter(|f| f.severity == s).count();
        let mut summary = format!(
            "{}: {}, {}",
            escape(&r.file),
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning")
        );
        let notes = count(Severity::Note);
        if notes > 0 {
            summary.push_str(&format!(", {}", plural(notes, "note")));
        }
        writeln!(out, "{summary}")?;
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

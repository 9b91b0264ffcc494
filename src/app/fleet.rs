//! The fleet presenter of `validate-node`: one row per node and a summary grouped by cause.
//!
//! It takes the stream of evaluated nodes (`nodes`) when there are several: `--features`
//! repeated, a directory, or a single input that turned out to hold more than one node (a
//! single input holding one node gets the one-node report; see `validate`).
//!
//! `-o json` for a fleet is one JSON document written as the nodes complete, in input order:
//! `{"nodes": [<report>, ...], "summary": {...}}`, one node's report per line. `-o junit` is
//! one testcase per node and `-o github` one annotation per node that is not compatible, both
//! written at the end. `-o yaml` and `--output-json` (NFD's shape has no node) are refused for
//! a fleet. The table is coloured as the one-node report is (`--color`).

use std::io::{self, Write};

use anyhow::Result;

use super::settings::{Output, Validate, fleet_output};
use super::validate::{SpecSource, check_tags};
use super::{ExitStatus, Printer};
use crate::cli::ReportFormat;
use crate::fleet::NodeResult;
use crate::fleet::render::{self, NodeCase, Row, Summary};
use crate::report::Verdict;
use crate::report::table::{BOLD, GREEN, RED, RESET, YELLOW};
use crate::warning::Warning;

/// Checks what a fleet cannot do, and prints the warnings: call before [`present`].
pub(crate) fn start(
    args: &Validate,
    source: &SpecSource,
    warnings: &[Warning],
    printer: Printer,
) -> Result<()> {
    fleet_output(args.output)?;
    check_tags(&source.spec, &source.name, &args.tags)?;
    printer.warn_all(warnings);
    Ok(())
}

/// Presents the nodes as a fleet: the table and summary, or a document in the CI formats or
/// JSON (see the module documentation).
pub(crate) fn present(
    args: &Validate,
    nodes: &mut dyn Iterator<Item = NodeResult>,
    printer: Printer,
) -> Result<ExitStatus> {
    let format = match args.output {
        Output::Nfd => ReportFormat::Table,
        Output::Report(format) => format,
    };
    let mut fleet_out = FleetOut::new(format, printer.color());
    let mut out = printer.stdout();
    for r in nodes {
        fleet_out.add(&r, &mut out)?;
    }
    fleet_out.summary.finish();
    let s = &fleet_out.summary;
    let status = if s.errors > 0 {
        ExitStatus::Error
    } else if (args.any && s.compatible > 0) || (!args.any && s.compatible == s.nodes) {
        ExitStatus::Success
    } else {
        ExitStatus::Incompatible
    };
    let gate = render::Gate {
        passes: status == ExitStatus::Success,
        any: args.any,
        quiet: printer.quiet(),
    };
    fleet_out.finish(gate, &mut out)?;
    out.flush()?;
    Ok(status)
}

/// The fleet output as it is produced.
struct FleetOut {
    format: ReportFormat,
    /// Whether to colour the table.
    color: bool,
    rows: Vec<Row>,
    cases: Vec<NodeCase>,
    /// How many of `rows` are failed nodes.
    error_rows: usize,
    summary: Summary,
}

impl FleetOut {
    fn new(format: ReportFormat, color: bool) -> Self {
        FleetOut {
            format,
            color,
            rows: Vec::new(),
            cases: Vec::new(),
            error_rows: 0,
            summary: Summary::default(),
        }
    }

    fn add(&mut self, r: &NodeResult, out: &mut impl Write) -> io::Result<()> {
        if matches!(self.format, ReportFormat::Junit | ReportFormat::Github) {
            self.cases.push(NodeCase::of(r));
        } else if self.format == ReportFormat::Json {
            let line = render::node_json(r)?;
            let sep = if self.summary.nodes == 0 {
                "{\"nodes\":[\n"
            } else {
                ",\n"
            };
            out.write_all(sep.as_bytes())?;
            out.write_all(line.as_bytes())?;
        } else if r.verdict == Verdict::Error && self.error_rows >= render::LISTED_ERROR_ROWS {
            self.summary.unlisted_rows += 1;
        } else {
            self.error_rows += usize::from(r.verdict == Verdict::Error);
            self.rows.push(render::row(r));
        }
        debug_assert!(r.verdict != Verdict::Error || !r.errors.is_empty());
        self.summary.add(r);
        Ok(())
    }

    /// Writes the end of the output; call after [`Summary::finish`].
    fn finish(&self, gate: render::Gate, out: &mut impl Write) -> io::Result<()> {
        match self.format {
            ReportFormat::Json => {
                if self.summary.nodes == 0 {
                    out.write_all(b"{\"nodes\":[")?;
                }
                out.write_all(b"\n],\n\"summary\":")?;
                serde_json::to_writer(&mut *out, &self.summary)?;
                out.write_all(b"}\n")
            }
            ReportFormat::Junit => render::render_junit(&self.cases, &self.summary, out),
            ReportFormat::Github => render::render_github(&self.cases, &self.summary, gate, out),
            ReportFormat::Table | ReportFormat::Yaml if self.color => {
                painted_table(&self.rows, &self.summary, out)
            }
            ReportFormat::Table | ReportFormat::Yaml => {
                render::render_table(&self.rows, &self.summary, out)
            }
        }
    }
}

/// The fleet table in colour: the same layout as [`render::render_table`], with the headers
/// in bold and each verdict in the colour the one-node report gives it.
fn painted_table(rows: &[Row], summary: &Summary, out: &mut impl Write) -> io::Result<()> {
    let mut widths = ["NODE".len(), "VERDICT".len(), "BEST SET".len()];
    for r in rows {
        let cells = [
            r.node.chars().count(),
            r.verdict.len(),
            r.best_set.chars().count(),
        ];
        for (w, c) in widths.iter_mut().zip(cells) {
            *w = (*w).max(c);
        }
    }
    // Pads `text` to `width` columns, then paints it with `codes`.
    let cell = |codes: &str, text: &str, width: usize| {
        let pad = " ".repeat(width.saturating_sub(text.chars().count()));
        format!("{codes}{text}{RESET}{pad}")
    };
    let [node_w, verdict_w, set_w] = widths;
    writeln!(
        out,
        "{}  {}  {}  {}",
        cell(BOLD, "NODE", node_w),
        cell(BOLD, "VERDICT", verdict_w),
        cell(BOLD, "BEST SET", set_w),
        cell(BOLD, "REASONS", 0)
    )?;
    for r in rows {
        let color = match r.verdict {
            "compatible" => GREEN,
            "incompatible" => RED,
            _ => YELLOW,
        };
        let line = format!(
            "{:<node_w$}  {}  {:<set_w$}  {}",
            r.node,
            cell(&format!("{BOLD}{color}"), r.verdict, verdict_w),
            r.best_set,
            r.reasons
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    // What follows the rows (how many were left out, the summary) is fleet::render's own: its
    // table of no rows, without the header line.
    let mut tail = Vec::new();
    render::render_table(&[], summary, &mut tail)?;
    let after_header = tail.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
    out.write_all(&tail[after_header..])
}

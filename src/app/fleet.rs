//! `validate-node --features ...` with snapshots: one node (the single-node report), or a
//! fleet (one row per node and a summary grouped by cause).
//!
//! The fleet path starts when several nodes come in: `--features` repeated, a directory, or a
//! list of more than one item. A single file holding one node (a Features object, a
//! NodeFeature, a one-item list) gets exactly the single-node report. Until the second node
//! arrives the first result is held back, so that the mode is known before anything is
//! printed.
//!
//! `-o json` for a fleet is one JSON document written as the nodes complete, in input order:
//! `{"nodes": [<report>, ...], "summary": {...}}`, one node's report per line. `-o junit` is
//! one testcase per node and `-o github` one annotation per node that is not compatible, both
//! written at the end. `-o yaml` and `--output-json` (NFD's shape has no node) are refused for
//! a fleet.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Result, bail};

use super::settings::{Output, Validate, fleet_output};
use super::validate::{SpecSource, check_tags, finish};
use super::{ExitStatus, Printer, plain_path};
use crate::cli::ReportFormat;
use crate::fleet::render::{self, NodeCase, Row, Summary};
use crate::fleet::{self, NodeResult, Settings};
use crate::report::{Origin, Verdict};
use crate::rules;
use crate::warning::Warning;

/// What the run is, once known.
enum Mode {
    /// One input that may still turn out to hold one node; results held back.
    Undecided(Vec<NodeResult>),
    /// A fleet.
    Fleet,
}

/// Validates the nodes of `args.features`.
pub(crate) fn run(
    args: &Validate,
    paths: &[PathBuf],
    known_fleet: bool,
    source: &SpecSource,
    warnings: Vec<Warning>,
    printer: Printer,
) -> Result<ExitStatus> {
    let single_input = !known_fleet;
    let json = args.output == Output::Report(ReportFormat::Json);
    let format = match args.output {
        Output::Nfd => ReportFormat::Table,
        Output::Report(format) => format,
    };
    let options = rules::Options {
        tags: args.tags.clone(),
        ..rules::Options::default()
    };
    let settings = Settings {
        spec: &source.spec,
        spec_name: &source.label,
        image: source.image.as_ref(),
        options: &options,
        reports: json,
        keep_first: single_input,
        threads: 0,
    };
    let mut mode = if single_input {
        Mode::Undecided(Vec::new())
    } else {
        start_fleet(args, source, &warnings, printer)?;
        Mode::Fleet
    };
    let mut stop: Option<anyhow::Error> = None;
    let mut fleet_out = FleetOut::new(format);
    let mut out = printer.stdout();
    let result = fleet::validate(paths, &settings, &mut |r| {
        if let Mode::Undecided(held) = &mut mode {
            held.push(r);
            if held.len() < 2 {
                return Ok(());
            }
            if let Err(e) = start_fleet(args, source, &warnings, printer) {
                stop = Some(e);
                return Err(io::Error::other("stopped"));
            }
            let held = std::mem::take(held);
            mode = Mode::Fleet;
            for r in held {
                fleet_out.add(&r, &mut out)?;
            }
            return Ok(());
        }
        fleet_out.add(&r, &mut out)
    });
    if let Some(e) = stop {
        return Err(e);
    }
    result?;
    if let Mode::Undecided(held) = mode {
        let Some(first) = held.into_iter().next() else {
            bail!("no nodes to validate");
        };
        let path = &paths[0];
        let Some(kept) = first.kept else {
            bail!("{}", first.errors.join("; "));
        };
        let fleet::Kept {
            snapshot: node,
            evaluation,
        } = *kept;
        let origin = Origin {
            spec: source.label.clone(),
            features: format!("snapshot {}", plain_path(path)),
            node: node.name,
            image: source.image.clone(),
        };
        return finish(
            args,
            source,
            &node.features,
            Some(evaluation),
            origin,
            warnings,
            printer,
        );
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

/// Checks what a fleet cannot do, and prints the warnings.
fn start_fleet(
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

/// The fleet output as it is produced.
struct FleetOut {
    format: ReportFormat,
    rows: Vec<Row>,
    cases: Vec<NodeCase>,
    /// How many of `rows` are failed nodes.
    error_rows: usize,
    summary: Summary,
}

impl FleetOut {
    fn new(format: ReportFormat) -> Self {
        FleetOut {
            format,
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
            ReportFormat::Table | ReportFormat::Yaml => {
                render::render_table(&self.rows, &self.summary, out)
            }
        }
    }
}

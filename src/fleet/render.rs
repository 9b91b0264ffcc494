//! The fleet report: a table of one row per node, a summary that groups nodes by cause, the
//! JSON document (per-node reports, then the summary), and the CI-gate documents (a JUnit
//! testcase per node, a GitHub annotation per node that is not compatible).

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde::Serialize;

use super::NodeResult;
use crate::report::ci::{gh_data, gh_property, xml_escape};
use crate::report::text::escape;
use crate::report::{BestSet, Verdict};

/// How many causes a row shows before `+N more`.
const ROW_CAUSES: usize = 2;
/// How many failed nodes the summary lists by name.
const LISTED_ERRORS: usize = 20;

/// How many rows of failed nodes the table shows; the rest are counted (their errors are in
/// `-o json`), so that a million bad items cost no more than a hundred.
pub(crate) const LISTED_ERROR_ROWS: usize = 100;

/// How many distinct causes are counted one by one; nodes with any further cause are counted
/// together, so that causes quoting per-node values cannot grow without bound.
const COUNTED_CAUSES: usize = 10_000;

/// One row of the table (what is kept per node for a table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// The node.
    pub(crate) node: String,
    /// `compatible`, `incompatible` or `error`.
    pub(crate) verdict: &'static str,
    /// The best set, or `-`.
    pub(crate) best_set: String,
    /// The first causes or the error.
    pub(crate) reasons: String,
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Compatible => "compatible",
        Verdict::Incompatible => "incompatible",
        Verdict::Error => "error",
    }
}

fn set_name(set: &BestSet) -> String {
    let mut s = format!("#{}", set.number);
    let mut extra = Vec::new();
    if !set.tag.is_empty() {
        extra.push(format!("tag {}", escape(&set.tag)));
    }
    if set.weight != 0 {
        extra.push(format!("weight {}", set.weight));
    }
    if !extra.is_empty() {
        s.push_str(&format!(" ({})", extra.join(", ")));
    }
    s
}

/// The row of a node.
pub(crate) fn row(r: &NodeResult) -> Row {
    let reasons = match r.verdict {
        Verdict::Error => r.errors.first().cloned().unwrap_or_default(),
        _ => {
            let mut s = r
                .causes
                .iter()
                .take(ROW_CAUSES)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            if r.causes.len() > ROW_CAUSES {
                s.push_str(&format!(" (+{} more)", r.causes.len() - ROW_CAUSES));
            }
            s
        }
    };
    Row {
        node: escape(&r.name).into_owned(),
        verdict: verdict_word(r.verdict),
        best_set: r.best_set.as_ref().map_or_else(|| "-".to_owned(), set_name),
        reasons: escape(&reasons).into_owned(),
    }
}

/// Counts over the fleet.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    /// Nodes reported.
    pub(crate) nodes: usize,
    /// Compatible nodes.
    pub(crate) compatible: usize,
    /// Incompatible nodes.
    pub(crate) incompatible: usize,
    /// Nodes that could not be read or evaluated.
    pub(crate) errors: usize,
    /// Compatible nodes by best set.
    pub(crate) best_sets: Vec<SetCount>,
    /// Incompatible nodes by cause (from each node's best-failing set), most frequent first.
    pub(crate) causes: Vec<CauseCount>,
    #[serde(skip)]
    by_set: BTreeMap<usize, SetCount>,
    #[serde(skip)]
    by_cause: HashMap<String, usize>,
    /// The failed nodes (the first few): name and error.
    #[serde(skip)]
    pub(crate) failed: Vec<(String, String)>,
    /// Rows of failed nodes left out of the table (past [`LISTED_ERROR_ROWS`]).
    #[serde(skip)]
    pub(crate) unlisted_rows: usize,
    /// Incompatible nodes whose cause came after [`COUNTED_CAUSES`] distinct ones.
    #[serde(skip)]
    other_causes: usize,
}

/// Nodes whose best set is one set.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SetCount {
    /// The set.
    pub(crate) set: BestSet,
    /// How many nodes.
    pub(crate) nodes: usize,
}

/// Nodes that share a cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CauseCount {
    /// The cause.
    pub(crate) cause: String,
    /// How many nodes.
    pub(crate) nodes: usize,
}

impl Summary {
    /// Counts a node.
    pub(crate) fn add(&mut self, r: &NodeResult) {
        self.nodes += 1;
        match r.verdict {
            Verdict::Compatible => self.compatible += 1,
            Verdict::Incompatible => self.incompatible += 1,
            Verdict::Error => {
                self.errors += 1;
                if self.failed.len() < LISTED_ERRORS {
                    self.failed.push((
                        r.name.clone(),
                        r.errors.first().cloned().unwrap_or_default(),
                    ));
                }
            }
        }
        if let Some(set) = &r.best_set {
            self.by_set
                .entry(set.number)
                .or_insert_with(|| SetCount {
                    set: set.clone(),
                    nodes: 0,
                })
                .nodes += 1;
        }
        if r.verdict == Verdict::Incompatible {
            for c in &r.causes {
                if let Some(n) = self.by_cause.get_mut(c) {
                    *n += 1;
                } else if self.by_cause.len() < COUNTED_CAUSES {
                    self.by_cause.insert(c.clone(), 1);
                } else {
                    self.other_causes += 1;
                }
            }
        }
    }

    /// Sorts the counts for output; call once after the last [`Summary::add`].
    pub(crate) fn finish(&mut self) {
        self.best_sets = self.by_set.values().cloned().collect();
        let mut causes: Vec<CauseCount> = self
            .by_cause
            .iter()
            .map(|(cause, &nodes)| CauseCount {
                cause: cause.clone(),
                nodes,
            })
            .collect();
        causes.sort_by(|a, b| b.nodes.cmp(&a.nodes).then_with(|| a.cause.cmp(&b.cause)));
        if self.other_causes > 0 {
            causes.push(CauseCount {
                cause: format!("(other causes, past the first {COUNTED_CAUSES})"),
                nodes: self.other_causes,
            });
        }
        self.causes = causes;
    }
}

fn nodes(n: usize) -> String {
    if n == 1 {
        "1 node".to_owned()
    } else {
        format!("{n} nodes")
    }
}

/// Writes the table (one row per node) and the summary.
pub(crate) fn render_table(
    rows: &[Row],
    summary: &Summary,
    out: &mut impl Write,
) -> io::Result<()> {
    let headers = ["NODE", "VERDICT", "BEST SET", "REASONS"];
    let mut widths = [headers[0].len(), headers[1].len(), headers[2].len()];
    for r in rows {
        widths[0] = widths[0].max(r.node.chars().count());
        widths[1] = widths[1].max(r.verdict.len());
        widths[2] = widths[2].max(r.best_set.chars().count());
    }
    let [w0, w1, w2] = widths;
    let line = |out: &mut dyn Write, a: &str, b: &str, c: &str, d: &str| {
        let text = format!("{a:<w0$}  {b:<w1$}  {c:<w2$}  {d}");
        writeln!(out, "{}", text.trim_end())
    };
    line(out, headers[0], headers[1], headers[2], headers[3])?;
    for r in rows {
        line(out, &r.node, r.verdict, &r.best_set, &r.reasons)?;
    }
    if summary.unlisted_rows > 0 {
        writeln!(
            out,
            "... and {} more nodes with errors (all are in -o json)",
            summary.unlisted_rows
        )?;
    }
    writeln!(out)?;
    render_summary(summary, out)
}

/// Writes the summary: counts, compatible nodes by best set, causes, errors.
pub(crate) fn render_summary(summary: &Summary, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", counts(summary))?;
    if !summary.best_sets.is_empty() {
        writeln!(out, "Compatible, by best set:")?;
        for s in &summary.best_sets {
            writeln!(out, "  {}: set {}", nodes(s.nodes), set_name(&s.set))?;
        }
    }
    if !summary.causes.is_empty() {
        writeln!(out, "Incompatible, by cause (in each node's closest set):")?;
        for c in &summary.causes {
            writeln!(out, "  {}: {}", nodes(c.nodes), escape(&c.cause))?;
        }
    }
    if summary.errors > 0 {
        writeln!(out, "Errors:")?;
        for (name, error) in &summary.failed {
            writeln!(out, "  {}: {}", escape(name), escape(error))?;
        }
        if summary.errors > summary.failed.len() {
            writeln!(
                out,
                "  ... and {} more",
                summary.errors - summary.failed.len()
            )?;
        }
    }
    Ok(())
}

/// The JSON entry of a node: its full report, or for a node that could not be read, its name,
/// source, verdict `error` and errors.
pub(crate) fn node_json(r: &NodeResult) -> serde_json::Result<String> {
    #[derive(Serialize)]
    struct Failed<'a> {
        verdict: Verdict,
        node: &'a str,
        features: String,
        errors: &'a [String],
    }
    match &r.report {
        Some(report) => serde_json::to_string(report),
        None => serde_json::to_string(&Failed {
            verdict: r.verdict,
            node: &r.name,
            features: r.source.plain(),
            errors: &r.errors,
        }),
    }
}

/// What the CI documents keep of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeCase {
    /// The node.
    pub(crate) name: String,
    /// Its verdict.
    pub(crate) verdict: Verdict,
    /// Why it is incompatible.
    pub(crate) causes: Vec<String>,
    /// Why it could not be read or evaluated.
    pub(crate) errors: Vec<String>,
}

impl NodeCase {
    /// The case of a node.
    pub(crate) fn of(r: &NodeResult) -> Self {
        NodeCase {
            name: r.name.clone(),
            verdict: r.verdict,
            causes: r.causes.clone(),
            errors: r.errors.clone(),
        }
    }

    /// Why the node is not compatible, one reason a line (never empty).
    fn reasons(&self) -> Vec<String> {
        let reasons = if self.verdict == Verdict::Error {
            &self.errors
        } else {
            &self.causes
        };
        if reasons.is_empty() {
            vec![match self.verdict {
                Verdict::Error => "the node could not be validated".to_owned(),
                _ => "no compatibility set has all its rules matched".to_owned(),
            }]
        } else {
            reasons.clone()
        }
    }
}

/// The outcome of the whole run, for the CI documents.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gate {
    /// Whether the run succeeds (exit 0).
    pub(crate) passes: bool,
    /// `--any`: one compatible node is enough.
    pub(crate) any: bool,
    /// `-q`: no `::warning` lines.
    pub(crate) quiet: bool,
}

fn counts(summary: &Summary) -> String {
    format!(
        "{}: {} compatible, {} incompatible, {} {}",
        nodes(summary.nodes),
        summary.compatible,
        summary.incompatible,
        summary.errors,
        if summary.errors == 1 {
            "error"
        } else {
            "errors"
        }
    )
}

/// Writes JUnit XML: one testsuite, a testcase per node (a `<failure>` with its causes when
/// incompatible, an `<error>` when it could not be validated).
pub(crate) fn render_junit(
    cases: &[NodeCase],
    summary: &Summary,
    out: &mut impl Write,
) -> io::Result<()> {
    let totals = format!(
        r#"tests="{}" failures="{}" errors="{}""#,
        summary.nodes, summary.incompatible, summary.errors
    );
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="nfd-compat fleet" {totals}>"#)?;
    writeln!(out, r#"  <testsuite name="nfd-compat fleet" {totals}>"#)?;
    for case in cases {
        let open = format!(
            r#"    <testcase classname="nfd-compat.fleet" name="{}""#,
            xml_escape(&case.name)
        );
        let (tag, kind) = match case.verdict {
            Verdict::Compatible => {
                writeln!(out, "{open}/>")?;
                continue;
            }
            Verdict::Incompatible => ("failure", "FAIL"),
            Verdict::Error => ("error", "ERROR"),
        };
        let reasons = case.reasons();
        writeln!(out, "{open}>")?;
        writeln!(
            out,
            r#"      <{tag} message="{}" type="{kind}">{}</{tag}>"#,
            xml_escape(&reasons[0]),
            xml_escape(&reasons.join("\n"))
        )?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Writes GitHub Actions workflow commands: an annotation per node that is not compatible (an
/// `::error`, or a `::warning` when `--any` let the run pass; errors stay errors), and a
/// `::notice` with the counts.
pub(crate) fn render_github(
    cases: &[NodeCase],
    summary: &Summary,
    gate: Gate,
    out: &mut impl Write,
) -> io::Result<()> {
    for case in cases {
        let (level, what) = match case.verdict {
            Verdict::Compatible => continue,
            Verdict::Incompatible if gate.passes && gate.any => ("warning", "is not compatible"),
            Verdict::Incompatible => ("error", "is not compatible"),
            Verdict::Error => ("error", "could not be validated"),
        };
        if gate.quiet && level == "warning" {
            continue;
        }
        let title = format!("node `{}` {what}", case.name);
        writeln!(
            out,
            "::{level} title={}::{}",
            gh_property(&title),
            gh_data(&case.reasons().join("\n"))
        )?;
    }
    writeln!(
        out,
        "::notice title=nfd-compat verdict::{}",
        gh_data(&counts(summary))
    )
}

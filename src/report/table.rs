//! The human report: one block per compatibility set, one row per expression with its status
//! and what the node has, hints under the table, and a verdict line.

use std::io::{self, Write};

use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};

use super::{ExprReport, Report, SetReport, Status, Verdict};

/// How to draw the table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Whether to use colour (decided once by the caller: a terminal and no `NO_COLOR`).
    pub color: bool,
    /// The terminal width to wrap to; `None` never wraps.
    pub width: Option<u16>,
}

const BOLD: &str = "\x1b[1m";
const CYAN: &str = "\x1b[36m";
const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

fn paint(style: Style, codes: &str, text: &str) -> String {
    if style.color {
        format!("{codes}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

fn status_color(status: Status) -> Color {
    match status {
        Status::Ok => Color::Green,
        Status::Fail => Color::Red,
        Status::Error => Color::Yellow,
    }
}

fn word(is_match: bool) -> Status {
    if is_match { Status::Ok } else { Status::Fail }
}

fn status_cell(status: Status, style: Style) -> Cell {
    let cell = Cell::new(status.as_str());
    if style.color {
        cell.fg(status_color(status)).add_attribute(Attribute::Bold)
    } else {
        cell
    }
}

/// The terminal's width, when stdout is a terminal.
pub fn terminal_width() -> Option<u16> {
    Table::new().width()
}

/// Renders the human report.
pub fn render(report: &Report, out: &mut impl Write, style: Style) -> io::Result<()> {
    if let Some(node) = &report.node {
        writeln!(out, "{} {node}", paint(style, BOLD, "Node:"))?;
    }
    if let Some(image) = &report.image {
        writeln!(
            out,
            "{} {}@{}",
            paint(style, BOLD, "Image:"),
            image.reference,
            image.digest
        )?;
        let mut line = format!("{} {}", paint(style, BOLD, "Artifact:"), image.artifact);
        if let Some(created) = &image.created {
            line.push_str(&format!(" created {created}"));
        }
        if let (Some(platform), Some(manifest)) = (&image.platform, &image.platform_manifest) {
            line.push_str(&format!(", attached to the {platform} manifest {manifest}"));
        }
        // An OCI layout is read without requests.
        let requests = match image.requests {
            0 => String::new(),
            1 => " in 1 request".to_owned(),
            n => format!(" in {n} requests"),
        };
        line.push_str(&format!(
            " ({} attached; found through the {}{requests})",
            image.artifacts_attached, image.lookup,
        ));
        writeln!(out, "{line}")?;
    }
    for set in &report.sets {
        render_set(set, out, style)?;
        writeln!(out)?;
    }
    for error in &report.errors {
        writeln!(out, "{} {error}", paint(style, YELLOW, "error:"))?;
    }
    writeln!(out, "{}", verdict_line(report, style))
}

fn render_set(set: &SetReport, out: &mut impl Write, style: Style) -> io::Result<()> {
    let mut head = format!("COMPATIBILITY SET #{}  weight {}", set.number, set.weight);
    if !set.tag.is_empty() {
        head.push_str(&format!("  tag {}", set.tag));
    }
    let status = word(set.is_match);
    let color = if set.is_match { GREEN } else { RED };
    writeln!(
        out,
        "{}  {}",
        paint(style, &format!("{BOLD}{CYAN}"), &head),
        paint(style, &format!("{BOLD}{color}"), status.as_str())
    )?;
    if !set.description.is_empty() {
        writeln!(out, "{}", set.description)?;
    }
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .force_no_tty();
    if style.color {
        table.enforce_styling();
    }
    match style.width {
        Some(width) => {
            table
                .set_width(width)
                .set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table.set_header(["Rule", "Feature", "Expression", "Status", "Node has"]);
    let mut hints: Vec<String> = Vec::new();
    for rule in &set.rules {
        let rule_cell = |label: String, is_match: bool| {
            let cell = Cell::new(format!("{label} {}", word(is_match).as_str()));
            if style.color {
                cell.fg(status_color(word(is_match)))
            } else {
                cell
            }
        };
        let name = if rule.name.is_empty() {
            "(unnamed)".to_owned()
        } else {
            rule.name.clone()
        };
        let mut first = Some(rule_cell(name, rule.is_match));
        let mut row = |e: &ExprReport, label: Option<Cell>, table: &mut Table| {
            table.add_row(vec![
                label.unwrap_or_else(|| Cell::new("")),
                Cell::new(e.qualified_name()),
                Cell::new(expression_text(e)),
                status_cell(e.status, style),
                Cell::new(&e.node_has),
            ]);
            if let Some(hint) = &e.hint {
                hints.push(format!("{}: {hint}", e.qualified_name()));
            }
            if let Some(error) = &e.error {
                hints.push(format!("{}: cannot evaluate: {error}", e.qualified_name()));
            }
        };
        for e in &rule.match_features {
            row(e, first.take(), &mut table);
        }
        for (i, any) in rule.match_any.iter().enumerate() {
            let mut label = Some(rule_cell(format!("  any #{}", i + 1), any.is_match));
            if let Some(head) = first.take() {
                table.add_row(vec![head]);
            }
            if any.match_features.is_empty() {
                table.add_row(vec![
                    label.take().unwrap_or_else(|| Cell::new("")),
                    Cell::new("(no terms)"),
                ]);
            }
            for e in &any.match_features {
                row(e, label.take(), &mut table);
            }
        }
        if let Some(head) = first.take() {
            table.add_row(vec![head, Cell::new("(no expressions)")]);
        }
        for error in &rule.errors {
            hints.push(format!("rule `{}`: {error}", rule.name));
        }
    }
    if set.rules.is_empty() {
        table.add_row(vec![Cell::new("(no rules)")]);
    }
    writeln!(out, "{table}")?;
    for hint in hints {
        writeln!(out, "  {} {hint}", paint(style, YELLOW, "hint:"))?;
    }
    Ok(())
}

/// NFD's expression text, with the `type` NFD's table leaves out.
fn expression_text(e: &ExprReport) -> String {
    match (
        &e.expression.value_type,
        e.expression_text.strip_suffix('}'),
    ) {
        (Some(t), Some(head)) => format!("{head}, type: {t}}}"),
        _ => e.expression_text.clone(),
    }
}

fn verdict_line(report: &Report, style: Style) -> String {
    let (word, color, detail) = match report.verdict {
        Verdict::Compatible => {
            let detail = report.best_set.as_ref().map_or_else(String::new, |b| {
                let mut s = format!("set #{}", b.number);
                if !b.tag.is_empty() {
                    s.push_str(&format!(" (tag {})", b.tag));
                }
                s.push_str(" has all its rules matched");
                s
            });
            ("COMPATIBLE", GREEN, detail)
        }
        Verdict::Incompatible => {
            let failed: usize = report
                .sets
                .iter()
                .map(|s| s.rules.iter().filter(|r| !r.is_match).count())
                .sum();
            (
                "INCOMPATIBLE",
                RED,
                format!(
                    "no compatibility set has all its rules matched ({failed} rule{} failed)",
                    if failed == 1 { "" } else { "s" }
                ),
            )
        }
        Verdict::Error => (
            "ERROR",
            YELLOW,
            format!(
                "{} error{}: the verdict cannot be trusted",
                report.errors.len(),
                if report.errors.len() == 1 { "" } else { "s" }
            ),
        ),
    };
    format!(
        "{} {} — {detail}",
        paint(style, BOLD, "Verdict:"),
        paint(style, &format!("{BOLD}{color}"), word)
    )
}

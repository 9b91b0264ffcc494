//! The human report: a header, one block per compatibility set, the errors and a verdict line.
//!
//! A set is drawn as a table (one row per rule, `matchAny` alternative and expression, the
//! status in its own first column, hints under the table) when the table fits the terminal,
//! or when stdout is not a terminal. On a narrower terminal the set is drawn as an outline
//! instead (see [`outline`]): one block per rule, each feature as a heading, its element
//! names, expressions and the node's values beneath, the status in the left margin. Either
//! way identifiers are never broken, long lines wrap at spaces with a hanging indent, and every
//! user-supplied string is escaped ([`escape`]).

use std::fmt::Write as _;
use std::io::{self, Write};

use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};

use super::text::{escape, split_at, width as text_width, wrap};
use super::{AnyReport, ExprReport, Report, RuleReport, SetReport, Status, Verdict};

/// How to draw the report.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Style {
    /// Whether to use colour (decided once by the caller: a terminal and no `NO_COLOR`).
    pub(crate) color: bool,
    /// The terminal width to fit; `None` never wraps (not a terminal).
    pub(crate) width: Option<u16>,
}

impl Style {
    fn columns(self) -> Option<usize> {
        self.width.map(usize::from)
    }
}

pub(crate) const BOLD: &str = "\x1b[1m";
const CYAN: &str = "\x1b[36m";
pub(crate) const GREEN: &str = "\x1b[32m";
pub(crate) const RED: &str = "\x1b[31m";
pub(crate) const YELLOW: &str = "\x1b[33m";
pub(crate) const RESET: &str = "\x1b[0m";

fn paint(style: Style, codes: &str, text: &str) -> String {
    if style.color {
        format!("{codes}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

/// The status of a rule, an alternative or a set: `OK`, `FAIL`, or `UNKNOWN` when it failed
/// only for want of data ("cannot tell").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Ok,
    Fail,
    Unknown,
    Error,
}

impl Mark {
    fn of(is_match: bool, cannot_tell: bool) -> Mark {
        match (is_match, cannot_tell) {
            (true, _) => Mark::Ok,
            (false, true) => Mark::Unknown,
            (false, false) => Mark::Fail,
        }
    }

    /// An expression's status; `UNKNOWN` for one that failed on a feature that could not be
    /// discovered (NFD's report, and ours in JSON, still say it failed).
    fn of_expr(e: &ExprReport) -> Mark {
        match e.status {
            Status::Ok => Mark::Ok,
            Status::Fail if e.unavailable.is_some() => Mark::Unknown,
            Status::Fail => Mark::Fail,
            Status::Error => Mark::Error,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Mark::Ok => "OK",
            Mark::Fail => "FAIL",
            Mark::Unknown => "UNKNOWN",
            Mark::Error => "ERROR",
        }
    }

    fn codes(self) -> &'static str {
        match self {
            Mark::Ok => GREEN,
            Mark::Fail => RED,
            Mark::Unknown | Mark::Error => YELLOW,
        }
    }

    fn color(self) -> Color {
        match self {
            Mark::Ok => Color::Green,
            Mark::Fail => Color::Red,
            Mark::Unknown | Mark::Error => Color::Yellow,
        }
    }

    /// The word padded to the status margin, then painted.
    fn margin(self, style: Style) -> String {
        let padded = format!("{:<MARGIN$}", self.word());
        paint(style, &format!("{BOLD}{}", self.codes()), &padded)
    }

    fn cell(self, style: Style) -> Cell {
        let cell = Cell::new(self.word());
        if style.color {
            cell.fg(self.color()).add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }
}

/// The width of the status margin in the outline (`UNKNOWN` and two spaces).
const MARGIN: usize = 9;

/// The terminal's width, when stdout is a terminal.
pub(crate) fn terminal_width() -> Option<u16> {
    Table::new().width()
}

/// Writes `text` wrapped to the style's width with a hanging indent of `rest`.
fn write_wrapped(
    out: &mut impl Write,
    style: Style,
    text: &str,
    first: &str,
    rest: &str,
) -> io::Result<()> {
    for line in wrap(text, style.columns(), first, rest) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Renders the human report.
pub(crate) fn render(report: &Report, out: &mut impl Write, style: Style) -> io::Result<()> {
    if let Some(node) = &report.node {
        writeln!(out, "{} {}", paint(style, BOLD, "Node:"), escape(node))?;
    }
    if let Some(image) = &report.image {
        let head = format!("{}@{}", escape(&image.reference), image.digest);
        let bold = paint(style, BOLD, "Image:");
        match split_at(&format!("Image: {head}"), '@', style.columns()) {
            Some((_, digest)) => writeln!(out, "{bold} {}\n  {digest}", escape(&image.reference))?,
            None => writeln!(out, "{bold} {head}")?,
        }
        let mut line = format!("Artifact: {}", image.artifact);
        if let Some(created) = &image.created {
            let _ = write!(line, " created {}", escape(created));
        }
        if let (Some(platform), Some(manifest)) = (&image.platform, &image.platform_manifest) {
            let _ = write!(
                line,
                ", attached to the {} manifest {manifest}",
                escape(platform)
            );
        }
        // An OCI layout is read without requests.
        let requests = match image.requests {
            0 => String::new(),
            1 => " in 1 request".to_owned(),
            n => format!(" in {n} requests"),
        };
        let _ = write!(
            line,
            " ({} attached; found through the {}{requests})",
            image.artifacts_attached, image.lookup,
        );
        write_wrapped(out, style, &line, "", "  ")?;
    }
    // One layout for the whole report: the outline as soon as one set's table is too wide.
    let narrow = report.sets.iter().any(|set| table(set, style).is_none());
    for set in &report.sets {
        render_set(set, out, style, narrow)?;
        writeln!(out)?;
    }
    for error in &report.errors {
        let lines = wrap(&escape(error), style.columns(), "error: ", "       ");
        for (i, line) in lines.iter().enumerate() {
            match line.strip_prefix("error:").filter(|_| i == 0) {
                Some(rest) => writeln!(out, "{}{rest}", paint(style, YELLOW, "error:"))?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    let (word, color, detail) = verdict(report);
    let lines = wrap(
        &format!("{word} — {detail}"),
        style.columns(),
        "Verdict: ",
        "         ",
    );
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            let rest = line
                .strip_prefix("Verdict: ")
                .and_then(|l| l.strip_prefix(word))
                .unwrap_or_default();
            writeln!(
                out,
                "{} {}{rest}",
                paint(style, BOLD, "Verdict:"),
                paint(style, &format!("{BOLD}{color}"), word)
            )?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

fn render_set(set: &SetReport, out: &mut impl Write, style: Style, narrow: bool) -> io::Result<()> {
    let mut head = format!("COMPATIBILITY SET #{}  weight {}", set.number, set.weight);
    if !set.tag.is_empty() {
        let _ = write!(head, "  tag {}", escape(&set.tag));
    }
    let mark = Mark::of(set.is_match, set.cannot_tell);
    writeln!(
        out,
        "{}  {}",
        paint(style, &format!("{BOLD}{CYAN}"), &head),
        paint(style, &format!("{BOLD}{}", mark.codes()), mark.word())
    )?;
    if !set.description.is_empty() {
        write_wrapped(out, style, &escape(&set.description), "", "")?;
    }
    let Some((table, hints)) = table(set, style).filter(|_| !narrow) else {
        return outline(set, out, style);
    };
    writeln!(out, "{table}")?;
    for hint in hints {
        let lines = wrap(&hint, style.columns(), "  hint: ", "        ");
        for (i, line) in lines.iter().enumerate() {
            match line.strip_prefix("  hint:").filter(|_| i == 0) {
                Some(rest) => writeln!(out, "  {}{rest}", paint(style, YELLOW, "hint:"))?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    Ok(())
}

/// `s` without ANSI colour sequences (for measuring a painted table).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The rule's name as shown.
fn rule_name(rule: &RuleReport) -> String {
    if rule.name.is_empty() {
        "(unnamed)".to_owned()
    } else {
        escape(&rule.name).into_owned()
    }
}

/// Why an alternative failed although each of its rows is OK (no single instance satisfies
/// all of a term's expressions).
fn hidden_failure(any: &AnyReport) -> Option<&'static str> {
    (!any.is_match
        && !any.match_features.is_empty()
        && any.match_features.iter().all(|e| e.status == Status::Ok))
    .then_some("no single instance satisfies all of its expressions")
}

/// The notes under an expression: its hint, why it could not be evaluated, why its feature is
/// unknown.
fn notes(e: &ExprReport) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(hint) = &e.hint {
        notes.push(format!("hint: {}", escape(hint)));
    }
    if let Some(error) = &e.error {
        notes.push(format!("cannot evaluate: {}", escape(error)));
    }
    if let Some(why) = &e.unavailable {
        notes.push(format!(
            "cannot tell: the feature could not be discovered: {}",
            escape(why)
        ));
    }
    notes
}

/// One row of the wide view: a status (none for a filler row), then the rule or element, the
/// expression and what the node has.
struct Row {
    mark: Option<Mark>,
    bold: bool,
    cells: [String; 3],
}

/// The rows of a set's wide view, and the hints to print under its table.
fn rows(set: &SetReport) -> (Vec<Row>, Vec<String>) {
    let mut rows = Vec::new();
    let mut hints: Vec<String> = Vec::new();
    let row = |e: &ExprReport, indent: &str, rows: &mut Vec<Row>, hints: &mut Vec<String>| {
        rows.push(Row {
            mark: Some(Mark::of_expr(e)),
            bold: false,
            cells: [
                format!("{indent}{}", escape(&e.qualified_name())),
                escape(&expression_text(e)).into_owned(),
                escape(&e.node_has.decorated()).into_owned(),
            ],
        });
        for note in notes(e) {
            let note = note.strip_prefix("hint: ").unwrap_or(&note).to_owned();
            hints.push(format!("{}: {note}", escape(&e.qualified_name())));
        }
    };
    let filler = |text: &str| Row {
        mark: None,
        bold: false,
        cells: [text.to_owned(), String::new(), String::new()],
    };
    for rule in &set.rules {
        rows.push(Row {
            mark: Some(Mark::of(rule.is_match, rule.cannot_tell)),
            bold: true,
            cells: [rule_name(rule), String::new(), String::new()],
        });
        for e in &rule.match_features {
            row(e, "  ", &mut rows, &mut hints);
        }
        for (i, any) in rule.match_any.iter().enumerate() {
            let why = if any.match_features.is_empty() {
                "(no terms)"
            } else {
                hidden_failure(any).unwrap_or_default()
            };
            rows.push(Row {
                mark: Some(Mark::of(any.is_match, any.cannot_tell)),
                bold: false,
                cells: [
                    format!("  any of, #{}", i + 1),
                    String::new(),
                    why.to_owned(),
                ],
            });
            for e in &any.match_features {
                row(e, "    ", &mut rows, &mut hints);
            }
        }
        if rule.match_features.is_empty() && rule.match_any.is_empty() {
            rows.push(filler("  (no expressions)"));
        }
        for error in &rule.errors {
            hints.push(format!("rule `{}`: {}", rule_name(rule), escape(error)));
        }
    }
    if set.rules.is_empty() {
        rows.push(filler("(no rules)"));
    }
    (rows, hints)
}

/// The table of `rows`; with `caps`, the expression and node-has cells are wrapped at spaces to
/// at most that many columns (a word longer than that stays whole).
fn table_of(rows: &[Row], style: Style, caps: Option<(usize, usize)>) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Disabled);
    if style.color {
        table.enforce_styling();
    }
    table.set_header(["Status", "Rule / feature.element", "Expression", "Node has"]);
    let fit = |text: &str, cap: Option<usize>| wrap(text, cap, "", "  ").join("\n");
    for row in rows {
        let name = Cell::new(&row.cells[0]);
        table.add_row(vec![
            row.mark.map_or_else(|| Cell::new(""), |m| m.cell(style)),
            if row.bold {
                name.add_attribute(Attribute::Bold)
            } else {
                name
            },
            Cell::new(fit(&row.cells[1], caps.map(|c| c.0))),
            Cell::new(fit(&row.cells[2], caps.map(|c| c.1))),
        ]);
    }
    table
}

fn table_width(table: &Table) -> usize {
    table
        .lines()
        .map(|l| text_width(&strip_ansi(&l)))
        .max()
        .unwrap_or(0)
}

/// The narrowest the expression and node-has columns get before the outline is used instead.
const MIN_WRAPPED_COLUMN: usize = 16;

/// The wide view of a set that fits the style's width (the expression and node-has cells
/// wrapped at spaces if need be), and the hints to print under it; `None` when it cannot fit.
fn table(set: &SetReport, style: Style) -> Option<(Table, Vec<String>)> {
    let (rows, hints) = rows(set);
    let natural = table_of(&rows, style, None);
    let Some(width) = style.columns() else {
        return Some((natural, hints));
    };
    let total = table_width(&natural);
    if total <= width {
        return Some((natural, hints));
    }
    let widest = |i: usize| {
        rows.iter()
            .map(|r| text_width(&r.cells[i]))
            .max()
            .unwrap_or(0)
    };
    let (expr, has) = (widest(1), widest(2));
    // What the two columns may take together, borders and padding aside.
    let avail = (expr + has).checked_sub(total - width)?;
    if avail < 2 * MIN_WRAPPED_COLUMN {
        return None;
    }
    let caps = if expr <= avail / 2 {
        (expr, avail - expr)
    } else if has <= avail / 2 {
        (avail - has, has)
    } else {
        (avail / 2, avail - avail / 2)
    };
    let wrapped = table_of(&rows, style, Some(caps));
    (table_width(&wrapped) <= width).then_some((wrapped, hints))
}

/// The narrow view of a set: one block per rule.
///
/// ```text
/// OK       kernel modules and CPU level
///            kernel.loadedmodule
/// OK           vfio_pci  Exists  present
/// FAIL     an SR-IOV NIC
/// FAIL       any of, #2: no single instance satisfies all of its expressions
///              pci.device
/// OK             vendor  In [8086]  3 of 9 instances
/// ```
fn outline(set: &SetReport, out: &mut impl Write, style: Style) -> io::Result<()> {
    let pad = " ".repeat(MARGIN);
    for rule in &set.rules {
        let mark = Mark::of(rule.is_match, rule.cannot_tell);
        write_marked(out, style, mark, &rule_name(rule), "", "  ")?;
        terms(&rule.match_features, 2, out, style)?;
        for (i, any) in rule.match_any.iter().enumerate() {
            let mark = Mark::of(any.is_match, any.cannot_tell);
            let mut label = format!("any of, #{}", i + 1);
            if any.match_features.is_empty() {
                label.push_str(": (no terms)");
            } else if let Some(why) = hidden_failure(any) {
                let _ = write!(label, ": {why}");
            }
            write_marked(out, style, mark, &label, "  ", "    ")?;
            terms(&any.match_features, 4, out, style)?;
        }
        if rule.match_features.is_empty() && rule.match_any.is_empty() {
            writeln!(out, "{pad}  (no expressions)")?;
        }
        for error in &rule.errors {
            let text = format!("error: {}", escape(error));
            write_wrapped(
                out,
                style,
                &text,
                &format!("{pad}  "),
                &format!("{pad}      "),
            )?;
        }
    }
    if set.rules.is_empty() {
        writeln!(out, "{pad}(no rules)")?;
    }
    Ok(())
}

/// Writes `text` after `mark` in the status margin, wrapped with the indents `first` and `rest`
/// (after the margin).
fn write_marked(
    out: &mut impl Write,
    style: Style,
    mark: Mark,
    text: &str,
    first: &str,
    rest: &str,
) -> io::Result<()> {
    let pad = " ".repeat(MARGIN);
    let lines = wrap(
        text,
        style.columns(),
        &format!("{pad}{first}"),
        &format!("{pad}{rest}"),
    );
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            writeln!(out, "{}{}", mark.margin(style), &line[MARGIN..])?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// The expressions of one matcher, grouped under their feature, indented by `depth`.
fn terms(exprs: &[ExprReport], depth: usize, out: &mut impl Write, style: Style) -> io::Result<()> {
    let pad = " ".repeat(MARGIN);
    let heading = format!("{pad}{}", " ".repeat(depth));
    let indent = format!("{heading}  ");
    let mut start = 0;
    while start < exprs.len() {
        let feature = &exprs[start].feature;
        let end = exprs[start..]
            .iter()
            .position(|e| &e.feature != feature)
            .map_or(exprs.len(), |n| start + n);
        let group = &exprs[start..end];
        writeln!(out, "{heading}{}", escape(feature))?;
        let names: Vec<String> = group.iter().map(element).collect();
        let shown: Vec<String> = group.iter().map(compact_expression).collect();
        let name_w = names.iter().map(|n| text_width(n)).max().unwrap_or(0);
        let expr_w = shown.iter().map(|n| text_width(n)).max().unwrap_or(0);
        for ((e, name), shown) in group.iter().zip(&names).zip(&shown) {
            let mark = Mark::of_expr(e).margin(style);
            let node_has = e.node_has.decorated();
            let has = escape(&node_has);
            let one = format!("{indent}{name:<name_w$}  {shown:<expr_w$}  {has}");
            let fits = |line: &str| style.columns().is_none_or(|w| text_width(line) <= w);
            let unpadded = format!("{indent}{name}  {shown}  {has}");
            if fits(one.trim_end()) {
                writeln!(out, "{mark}{}", &one.trim_end()[MARGIN..])?;
            } else if fits(&unpadded) {
                writeln!(out, "{mark}{}", &unpadded[MARGIN..])?;
            } else {
                let head = format!("{indent}{name}  {shown}");
                if fits(&head) {
                    writeln!(out, "{mark}{}", &head[MARGIN..])?;
                } else {
                    writeln!(out, "{mark}{}", &format!("{indent}{name}")[MARGIN..])?;
                    write_wrapped(
                        out,
                        style,
                        shown,
                        &format!("{indent}    "),
                        &format!("{indent}      "),
                    )?;
                }
                write_wrapped(
                    out,
                    style,
                    &format!("has {has}"),
                    &format!("{indent}    "),
                    &format!("{indent}      "),
                )?;
            }
            for note in notes(e) {
                write_wrapped(
                    out,
                    style,
                    &note,
                    &format!("{indent}    "),
                    &format!("{indent}      "),
                )?;
            }
        }
        start = end;
    }
    Ok(())
}

/// The element an expression is on: its name, or `(name)` for a `matchName`.
fn element(e: &ExprReport) -> String {
    if e.name.is_empty() {
        "(name)".to_owned()
    } else {
        escape(&e.name).into_owned()
    }
}

/// An expression briefly: `Exists`, `Ge 4`, `In [rhel, rocky]`, `Ge 8.6 (version)`.
fn compact_expression(e: &ExprReport) -> String {
    let x = &e.expression;
    let values: Vec<String> = x.value.iter().map(|v| escape(v).into_owned()).collect();
    let mut s = match values.as_slice() {
        [] => x.op.to_owned(),
        [one] if !matches!(x.op, "In" | "NotIn" | "InRegexp") => format!("{} {one}", x.op),
        _ => format!("{} [{}]", x.op, values.join(", ")),
    };
    if let Some(t) = &x.value_type {
        let _ = write!(s, " ({})", escape(t));
    }
    s
}

/// NFD's expression text, with the `type` NFD's table leaves out.
fn expression_text(e: &ExprReport) -> String {
    let text = e.expression_text();
    match (&e.expression.value_type, text.strip_suffix('}')) {
        (Some(t), Some(head)) => format!("{head}, type: {t}}}"),
        _ => text,
    }
}

/// The verdict's word, colour and explanation.
fn verdict(report: &Report) -> (&'static str, &'static str, String) {
    match report.verdict {
        Verdict::Compatible => {
            let detail = report.best_set.as_ref().map_or_else(String::new, |b| {
                let mut s = format!("set #{}", b.number);
                if !b.tag.is_empty() {
                    let _ = write!(s, " (tag {})", escape(&b.tag));
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
            "CANNOT TELL",
            YELLOW,
            format!(
                "no set is compatible for certain, and {} error{} above leave{} the answer open",
                report.errors.len(),
                if report.errors.len() == 1 { "" } else { "s" },
                if report.errors.len() == 1 { "s" } else { "" }
            ),
        ),
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;

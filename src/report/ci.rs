//! CI-gate renderings of a report: JUnit XML (one testcase per rule, read by GitLab, Jenkins and
//! most CI systems) and GitHub Actions workflow commands (`::error` annotations).
//!
//! A CI gate reads these documents instead of the exit status's stderr, so a run that fails
//! before it has a report (no spec, registry down) still gets one: [`render_fatal_junit`] and
//! [`render_fatal_github`].

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{ExprReport, Report, RuleReport, SetReport, Status, Verdict};

/// The failed or erroring expressions of a rule, one line each, with what the node has.
fn failures(rule: &RuleReport) -> Vec<String> {
    let mut lines = Vec::new();
    let mut add = |prefix: &str, e: &ExprReport| {
        if e.status == Status::Ok {
            return;
        }
        let mut line = format!(
            "{prefix}{} {} {}: {}",
            e.qualified_name(),
            e.expression,
            e.status.as_str(),
            e.node_has.decorated()
        );
        if let Some(err) = &e.error {
            let _ = write!(line, " (cannot evaluate: {err})");
        }
        if let Some(hint) = &e.hint {
            let _ = write!(line, " (hint: {hint})");
        }
        lines.push(line);
    };
    for e in &rule.match_features {
        add("", e);
    }
    // A matchAny alternative matters only when none matched.
    if !rule.match_any.is_empty() && !rule.match_any.iter().any(|a| a.is_match) {
        for (i, any) in rule.match_any.iter().enumerate() {
            for e in &any.match_features {
                add(&format!("any #{}: ", i + 1), e);
            }
        }
    }
    lines.extend(rule.errors.iter().cloned());
    lines
}

fn set_name(set: &SetReport) -> String {
    let mut name = format!("compatibility set #{}", set.number);
    if !set.tag.is_empty() {
        let _ = write!(name, " ({})", set.tag);
    }
    if !set.description.is_empty() {
        let _ = write!(name, ": {}", set.description);
    }
    name
}

/// Escapes text for XML content and attribute values.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters, not even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Renders JUnit XML: a testsuite per compatibility set, a testcase per rule.
pub(crate) fn render_junit(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let node = report.node.as_deref().unwrap_or("node");
    let count = |f: &dyn Fn(&RuleReport) -> bool| {
        report
            .sets
            .iter()
            .flat_map(|s| &s.rules)
            .filter(|r| f(r))
            .count()
    };
    let tests = count(&|_| true);
    let errors = count(&|r| has_errors(r));
    let failed = count(&|r| !r.is_match && !has_errors(r));
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="nfd-compat {}" tests="{tests}" failures="{failed}" errors="{errors}">"#,
        xml_escape(node)
    )?;
    for set in &report.sets {
        let tests = set.rules.len();
        let errors = set.rules.iter().filter(|r| has_errors(r)).count();
        let failed = set
            .rules
            .iter()
            .filter(|r| !r.is_match && !has_errors(r))
            .count();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{tests}" failures="{failed}" errors="{errors}">"#,
            xml_escape(&set_name(set))
        )?;
        for rule in &set.rules {
            let classname = format!("nfd-compat.{node}.set{}", set.number);
            let name = if rule.name.is_empty() {
                "(unnamed rule)"
            } else {
                &rule.name
            };
            let open = format!(
                r#"    <testcase classname="{}" name="{}""#,
                xml_escape(&classname),
                xml_escape(name)
            );
            if rule.is_match && !has_errors(rule) {
                writeln!(out, "{open}/>")?;
                continue;
            }
            writeln!(out, "{open}>")?;
            let lines = failures(rule);
            let tag = if has_errors(rule) { "error" } else { "failure" };
            let message = lines
                .first()
                .cloned()
                .unwrap_or_else(|| "the rule did not match".to_owned());
            writeln!(
                out,
                r#"      <{tag} message="{}" type="{}">{}</{tag}>"#,
                xml_escape(&message),
                if tag == "error" { "ERROR" } else { "FAIL" },
                xml_escape(&lines.join("\n"))
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn has_errors(rule: &RuleReport) -> bool {
    !rule.errors.is_empty()
        || rule
            .match_features
            .iter()
            .chain(rule.match_any.iter().flat_map(|a| &a.match_features))
            .any(|e| e.status == Status::Error)
}

/// Escapes a workflow-command message (`%`, CR, LF).
pub(crate) fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property (also `:` and `,`).
pub(crate) fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders GitHub Actions workflow commands: an `::error` per failed rule (pointing at the
/// rule in the spec file when known; a warning instead when another set made the node
/// compatible), warnings, and a `::notice` with the verdict. `quiet` (`-q`) leaves out every
/// `::warning`.
pub(crate) fn render_github(report: &Report, quiet: bool, out: &mut impl Write) -> io::Result<()> {
    let node = report.node.as_deref().unwrap_or("this node");
    let level = if report.verdict == Verdict::Compatible {
        "warning"
    } else {
        "error"
    };
    for set in &report.sets {
        for rule in set.rules.iter().filter(|r| !r.is_match || has_errors(r)) {
            let mut props = Vec::new();
            if let (Some(file), Some(line)) = (&report.spec_file, rule.line) {
                props.push(format!("file={}", gh_property(file)));
                props.push(format!("line={line}"));
            }
            let title = format!("{}: rule `{}` failed on {node}", set_name(set), rule.name);
            props.push(format!("title={}", gh_property(&title)));
            let level = if has_errors(rule) { "error" } else { level };
            if quiet && level == "warning" {
                continue;
            }
            writeln!(
                out,
                "::{level} {}::{}",
                props.join(","),
                gh_data(&failures(rule).join("\n"))
            )?;
        }
    }
    for w in report.warnings.iter().filter(|_| !quiet) {
        writeln!(
            out,
            "::warning title=nfd-compat::{}",
            gh_data(&w.to_string())
        )?;
    }
    for e in &report.errors {
        writeln!(out, "::error title=nfd-compat::{}", gh_data(e))?;
    }
    let verdict = match report.verdict {
        Verdict::Compatible => {
            let best = report
                .best_set
                .as_ref()
                .map_or(String::new(), |b| format!(" (set #{})", b.number));
            format!("{node} is compatible{best}")
        }
        Verdict::Incompatible => {
            format!("{node} is not compatible: no compatibility set has all its rules matched")
        }
        Verdict::Error => format!("{node}: the validation could not be completed"),
    };
    writeln!(
        out,
        "::notice title=nfd-compat verdict::{}",
        gh_data(&verdict)
    )
}

/// Renders the JUnit document of a run that ended before it had a report: one testcase,
/// `command`, with an `<error>` carrying `message`.
pub(crate) fn render_fatal_junit(
    command: &str,
    message: &str,
    out: &mut impl Write,
) -> io::Result<()> {
    let message = xml_escape(message);
    let command = xml_escape(command);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="nfd-compat" tests="1" failures="0" errors="1">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="nfd-compat {command}" tests="1" failures="0" errors="1">"#
    )?;
    writeln!(
        out,
        r#"    <testcase classname="nfd-compat" name="{command}">"#
    )?;
    writeln!(
        out,
        r#"      <error message="{message}" type="ERROR">{message}</error>"#
    )?;
    writeln!(out, "    </testcase>")?;
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Renders the workflow commands of a run that ended before it had a report: an `::error`
/// with `message`, and the `::notice` verdict.
pub(crate) fn render_fatal_github(message: &str, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "::error title=nfd-compat::{}", gh_data(message))?;
    writeln!(
        out,
        "::notice title=nfd-compat verdict::the validation could not be completed"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            xml_escape("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{fffd}"
        );
        assert_eq!(gh_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(gh_property("a:b,c"), "a%3Ab%2Cc");
    }
}

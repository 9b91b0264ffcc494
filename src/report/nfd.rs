//! NFD's `--output-json` shape, exactly: a compact JSON array of compatibility sets with
//! NFD's keys, key order, omissions and sorting, Go's HTML escaping, and a newline at the end
//! (NFD prints none; every other JSON tool does).

use std::io::{self, Write};

use serde::Serialize;

use super::{ExprReport, Report, Status};

#[derive(Serialize)]
struct CompatibilityStatus<'a> {
    rules: Option<Vec<RuleStatus<'a>>>,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "is_zero")]
    weight: i64,
    #[serde(skip_serializing_if = "str::is_empty")]
    tag: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleStatus<'a> {
    name: &'a str,
    is_match: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matched_expressions: Vec<MatchedExpression<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matched_any: Vec<MatchAnyElem<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MatchAnyElem<'a> {
    matched_expressions: Option<Vec<MatchedExpression<'a>>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MatchedExpression<'a> {
    feature: &'a str,
    name: &'a str,
    expression: &'a super::ExpressionOut,
    matcher_type: &'static str,
    is_match: bool,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes fields by reference"
)]
fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// NFD sorts each matcher's entries by feature, name, then the expression's string form.
fn entries(reports: &[ExprReport]) -> Vec<MatchedExpression<'_>> {
    let mut sorted: Vec<&ExprReport> = reports.iter().collect();
    sorted.sort_by(|a, b| {
        (
            a.feature.as_str(),
            a.name.as_str(),
            a.expression_text.as_str(),
        )
            .cmp(&(
                b.feature.as_str(),
                b.name.as_str(),
                b.expression_text.as_str(),
            ))
    });
    sorted
        .into_iter()
        .map(|e| MatchedExpression {
            feature: &e.feature,
            name: &e.name,
            expression: &e.expression,
            matcher_type: e.matcher_type,
            is_match: e.status == Status::Ok,
        })
        .collect()
}

/// Renders NFD's JSON for a report.
pub fn render(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let sets = statuses(report);
    // Written as it is serialised, through a buffer of its own (see `json::render_json`).
    let mut buffered = io::BufWriter::with_capacity(1 << 16, &mut *out);
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffered, GoEscape);
    sets.serialize(&mut serializer)
        .map_err(super::json::json_io)?;
    buffered.write_all(b"\n")?;
    buffered
        .into_inner()
        .map(drop)
        .map_err(io::IntoInnerError::into_error)
}

/// NFD's compatibility statuses of a report.
fn statuses(report: &Report) -> Vec<CompatibilityStatus<'_>> {
    report
        .sets
        .iter()
        .map(|set| CompatibilityStatus {
            rules: (!set.rules_absent).then(|| {
                set.rules
                    .iter()
                    .map(|rule| RuleStatus {
                        name: &rule.name,
                        is_match: rule.is_match,
                        matched_expressions: entries(&rule.match_features),
                        matched_any: rule
                            .match_any
                            .iter()
                            .map(|any| MatchAnyElem {
                                matched_expressions: (!any.match_features.is_empty())
                                    .then(|| entries(&any.match_features)),
                            })
                            .collect(),
                    })
                    .collect()
            }),
            description: &set.description,
            weight: set.weight,
            tag: &set.tag,
        })
        .collect()
}

/// serde_json's compact form with Go's escaping (see [`go_html_escape`]) applied to the
/// text of strings as they are written: serde_json passes on `<`, `>`, `&`, U+2028 and U+2029
/// unescaped, inside the runs of plain text this formatter receives.
struct GoEscape;

impl serde_json::ser::Formatter for GoEscape {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        go_escaped(fragment, |piece| writer.write_all(piece.as_bytes()))
    }
}

/// Go's `json.Marshal` escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings; outside
/// strings these characters cannot occur in JSON, so a plain replacement is exact.
pub(crate) fn go_html_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let pushed: Result<(), std::convert::Infallible> = go_escaped(json, |piece| {
        out.push_str(piece);
        Ok(())
    });
    let Ok(()) = pushed;
    out
}

/// `text` with Go's escapes, in pieces handed to `write`.
fn go_escaped<E>(text: &str, mut write: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut rest = text;
    // Runs without a special character are copied whole; 0xE2 starts U+2028 and U+2029 (and
    // other three-byte characters, copied as they are).
    while let Some(i) = rest
        .bytes()
        .position(|b| matches!(b, b'<' | b'>' | b'&' | 0xE2))
    {
        write(&rest[..i])?;
        let special = &rest[i..];
        let (text, len) = match special.as_bytes()[0] {
            b'<' => ("\\u003c", 1),
            b'>' => ("\\u003e", 1),
            b'&' => ("\\u0026", 1),
            _ if special.starts_with('\u{2028}') => ("\\u2028", 3),
            _ if special.starts_with('\u{2029}') => ("\\u2029", 3),
            _ => (&special[..3], 3),
        };
        write(text)?;
        rest = &special[len..];
    }
    write(rest)
}

#[cfg(test)]
mod tests {
    use super::{go_html_escape, render, statuses};
    use crate::report::{Origin, build};
    use crate::rules::{self, Options};
    use crate::snapshot;
    use crate::spec::load;

    #[test]
    fn escapes_while_writing_as_when_escaping_the_whole_text() {
        // YAML double-quoted escapes: U+2028 and U+2029, a quote, a newline, a control.
        let spec = r#"version: v1alpha1
compatibilities:
- description: "d<e>s&c\u2028\"\n\u2029—"
  rules:
  - name: "<r>&\u2028\u0001"
    matchFeatures:
    - feature: "cpu.<cpuid>"
      matchExpressions:
        "A&V\u2029X": {op: In, value: ["<&>", "\u2028\\"]}
"#;
        let spec = load(spec.as_bytes()).expect("spec loads").spec;
        let node = snapshot::parse(br"{}").expect("snapshot parses").remove(0);
        let evaluation = rules::evaluate(&spec, &node.features, &Options::default());
        let report = build(
            &spec,
            &evaluation,
            &node.features,
            Origin::default(),
            Vec::new(),
        );
        let mut streamed = Vec::new();
        render(&report, &mut streamed).unwrap();
        let whole = serde_json::to_string(&statuses(&report)).unwrap();
        assert!(whole.contains('<') && whole.contains('\u{2028}') && whole.contains("\\\""));
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            go_html_escape(&whole) + "\n"
        );
    }

    #[test]
    fn escapes_as_go_does() {
        assert_eq!(
            go_html_escape("{\"a\":\"<b> & c\u{2028}d\u{2029}e \u{2014} \u{e9}\"}"),
            "{\"a\":\"\\u003cb\\u003e \\u0026 c\\u2028d\\u2029e \u{2014} \u{e9}\"}"
        );
        assert_eq!(go_html_escape(""), "");
        assert_eq!(go_html_escape("plain"), "plain");
    }
}

//! NFD's `--output-json` shape, exactly: a compact JSON array of compatibility sets with
//! NFD's keys, key order, omissions and sorting, Go's HTML escaping, and a newline at the end
//! (NFD prints none; every other JSON tool does).

use std::io::{self, Write};

#[cfg(test)]
use serde::Serialize;

use super::{ExprReport, Report, Status};

#[cfg(test)]
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

#[cfg(test)]
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

#[cfg(test)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MatchAnyElem<'a> {
    matched_expressions: Option<Vec<MatchedExpression<'a>>>,
}

#[cfg(test)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MatchedExpression<'a> {
    feature: &'a str,
    name: &'a str,
    expression: &'a super::ExpressionOut,
    matcher_type: &'static str,
    is_match: bool,
}

#[cfg(test)]
#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes fields by reference"
)]
fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// NFD sorts each matcher's entries by feature, name, then the expression's string form.
fn sorted(reports: &[ExprReport]) -> Vec<&ExprReport> {
    let mut sorted: Vec<&ExprReport> = reports.iter().collect();
    // The expression's text is made only for entries of the same feature and name.
    sorted.sort_by(|a, b| {
        (a.feature.as_str(), a.name.as_str())
            .cmp(&(b.feature.as_str(), b.name.as_str()))
            .then_with(|| a.expression_text().cmp(&b.expression_text()))
    });
    sorted
}

/// The entries of a matcher as serde writes them (the reference [`render`] is tested against).
#[cfg(test)]
fn entries(reports: &[ExprReport]) -> Vec<MatchedExpression<'_>> {
    sorted(reports)
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
///
/// The document is written directly (see [`Writer`]), byte for byte what serde_json's compact
/// form of [`statuses`] with Go's escaping gives (the tests compare the two): through serde,
/// the per-value calls and the escaping of each string fragment were most of the cost.
pub fn render(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let mut w = Writer {
        buf: Vec::with_capacity(1 << 16),
        out,
    };
    w.raw(b"[");
    for (i, set) in report.sets.iter().enumerate() {
        w.comma(i);
        w.raw(b"{\"rules\":");
        if set.rules_absent {
            w.raw(b"null");
        } else {
            w.raw(b"[");
            for (j, rule) in set.rules.iter().enumerate() {
                w.comma(j);
                w.rule(rule)?;
            }
            w.raw(b"]");
        }
        if !set.description.is_empty() {
            w.raw(b",\"description\":");
            w.string(&set.description);
        }
        if set.weight != 0 {
            w.raw(b",\"weight\":");
            w.raw(set.weight.to_string().as_bytes());
        }
        if !set.tag.is_empty() {
            w.raw(b",\"tag\":");
            w.string(&set.tag);
        }
        w.raw(b"}");
        w.spill()?;
    }
    w.raw(b"]\n");
    w.out.write_all(&w.buf)
}

/// Writes NFD's JSON into a buffer handed to `out` in large pieces.
struct Writer<'o, W: Write> {
    buf: Vec<u8>,
    out: &'o mut W,
}

impl<W: Write> Writer<'_, W> {
    fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// A comma before every element but the first.
    fn comma(&mut self, index: usize) {
        if index > 0 {
            self.buf.push(b',');
        }
    }

    /// Hands the buffer to `out` once it is large (memory stays bounded).
    fn spill(&mut self) -> io::Result<()> {
        if self.buf.len() >= 1 << 16 {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn rule(&mut self, rule: &super::RuleReport) -> io::Result<()> {
        self.raw(b"{\"name\":");
        self.string(&rule.name);
        self.raw(if rule.is_match {
            b",\"isMatch\":true"
        } else {
            b",\"isMatch\":false"
        });
        if !rule.match_features.is_empty() {
            self.raw(b",\"matchedExpressions\":");
            self.entries(&rule.match_features)?;
        }
        if !rule.match_any.is_empty() {
            self.raw(b",\"matchedAny\":[");
            for (i, any) in rule.match_any.iter().enumerate() {
                self.comma(i);
                self.raw(b"{\"matchedExpressions\":");
                if any.match_features.is_empty() {
                    self.raw(b"null");
                } else {
                    self.entries(&any.match_features)?;
                }
                self.raw(b"}");
            }
            self.raw(b"]");
        }
        self.raw(b"}");
        Ok(())
    }

    /// A matcher's entries, in NFD's order (see [`sorted`]).
    fn entries(&mut self, reports: &[ExprReport]) -> io::Result<()> {
        self.raw(b"[");
        for (i, e) in sorted(reports).into_iter().enumerate() {
            self.comma(i);
            self.raw(b"{\"feature\":");
            self.string(&e.feature);
            self.raw(b",\"name\":");
            self.string(&e.name);
            self.raw(b",\"expression\":{\"op\":");
            self.string(e.expression.op);
            if !e.expression.value.is_empty() {
                self.raw(b",\"value\":[");
                for (j, v) in e.expression.value.iter().enumerate() {
                    self.comma(j);
                    self.string(v);
                }
                self.raw(b"]");
            }
            if let Some(t) = &e.expression.value_type {
                self.raw(b",\"type\":");
                self.string(t);
            }
            self.raw(b"},\"matcherType\":");
            self.string(e.matcher_type);
            self.raw(if e.status == Status::Ok {
                b",\"isMatch\":true}"
            } else {
                b",\"isMatch\":false}"
            });
            self.spill()?;
        }
        self.raw(b"]");
        Ok(())
    }

    /// A JSON string as serde_json writes it (`\"`, `\\`, the short escapes of `\b`, `\t`,
    /// `\n`, `\f`, `\r`, `\u00xx` for other controls) with Go's escapes (see
    /// [`go_html_escape`]).
    fn string(&mut self, text: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.buf.push(b'"');
        let bytes = text.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\t' => b"\\t",
                b'\r' => b"\\r",
                0x08 => b"\\b",
                0x0C => b"\\f",
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                0xE2 if bytes[i..].starts_with("\u{2028}".as_bytes()) => b"\\u2028",
                0xE2 if bytes[i..].starts_with("\u{2029}".as_bytes()) => b"\\u2029",
                0x00..=0x1F => {
                    self.buf.extend_from_slice(&bytes[start..i]);
                    self.buf.extend_from_slice(b"\\u00");
                    self.buf.push(HEX[usize::from(b >> 4)]);
                    self.buf.push(HEX[usize::from(b & 0xF)]);
                    i += 1;
                    start = i;
                    continue;
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            self.buf.extend_from_slice(&bytes[start..i]);
            self.buf.extend_from_slice(escape);
            // U+2028 and U+2029 are three bytes, the others one.
            i += if b == 0xE2 { 3 } else { 1 };
            start = i;
        }
        self.buf.extend_from_slice(&bytes[start..]);
        self.buf.push(b'"');
    }
}

/// NFD's compatibility statuses of a report, as serde writes them (the reference [`render`]
/// is tested against).
#[cfg(test)]
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
    use crate::report::{Origin, Report, build};
    use crate::rules::{self, Options};
    use crate::snapshot;
    use crate::spec::load;

    /// The report of `spec` on `snapshot`, and its NFD JSON.
    fn rendered(spec: &str, snapshot: &[u8]) -> (Report, Vec<u8>) {
        let spec = load(spec.as_bytes()).expect("spec loads").spec;
        let node = snapshot::parse(snapshot)
            .expect("snapshot parses")
            .remove(0);
        let evaluation = rules::evaluate(&spec, &node.features, &Options::default());
        let report = build(
            &spec,
            &evaluation,
            &node.features,
            Origin::default(),
            Vec::new(),
        );
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        (report, out)
    }

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
        "\b\f\t\r\x7f": {op: Gt, value: ["1.2"], type: version}
        "B": {op: Exists}
    matchAny:
    - matchFeatures:
      - feature: cpu.cpuid
        matchExpressions:
          X: {op: In, value: ["\u001f"]}
    - matchFeatures: []
  weight: -12
  tag: "t<"
- description: no rules
  weight: 7
"#;
        let (report, streamed) =
            rendered(spec, br#"{"flags":{"cpu.cpuid":{"elements":{"X":{}}}}}"#);
        let whole = serde_json::to_string(&statuses(&report)).unwrap();
        assert!(whole.contains('<') && whole.contains('\u{2028}') && whole.contains("\\\""));
        for part in [
            "\"weight\":-12",
            "\"rules\":null",
            "\"matchedExpressions\":null",
            "\"type\":\"version\"",
            "\\u001f",
            "\\b\\f\\t\\r\u{7f}",
        ] {
            assert!(whole.contains(part), "{part} in {whole}");
        }
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            go_html_escape(&whole) + "\n"
        );
    }

    #[test]
    fn entries_of_one_feature_and_name_sort_by_the_expression_text() {
        let spec = r#"version: v1alpha1
compatibilities:
- rules:
  - name: r
    matchFeatures:
    - feature: cpu.cpuid
      matchExpressions:
        X: {op: NotIn, value: ["b"]}
    - feature: cpu.cpuid
      matchExpressions:
        X: {op: In, value: ["a"]}
    - feature: cpu.cpuid
      matchExpressions:
        X: {op: Exists}
"#;
        let out = String::from_utf8(rendered(spec, b"{}").1).unwrap();
        let at = |op: &str| out.find(&format!("\"op\":\"{op}\"")).expect(op);
        assert!(at("Exists") < at("In") && at("In") < at("NotIn"), "{out}");
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

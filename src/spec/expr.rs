//! One match expression (`{op: In, value: [...], type: version}`), checked and compiled once
//! when the spec is loaded.
//!
//! NFD validates an expression every time it evaluates it and aborts the whole run on the first
//! bad one. Here every check that does not depend on the node's data happens in [`Expr::new`]:
//! the op, the number of values, regexes, integer and version bounds, the order of `GtLt`
//! bounds, and the `type`. What remains for evaluation is only what depends on the node (a
//! value that is not a number, say).

use std::collections::HashSet;
use std::fmt::{self, Write as _};

use regex::Regex;

use super::version::Version;

/// The longest regex pattern accepted, in bytes.
pub(crate) const MAX_REGEX_LEN: usize = 4096;
/// The largest compiled program one regex may need (the `regex` crate's size limit).
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// The most values one expression may list.
pub(crate) const MAX_VALUES: usize = 10_000;

/// A match operator (NFD's `MatchOp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Op {
    /// `""`: matches anything (NFD's `MatchAny`).
    Any,
    /// `In`: the value is one of the listed values.
    In,
    /// `NotIn`: the value is none of the listed values.
    NotIn,
    /// `InRegexp`: some listed regex matches the value (unanchored).
    InRegexp,
    /// `Exists`: the element is present.
    Exists,
    /// `DoesNotExist`: the element is absent.
    DoesNotExist,
    /// `Gt`: the value is greater than the bound.
    Gt,
    /// `Ge`: the value is greater than or equal to the bound.
    Ge,
    /// `Lt`: the value is less than the bound.
    Lt,
    /// `Le`: the value is less than or equal to the bound.
    Le,
    /// `GtLt`: the value is strictly between the two bounds.
    GtLt,
    /// `GeLe`: the value is between the two bounds, inclusive.
    GeLe,
    /// `IsTrue`: the value is `"true"`.
    IsTrue,
    /// `IsFalse`: the value is `"false"`.
    IsFalse,
}

/// Every op with its spelling in a spec.
pub(crate) const OPS: [(Op, &str); 14] = [
    (Op::Any, ""),
    (Op::In, "In"),
    (Op::NotIn, "NotIn"),
    (Op::InRegexp, "InRegexp"),
    (Op::Exists, "Exists"),
    (Op::DoesNotExist, "DoesNotExist"),
    (Op::Gt, "Gt"),
    (Op::Ge, "Ge"),
    (Op::Lt, "Lt"),
    (Op::Le, "Le"),
    (Op::GtLt, "GtLt"),
    (Op::GeLe, "GeLe"),
    (Op::IsTrue, "IsTrue"),
    (Op::IsFalse, "IsFalse"),
];

impl Op {
    /// The op spelled as in a spec (case-sensitive, as NFD).
    pub(crate) fn parse(s: &str) -> Option<Op> {
        OPS.iter().find(|(_, name)| *name == s).map(|(op, _)| *op)
    }

    /// The op's spelling in a spec.
    pub(crate) fn as_str(self) -> &'static str {
        OPS.iter()
            .find(|(op, _)| *op == self)
            .map_or("", |(_, name)| name)
    }

    /// How many values the op takes: `(min, max)`.
    pub(crate) fn arity(self) -> (usize, usize) {
        match self {
            Op::Any | Op::Exists | Op::DoesNotExist | Op::IsTrue | Op::IsFalse => (0, 0),
            Op::In | Op::NotIn | Op::InRegexp => (1, MAX_VALUES),
            Op::Gt | Op::Ge | Op::Lt | Op::Le => (1, 1),
            Op::GtLt | Op::GeLe => (2, 2),
        }
    }

    /// Whether the op compares numbers or versions (and so reads `type`).
    pub(crate) fn is_ordering(self) -> bool {
        matches!(
            self,
            Op::Gt | Op::Ge | Op::Lt | Op::Le | Op::GtLt | Op::GeLe
        )
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How ordering ops read values (NFD's `ValueType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ValueType {
    /// `type` absent or `""`: 64-bit integers.
    #[default]
    Int,
    /// `type: version`: versions (see [`Version`]).
    Version,
}

impl ValueType {
    /// The type's spelling in a spec.
    #[cfg(test)]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ValueType::Int => "",
            ValueType::Version => "version",
        }
    }
}

/// The values of an expression in the form evaluation needs.
#[derive(Debug, Clone)]
pub(crate) enum Compiled {
    /// The op takes no values.
    None,
    /// `In`/`NotIn`: a set for large lists, the list itself for short ones.
    Strings(StringSet),
    /// `InRegexp`: compiled patterns, in spec order.
    Regexes(Vec<Pattern>),
    /// Integer bounds (one or two).
    Ints(Vec<i64>),
    /// Version bounds (one or two).
    Versions(Vec<Version>),
}

/// One `InRegexp` pattern, compiled.
#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    /// A pattern without any regex syntax: it matches exactly the values containing it, so a
    /// substring search answers as the regex would, without the regex engine's per-call setup
    /// (the searcher is built once).
    Literal(Box<memchr::memmem::Finder<'static>>),
    /// Any other pattern.
    Regex(Regex),
}

impl Pattern {
    /// The pattern as written (for tests).
    #[cfg(test)]
    pub(crate) fn source(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Pattern::Literal(finder) => String::from_utf8_lossy(finder.needle()),
            Pattern::Regex(regex) => regex.as_str().into(),
        }
    }

    /// Whether the pattern matches somewhere in `value` (unanchored, as NFD's `MatchString`).
    pub(crate) fn is_match(&self, value: &str) -> bool {
        match self {
            Pattern::Literal(finder) => finder.find(value.as_bytes()).is_some(),
            Pattern::Regex(regex) => regex.is_match(value),
        }
    }
}

/// A set of strings that is fast for both short and long lists: the expression's own values
/// for a short list, a hash set for a long one.
#[derive(Debug, Clone)]
pub(crate) enum StringSet {
    /// Up to 8 values: a linear scan of the expression's values beats hashing (and a copy of
    /// them would be an allocation per value).
    Scan,
    /// More values: a hash set.
    Large(HashSet<String>),
}

impl StringSet {
    fn new(values: &[String]) -> Self {
        if values.len() <= 8 {
            StringSet::Scan
        } else {
            StringSet::Large(values.iter().cloned().collect())
        }
    }

    /// Whether `s` is in the set of `values` (the expression's values, which made the set).
    pub(crate) fn contains(&self, values: &[String], s: &str) -> bool {
        match self {
            StringSet::Scan => values.iter().any(|x| x == s),
            StringSet::Large(h) => h.contains(s),
        }
    }
}

/// A checked, compiled match expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// The operator.
    pub(crate) op: Op,
    /// The values as written in the spec (for reports, NFD's `value`).
    pub(crate) value: Vec<String>,
    /// The value type (NFD's `type`).
    pub value_type: ValueType,
    /// The `type` string as written (`None` when absent), for NFD's report shape.
    pub(crate) type_written: Option<String>,
    /// The values compiled for evaluation.
    pub(crate) compiled: Compiled,
    /// Unquoted values NFD's YAML 1.1 reader reads differently: `(as written, as NFD reads it)`.
    pub(crate) yaml11: Vec<(String, String)>,
}

/// Why an expression was rejected when the spec was loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ExprError {
    /// The op is not one NFD knows.
    #[error(
        "unknown op `{0}` (expected one of In, NotIn, InRegexp, Exists, DoesNotExist, Gt, Ge, Lt, Le, GtLt, GeLe, IsTrue, IsFalse)"
    )]
    UnknownOp(String),
    /// Too few or too many values for the op.
    #[error("op `{op}` takes {expected}, but {found} given")]
    Arity {
        /// The op.
        op: Op,
        /// What it takes, in words.
        expected: String,
        /// How many were given.
        found: usize,
    },
    /// `type` is neither absent, `""` nor `version`.
    #[error("unknown type `{0}` (the only type is `version`)")]
    UnknownType(String),
    /// A regex that does not compile.
    #[error("value {index} `{pattern}` is not a valid regex: {reason}")]
    Regex {
        /// Position in `value`.
        index: usize,
        /// The pattern, shortened when long.
        pattern: String,
        /// What the regex compiler said.
        reason: String,
    },
    /// A regex longer than [`MAX_REGEX_LEN`].
    #[error("value {index} is a regex of {len} bytes; the limit is {MAX_REGEX_LEN}")]
    RegexTooLong {
        /// Position in `value`.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// An integer bound that is not a 64-bit integer.
    #[error("value {index} `{value}` is not an integer (add `type: version` to compare versions)")]
    NotInteger {
        /// Position in `value`.
        index: usize,
        /// The value.
        value: String,
    },
    /// A version bound NFD cannot parse.
    #[error("value {index} `{value}` is not a version NFD can parse (e.g. `5.15`, `v1.2.3`)")]
    NotVersion {
        /// Position in `value`.
        index: usize,
        /// The value.
        value: String,
    },
    /// `GtLt`/`GeLe` integer bounds in the wrong order.
    #[error("bounds out of order: `{low}` must be less than `{high}`")]
    BoundsOrder {
        /// The first value.
        low: String,
        /// The second value.
        high: String,
    },
}

impl Expr {
    /// Checks and compiles an expression. `type_written` is the `type` field as written.
    pub(crate) fn new(
        op: &str,
        value: Vec<String>,
        type_written: Option<String>,
    ) -> Result<Expr, ExprError> {
        let op = Op::parse(op).ok_or_else(|| ExprError::UnknownOp(op.to_owned()))?;
        let value_type = match type_written.as_deref() {
            None | Some("") => ValueType::Int,
            Some("version") => ValueType::Version,
            Some(other) => return Err(ExprError::UnknownType(other.to_owned())),
        };
        let (min, max) = op.arity();
        if value.len() < min || value.len() > max {
            let expected = match (min, max) {
                (0, 0) => "no values".to_owned(),
                (1, 1) => "exactly 1 value".to_owned(),
                (2, 2) => "exactly 2 values".to_owned(),
                (min, max) => format!("{min} to {max} values"),
            };
            return Err(ExprError::Arity {
                op,
                expected,
                found: value.len(),
            });
        }
        let compiled = match op {
            Op::Any | Op::Exists | Op::DoesNotExist | Op::IsTrue | Op::IsFalse => Compiled::None,
            Op::In | Op::NotIn => Compiled::Strings(StringSet::new(&value)),
            Op::InRegexp => Compiled::Regexes(compile_regexes(&value)?),
            Op::Gt | Op::Ge | Op::Lt | Op::Le | Op::GtLt | Op::GeLe => match value_type {
                ValueType::Int => {
                    let ints = value
                        .iter()
                        .enumerate()
                        .map(|(index, v)| {
                            parse_go_int(v).ok_or_else(|| ExprError::NotInteger {
                                index,
                                value: v.clone(),
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    if ints.len() == 2 && ints[0] >= ints[1] {
                        return Err(ExprError::BoundsOrder {
                            low: value[0].clone(),
                            high: value[1].clone(),
                        });
                    }
                    Compiled::Ints(ints)
                }
                ValueType::Version => Compiled::Versions(
                    value
                        .iter()
                        .enumerate()
                        .map(|(index, v)| {
                            Version::parse(v).ok_or_else(|| ExprError::NotVersion {
                                index,
                                value: v.clone(),
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            },
        };
        Ok(Expr {
            op,
            value,
            value_type,
            type_written,
            compiled,
            yaml11: Vec::new(),
        })
    }

    /// The expression for messages: `{op: "In", value: ["a", "b"], type: version}` (NFD's
    /// form with commas between values, and the `type` when written). NFD's own form, for the
    /// table, is [`nfd_text`].
    pub(crate) fn text(&self) -> String {
        let value_type = self.type_written.as_deref().filter(|t| !t.is_empty());
        expression_text(self.op.as_str(), &self.value, value_type)
    }

    /// NFD's `MatchExpression.String()`: `{op: "In", value: ["a" "b"]}` (type not shown).
    #[cfg(test)]
    pub(crate) fn nfd_string(&self) -> String {
        nfd_text(self.op.as_str(), &self.value)
    }
}

/// NFD's `MatchExpression.String()` of an op and its values (see [`Expr::nfd_string`]).
pub(crate) fn nfd_text(op: &str, values: &[String]) -> String {
    if values.is_empty() {
        return format!("{{op: {}}}", go_quote(op));
    }
    let values: Vec<String> = values.iter().map(|v| go_quote(v)).collect();
    format!("{{op: {}, value: [{}]}}", go_quote(op), values.join(" "))
}

/// `{op: "In", value: ["a", "b"], type: version}`: an expression for messages (see
/// [`Expr::text`]).
pub(crate) fn expression_text(op: &str, values: &[String], value_type: Option<&str>) -> String {
    let mut out = format!("{{op: {}", go_quote(op));
    if !values.is_empty() {
        let values: Vec<String> = values.iter().map(|v| go_quote(v)).collect();
        out.push_str(&format!(", value: [{}]", values.join(", ")));
    }
    if let Some(t) = value_type {
        out.push_str(&format!(", type: {t}"));
    }
    out.push('}');
    out
}

fn compile_regexes(values: &[String]) -> Result<Vec<Pattern>, ExprError> {
    values
        .iter()
        .enumerate()
        .map(|(index, pattern)| {
            if pattern.len() > MAX_REGEX_LEN {
                return Err(ExprError::RegexTooLong {
                    index,
                    len: pattern.len(),
                });
            }
            let regex = regex::RegexBuilder::new(pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| ExprError::Regex {
                    index,
                    pattern: shorten(pattern, 60),
                    reason: e
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                })?;
            // `escape` leaves alone exactly the characters that match themselves.
            Ok(if regex::escape(pattern) == *pattern {
                Pattern::Literal(Box::new(
                    memchr::memmem::Finder::new(pattern.as_bytes()).into_owned(),
                ))
            } else {
                Pattern::Regex(regex)
            })
        })
        .collect()
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits, nothing else, 64-bit range.
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `i64::from_str` accepts a leading `+` too, and rejects out-of-range values.
    s.parse().ok()
}

/// Go's `%q` for a string: double quotes, with `"` and `\` escaped and control characters
/// written as escapes.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` cut to at most `max` characters, with an ellipsis when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn accepts_every_op_with_its_arity() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("", &[], None),
            ("In", &["a", "b"], None),
            ("NotIn", &["a"], None),
            ("InRegexp", &["^a", "b$"], None),
            ("Exists", &[], None),
            ("DoesNotExist", &[], None),
            ("Gt", &["5"], None),
            ("Ge", &["-5"], Some("")),
            ("Lt", &["+7"], None),
            ("Le", &["1.2"], Some("version")),
            ("GtLt", &["1", "10"], None),
            ("GeLe", &["v2", "v1"], Some("version")),
            ("IsTrue", &[], None),
            ("IsFalse", &[], None),
        ];
        for (op, values, ty) in cases {
            let e = Expr::new(op, v(values), ty.map(str::to_owned));
            assert!(e.is_ok(), "{op} {values:?}: {e:?}");
        }
    }

    #[test]
    fn rejects_what_nfd_would_reject_at_evaluation() {
        let cases: &[(&str, &[&str], Option<&str>, &str)] = &[
            ("Foo", &[], None, "unknown op `Foo`"),
            ("in", &["a"], None, "unknown op `in`"),
            (
                "In",
                &[],
                None,
                "op `In` takes 1 to 10000 values, but 0 given",
            ),
            (
                "Exists",
                &["a"],
                None,
                "op `Exists` takes no values, but 1 given",
            ),
            ("", &["a"], None, "op `` takes no values, but 1 given"),
            (
                "IsTrue",
                &["true"],
                None,
                "op `IsTrue` takes no values, but 1 given",
            ),
            (
                "Gt",
                &["1", "2"],
                None,
                "op `Gt` takes exactly 1 value, but 2 given",
            ),
            (
                "GtLt",
                &["1"],
                None,
                "op `GtLt` takes exactly 2 values, but 1 given",
            ),
            ("Gt", &["1.0"], None, "value 0 `1.0` is not an integer"),
            ("Gt", &["0x10"], None, "value 0 `0x10` is not an integer"),
            ("Gt", &["99999999999999999999"], None, "is not an integer"),
            (
                "Gt",
                &["4.18.0-305.el8.x86_64"],
                Some("version"),
                "is not a version",
            ),
            ("Gt", &["1"], Some("semver"), "unknown type `semver`"),
            (
                "GtLt",
                &["10", "1"],
                None,
                "bounds out of order: `10` must be less than `1`",
            ),
            ("GeLe", &["5", "5"], None, "bounds out of order"),
            ("InRegexp", &["("], None, "value 0 `(` is not a valid regex"),
        ];
        for (op, values, ty, want) in cases {
            let err = Expr::new(op, v(values), ty.map(str::to_owned))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(want),
                "{op} {values:?}: got `{err}`, want `{want}`"
            );
        }
    }

    #[test]
    fn rejects_huge_regex_quickly() {
        let pattern = "a".repeat(50 * 1024);
        let err = Expr::new("InRegexp", vec![pattern], None).unwrap_err();
        assert_eq!(
            err,
            ExprError::RegexTooLong {
                index: 0,
                len: 50 * 1024
            }
        );
        // Within the length limit but with a huge compiled program.
        let err = Expr::new("InRegexp", vec!["(?:a{1000}){1000}".to_owned()], None).unwrap_err();
        assert!(matches!(err, ExprError::Regex { .. }), "{err:?}");
    }

    #[test]
    fn literal_patterns_match_as_their_regex() {
        let patterns = [
            ("FMA", true),
            ("a b", true),
            ("\u{e9}t\u{e9}", true),
            ("", true),
            ("vfio_pci", true),
            ("AVX.", false),
            ("^AVX", false),
            ("a-b", false),
            ("(?i)fma", false),
            ("FMA$", false),
        ];
        let values = [
            "",
            "FMA",
            "FMA3",
            "xFMAx",
            "fma",
            "a b",
            "\u{e9}t\u{e9}!",
            "AVX2",
            "vfio_pci",
            "a-b",
        ];
        for (pattern, literal) in patterns {
            let e = Expr::new("InRegexp", v(&[pattern]), None).unwrap();
            let Compiled::Regexes(compiled) = &e.compiled else {
                panic!("{pattern}: {:?}", e.compiled);
            };
            assert_eq!(
                matches!(compiled[0], Pattern::Literal(_)),
                literal,
                "{pattern}"
            );
            let regex = Regex::new(pattern).unwrap();
            for value in values {
                assert_eq!(
                    compiled[0].is_match(value),
                    regex.is_match(value),
                    "{pattern} on {value}"
                );
            }
        }
    }

    #[test]
    fn go_int_parsing_matches_atoi() {
        for (s, want) in [
            ("0", Some(0)),
            ("-12", Some(-12)),
            ("+12", Some(12)),
            ("007", Some(7)),
            ("", None),
            ("-", None),
            ("1 ", None),
            (" 1", None),
            ("1_000", None),
            ("0x1", None),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
        ] {
            assert_eq!(parse_go_int(s), want, "{s:?}");
        }
    }

    #[test]
    fn nfd_string_matches_go_formatting() {
        let e = Expr::new("In", v(&["Intel", "AMD"]), None).unwrap();
        assert_eq!(e.nfd_string(), r#"{op: "In", value: ["Intel" "AMD"]}"#);
        assert_eq!(e.text(), r#"{op: "In", value: ["Intel", "AMD"]}"#);
        let e = Expr::new("Exists", vec![], None).unwrap();
        assert_eq!(e.nfd_string(), r#"{op: "Exists"}"#);
        let e = Expr::new("", vec![], None).unwrap();
        assert_eq!(e.nfd_string(), r#"{op: ""}"#);
        let e = Expr::new("InRegexp", v(&[r"^AVX\d"]), None).unwrap();
        assert_eq!(e.nfd_string(), r#"{op: "InRegexp", value: ["^AVX\\d"]}"#);
    }
}

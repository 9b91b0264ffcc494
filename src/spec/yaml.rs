//! A small YAML 1.2 document tree with positions and scalar styles.
//!
//! serde-based YAML loading forgets where a value was, whether a scalar was quoted and which
//! keys were duplicated; the spec loader needs all three (errors that name the place, warnings
//! about scalars NFD's YAML 1.1 reads differently, case-insensitive keys as Go's JSON decoder).
//! This module turns `saphyr-parser` events into a [`Node`] tree, without recursion, with a
//! nesting limit and a budget on alias expansion (no "billion laughs").

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write as _};

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

pub(crate) mod de;
mod simple;

/// A position in the source: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    /// Line, from 1.
    pub(crate) line: usize,
    /// Column, from 1.
    pub(crate) col: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.col)
    }
}

impl From<&Span> for Pos {
    fn from(span: &Span) -> Self {
        Pos {
            line: span.start.line(),
            col: span.start.col() + 1,
        }
    }
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Unquoted: the only style YAML resolves to numbers, booleans and null.
    Plain,
    /// Quoted, block, or tagged: always a string.
    Literal,
}

/// A node of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node<'a> {
    /// Where the node starts.
    pub(crate) pos: Pos,
    /// What it is.
    pub(crate) kind: Kind<'a>,
}

/// The kinds of node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind<'a> {
    /// A scalar with its text (borrowed from the source where it is written out whole) and
    /// style.
    Scalar(Cow<'a, str>, Style),
    /// A sequence.
    Seq(Vec<Node<'a>>),
    /// A mapping, in document order.
    Map(Vec<(Node<'a>, Node<'a>)>),
}

impl Node<'_> {
    /// Whether the node is YAML null (`~`, `null`, or nothing, unquoted).
    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s, Style::Plain) if is_null_text(s))
    }

    /// A short description of the node's kind, for error messages.
    pub(crate) fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar(..) if self.is_null() => "null",
            Kind::Scalar(..) => "a scalar",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

/// Whether plain scalar text is YAML null.
pub(crate) fn is_null_text(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({pos})")]
pub(crate) struct SyntaxError {
    /// Where.
    pub(crate) pos: Pos,
    /// What.
    pub(crate) message: String,
}

/// The result of parsing: the first document, and how many documents there were.
#[derive(Debug)]
pub(crate) struct Document<'a> {
    /// The root node; `None` for an empty stream.
    pub(crate) root: Option<Node<'a>>,
    /// The number of documents in the stream.
    pub(crate) count: usize,
}

/// Limits applied while building the tree.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The deepest nesting of lists and mappings.
    pub(crate) max_depth: usize,
    /// The most nodes, counting each alias expansion in full.
    pub(crate) max_nodes: usize,
}

enum Frame<'a> {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node<'a>>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<(Node<'a>, Node<'a>)>,
        key: Option<Node<'a>>,
    },
}

/// Parses `text` into a tree (the first document; later documents are counted, not kept).
///
/// Text in the shape most specs have is read by a fast reader ([`simple`]), which builds the
/// same tree; anything else, errors included, by the full parser.
pub(crate) fn parse(text: &str, limits: Limits) -> Result<Document<'_>, SyntaxError> {
    match simple::parse(text, limits) {
        Some(document) => Ok(document),
        None => parse_full(text, limits),
    }
}

/// The tree of `text` if the fast reader reads it, without the full parser otherwise.
pub(crate) fn parse_fast(text: &str, limits: Limits) -> Option<Document<'_>> {
    simple::parse(text, limits)
}

/// The fast reader's promise, checked by the spec fuzz target and the unit tests: whatever it
/// reads, the full parser reads to the same tree. Panics when they disagree; returns whether
/// the fast reader read `text`.
pub(crate) fn check_fast_reader(text: &str, limits: Limits) -> bool {
    let Some(fast) = simple::parse(text, limits) else {
        return false;
    };
    match parse_full(text, limits) {
        Ok(full) => assert!(
            fast.root == full.root && fast.count == full.count,
            "the fast reader and the full parser build different trees for {text:?}"
        ),
        Err(e) => {
            panic!("the fast reader reads what the full parser rejects ({e:?}): {text:?}")
        }
    }
    true
}

/// [`parse`] with the full YAML 1.2 parser.
fn parse_full(text: &str, limits: Limits) -> Result<Document<'_>, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut anchors: HashMap<usize, Node<'_>> = HashMap::new();
    let mut root: Option<Node<'_>> = None;
    let mut count = 0usize;
    let mut nodes = 0usize;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| SyntaxError {
            pos: Pos {
                line: e.marker().line(),
                col: e.marker().col() + 1,
            },
            // The scanner's own guard against deep flow nesting trips before ours can.
            message: if e.info().contains("recursion limit") {
                format!("nesting deeper than {} levels", limits.max_depth)
            } else {
                e.info().to_owned()
            },
        })?;
        let pos = Pos::from(&span);
        let complete = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => None,
            Event::DocumentStart(_) => {
                count += 1;
                None
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= limits.max_depth {
                    return Err(SyntaxError {
                        pos,
                        message: format!("nesting deeper than {} levels", limits.max_depth),
                    });
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        pos,
                        anchor,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        pos,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                    }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match stack.pop() {
                    Some(Frame::Seq { pos, anchor, items }) => (
                        Node {
                            pos,
                            kind: Kind::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        pos,
                        anchor,
                        entries,
                        ..
                    }) => (
                        Node {
                            pos,
                            kind: Kind::Map(entries),
                        },
                        anchor,
                    ),
                    None => {
                        return Err(SyntaxError {
                            pos,
                            message: "unbalanced document".into(),
                        });
                    }
                };
                if anchor != 0 {
                    anchors.insert(anchor, node.clone());
                }
                Some(node)
            }
            Event::Scalar(value, style, anchor, tag) => {
                let style = match (style, &tag) {
                    (ScalarStyle::Plain, None) => Style::Plain,
                    _ => Style::Literal,
                };
                let node = Node {
                    pos,
                    kind: Kind::Scalar(value, style),
                };
                if anchor != 0 {
                    anchors.insert(anchor, node.clone());
                }
                Some(node)
            }
            Event::Alias(id) => {
                let Some(node) = anchors.get(&id) else {
                    return Err(SyntaxError {
                        pos,
                        message: "alias to an unknown anchor".into(),
                    });
                };
                nodes += count_nodes(node, limits.max_nodes.saturating_sub(nodes));
                if nodes > limits.max_nodes {
                    return Err(SyntaxError {
                        pos,
                        message: format!("aliases expand to more than {} nodes", limits.max_nodes),
                    });
                }
                Some(node.clone())
            }
        };
        let Some(node) = complete else { continue };
        nodes += 1;
        if nodes > limits.max_nodes {
            return Err(SyntaxError {
                pos,
                message: format!("more than {} nodes", limits.max_nodes),
            });
        }
        match stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
            None if count <= 1 => root = Some(node),
            None => {}
        }
    }
    Ok(Document { root, count })
}

/// Counts the nodes under `node`, stopping once `limit` is passed.
fn count_nodes(node: &Node<'_>, limit: usize) -> usize {
    let mut total = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        total += 1;
        if total > limit {
            break;
        }
        match &n.kind {
            Kind::Scalar(..) => {}
            Kind::Seq(items) => todo.extend(items),
            Kind::Map(entries) => {
                for (k, v) in entries {
                    todo.push(k);
                    todo.push(v);
                }
            }
        }
    }
    total
}

/// What NFD's YAML 1.1 reader (go-yaml v2 through sigs.k8s.io/yaml) makes of a plain scalar
/// that lands in a string field, when that differs from its text. `key` selects the
/// formatting used for mapping keys (64-bit floats) rather than values (32-bit floats).
pub(crate) fn yaml11_string(text: &str, key: bool) -> Option<String> {
    let read = yaml11_resolve(text, key)?;
    (read != text).then_some(read)
}

fn yaml11_resolve(text: &str, key: bool) -> Option<String> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Some("true".into());
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Some("false".into());
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(".inf".into()),
        "-.inf" | "-.Inf" | "-.INF" => return Some("-.inf".into()),
        ".nan" | ".NaN" | ".NAN" => return Some(".nan".into()),
        _ => {}
    }
    let first = text.bytes().next()?;
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return Some(i.to_string());
    }
    if is_yaml_float(&plain) {
        let f: f64 = plain.parse().ok()?;
        return Some(if key {
            go_format_g(f, false)
        } else {
            go_format_g(f, true)
        });
    }
    if let Some(bits) = plain.strip_prefix("0b") {
        return i64::from_str_radix(bits, 2).ok().map(|i| i.to_string());
    }
    if let Some(bits) = plain.strip_prefix("-0b") {
        return i64::from_str_radix(bits, 2).ok().map(|i| (-i).to_string());
    }
    None
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint`, as go-yaml v2 tries them.
fn go_parse_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, d)
    } else if let Some(d) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    let value = if neg {
        -i128::from(magnitude)
    } else {
        i128::from(magnitude)
    };
    // ParseInt covers the i64 range; ParseUint (no sign) covers the rest of u64.
    let fits = i64::try_from(value).is_ok() || !s.starts_with(['+', '-']);
    fits.then_some(value)
}

/// go-yaml v2's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32 or 64)`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "32-bit formatting is what Go does here"
)]
fn go_format_g(f: f64, single: bool) -> String {
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    // Shortest round-trip digits and the decimal exponent, from Rust's `{:e}`.
    let sci = if single {
        format!("{:e}", f as f32)
    } else {
        format!("{f:e}")
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if neg { "-" } else { "" };
    // strconv/ftoa.go: with shortest formatting, %e is used when the decimal exponent is
    // below -4 or at least 6.
    let eprec = 6;
    if exp < -4 || exp >= eprec {
        let mut out = String::from(sign);
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let _ = write!(out, "{:02}", exp.abs());
        return out;
    }
    // Plain decimal notation.
    let mut out = String::from(sign);
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = usize::try_from(exp + 1).unwrap_or(0);
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_depth: 64,
        max_nodes: 10_000,
    };

    #[test]
    fn builds_tree_with_positions_and_styles() {
        let doc = parse("a:\n  - 0300\n  - '0300'\nb: {c: d}\n", LIMITS).unwrap();
        let root = doc.root.unwrap();
        let Kind::Map(entries) = &root.kind else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0.kind, Kind::Scalar("a".into(), Style::Plain));
        let Kind::Seq(items) = &entries[0].1.kind else {
            panic!("not a seq")
        };
        assert_eq!(items[0].kind, Kind::Scalar("0300".into(), Style::Plain));
        assert_eq!(items[0].pos, Pos { line: 2, col: 5 });
        assert_eq!(items[1].kind, Kind::Scalar("0300".into(), Style::Literal));
        assert_eq!(entries[1].1.pos, Pos { line: 4, col: 4 });
        assert_eq!(doc.count, 1);
    }

    #[test]
    fn the_fast_reader_borrows_scalars_from_the_text() {
        let doc = parse("a: b\nc: 'd''e'\nf: \"g'h\"\ni: ['j', k]\n", LIMITS).unwrap();
        let root = doc.root.unwrap();
        let mut scalars = Vec::new();
        let mut todo = vec![&root];
        while let Some(node) = todo.pop() {
            match &node.kind {
                Kind::Scalar(s, _) => scalars.push((s.to_string(), matches!(s, Cow::Borrowed(_)))),
                Kind::Seq(items) => todo.extend(items.iter().rev()),
                Kind::Map(entries) => {
                    for (k, v) in entries.iter().rev() {
                        todo.push(v);
                        todo.push(k);
                    }
                }
            }
        }
        let want = [
            ("a", true),
            ("b", true),
            ("c", true),
            ("d'e", false),
            ("f", true),
            ("g'h", true),
            ("i", true),
            ("j", true),
            ("k", true),
        ];
        let want: Vec<(String, bool)> = want.iter().map(|(s, b)| ((*s).to_owned(), *b)).collect();
        assert_eq!(scalars, want);
    }

    #[test]
    fn limits_depth_and_alias_expansion() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let err = parse(&deep, LIMITS).unwrap_err();
        assert!(err.message.contains("nesting deeper than 64"), "{err}");
        let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        let err = parse(laughs, LIMITS).unwrap_err();
        assert!(err.message.contains("aliases expand to more than"), "{err}");
    }

    #[test]
    fn reports_syntax_errors_with_position() {
        let err = parse("a: [b, c\n", LIMITS).unwrap_err();
        assert_eq!(err.pos.line, 2, "{err}");
        let err = parse("a: b\n c: d\n", LIMITS).unwrap_err();
        assert!(err.pos.line >= 1, "{err}");
    }

    #[test]
    fn counts_documents_and_keeps_first() {
        let doc = parse("a: 1\n---\nb: 2\n", LIMITS).unwrap();
        assert_eq!(doc.count, 2);
        let Kind::Map(entries) = doc.root.unwrap().kind else {
            panic!()
        };
        assert_eq!(entries[0].0.kind, Kind::Scalar("a".into(), Style::Plain));
        assert!(parse("", LIMITS).unwrap().root.is_none());
    }

    /// The fast reader builds the tree the full parser builds, or leaves the text to it.
    #[test]
    fn fast_reader_matches_full_parser() {
        let simple = [
            "a: b\n",
            "a: b\nc: d # note\n# comment\n\ne:\n  f: g\n  h: [i, 'j''k', \"l\"]\n",
            "version: v1alpha1\ncompatibilities:\n- description: x\n  rules:\n  - name: r\n    matchFeatures:\n    - feature: pci.device\n      matchExpressions:\n        vendor: {op: In, value: [\"19e5\"]}\n        class: {op: Exists}\n      matchName: {op: InRegexp, value: [\"^AMX\"]}\n  - name: s\n    matchAny:\n    - matchFeatures:\n      - feature: cpu.cpuid\n        matchExpressions:\n          AVX: {op: Exists}\n",
            "a:\n  - 1\n  - -5\n  - [x, {y: z}]\n  - {}\n  - []\nb: ~\n",
            "- a\n- b: c\n  d: e\n-   f: g\n",
            "a:\n- [x]\nb:\n  - {c: d}\n  - e\nc:\n  -   'f'\nd:\n- g\n- h\ne:\n- i: j\n",
            "  a: b\n  c:\n    d: e\n",
            "a: 0300\nb: '0300'\nc: yes\n\"d\": e\n'f' : g\n",
            "a: b, c\nd: x y  \n",
            "---\na: b\n",
            "# saved\n---\n- a\n",
            "url: https://example.com/a:b\nc:d: e\n",
            "HOME_URL: https://www.ubuntu.com/\nID: ubuntu\n",
        ];
        for text in simple {
            assert!(
                check_fast_reader(text, LIMITS),
                "not read by the fast reader: {text}"
            );
        }
        let other = [
            "",
            "# only a comment\n",
            "a:\nb: c\n",
            "a: &x b\nc: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: b\n  c\n",
            "a: \"x\\ty\"\n",
            "a: 'multi\n  line'\n",
            "a: {b: c,\n d: e}\n",
            "--- \na: b\n",
            "---\n---\na: b\n",
            "---\n",
            "  ---\na: b\n",
            "a: b\n---\nc: d\n",
            "a:\tb\n",
            "a: b\r\n",
            "a: b\n c: d\n",
            "a: b: c\n",
            "a:b\n",
            "{\"a\": 1}\n",
            "- - a\n",
            "-\n  a: b\n",
            "a: [b, ]\n",
            "a: {b: }\n",
            "a: [b c, d]\n",
            "a: \u{e9}\n",
            "? a\n: b\n",
            "a: b #c\nd: e#f\n",
            "a: [b]x\n",
            "a: [b:c]\n",
            "a: {b:c: d}\n",
            "a: b:\n",
            "a:\n- b\n c: d\n",
            "a:\n  b: c\n d: e\n",
        ];
        for text in other {
            // Either read the same or left to the full parser, never read differently.
            check_fast_reader(text, LIMITS);
        }
        // Every spec and snapshot in the test data.
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata"
        ))];
        let mut fast = 0;
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    fast += usize::from(check_fast_reader(&text, LIMITS));
                }
            }
        }
        assert!(fast > 0, "no test spec was read by the fast reader");
    }

    /// Markers, directives and bytes other than printable ASCII and newlines are left to the
    /// full parser wherever they are (in a comment, at the end of a long text).
    #[test]
    fn fast_reader_leaves_markers_and_control_bytes() {
        let long = format!("a: b\n# {}\n", "x".repeat(150));
        for bad in ["\u{1}", "\t", "\r", "\u{7f}", "\u{e9}"] {
            for at in [2, 70, long.len() - 1] {
                let mut text = long.clone();
                text.insert_str(at, bad);
                assert!(simple::parse(&text, LIMITS).is_none(), "{text:?}");
            }
        }
        assert!(simple::parse(&long, LIMITS).is_some());
        for text in [
            "a: b\n...\n",
            "%YAML 1.2\n---\na: b\n",
            "a: b\n%x\n",
            "# c\n---\n---\na: b\n",
            "a: b\n---\n",
            "a:\n---\n  b: c\n",
        ] {
            assert!(simple::parse(text, LIMITS).is_none(), "{text:?}");
        }
        for text in ["# c\n\n---\na: b\n", "---\na: b # ---\n# ...\n"] {
            assert!(check_fast_reader(text, LIMITS), "{text:?}");
        }
    }

    #[test]
    fn fast_reader_keeps_the_limits() {
        let mut deep = String::new();
        for i in 0..70 {
            deep.push_str(&"  ".repeat(i));
            deep.push_str("k:\n");
        }
        deep.push_str(&"  ".repeat(70));
        deep.push_str("x: y\n");
        assert!(simple::parse(&deep, LIMITS).is_none());
        assert!(
            parse(&deep, LIMITS)
                .unwrap_err()
                .message
                .contains("nesting deeper than 64")
        );
        let wide = "- a\n".repeat(10_001);
        assert!(simple::parse(&wide, LIMITS).is_none());
        assert!(
            parse(&wide, LIMITS)
                .unwrap_err()
                .message
                .contains("more than 10000 nodes")
        );
    }

    #[test]
    fn yaml11_reading_matches_go_yaml_v2() {
        let cases = [
            ("0300", Some("192")),
            ("0200", Some("128")),
            ("8086", None),
            ("0b40", None),
            ("0eee", None),
            ("10de", None),
            ("1.10", Some("1.1")),
            ("2.0", Some("2")),
            ("1e3", Some("1000")),
            ("08", Some("8")),
            ("0x10", Some("16")),
            ("y", Some("true")),
            ("yes", Some("true")),
            ("on", Some("true")),
            ("True", Some("true")),
            ("true", None),
            ("n", Some("false")),
            ("Off", Some("false")),
            ("6.2.3", None),
            ("22.04", None),
            ("5.15", None),
            ("6.10", Some("6.1")),
            ("1_000", Some("1000")),
            ("0e10", Some("0")),
            ("1e7", Some("1e+07")),
            ("0.00001", Some("1e-05")),
            ("Intel", None),
            ("^AVX", None),
            ("-5", None),
            ("+5", Some("5")),
        ];
        for (text, want) in cases {
            assert_eq!(yaml11_string(text, false).as_deref(), want, "{text}");
        }
    }
}

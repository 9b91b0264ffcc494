//! Loading a spec: YAML 1.2 (or JSON) text to a checked [`Spec`].
//!
//! Every fault that does not depend on a node is found here and named by its path
//! (`compatibilities[0].rules[2].matchFeatures[1].matchExpressions.vendor`) and position.
//! The reading follows NFD's decoder where specs depend on it (object keys match
//! case-insensitively, as Go's `encoding/json`; `null` is the same as absent; legacy
//! NodeFeatureRule fields are ignored) and is stricter where NFD silently accepts mistakes
//! (unknown fields, a missing or wrong `version`, duplicate keys).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::code::{Code, Finding};
use super::expr::{Expr, ExprError};
use super::nearest::nearest_name;
use super::path::Path;
use super::template::VarsTemplate;
use super::yaml::{self, Kind, Limits, Node, Pos, Style};
use super::{Compatibility, Expressions, GroupRule, MatchAnyElem, Spec, Term, VERSION};

/// The largest spec accepted, in bytes (the registry's blob limit).
pub(crate) const MAX_SPEC_BYTES: usize = 4 << 20;
/// The deepest nesting of lists and mappings accepted.
pub(crate) const MAX_DEPTH: usize = 64;
/// The most expressions (including `matchName`s) one rule may have.
pub(crate) const MAX_EXPRESSIONS_PER_RULE: usize = 1000;
/// The most YAML nodes a spec may expand to (aliases counted in full).
const MAX_NODES: usize = 1_000_000;

/// The limits a spec's YAML tree is built within.
pub(crate) const YAML_LIMITS: Limits = Limits {
    max_depth: MAX_DEPTH,
    max_nodes: MAX_NODES,
};
/// The most load errors collected before the loader stops looking for more.
pub(crate) const MAX_LOAD_ERRORS: usize = 100;

/// Legacy NodeFeatureRule fields that old specs carry and NFD ignores.
const LEGACY_RULE_FIELDS: [&str; 5] = [
    "labels",
    "labelsTemplate",
    "annotations",
    "taints",
    "extendedResources",
];

/// A loaded spec and what the loader noticed.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The checked spec.
    pub spec: Spec,
    /// Things that load but deserve attention, in document order.
    pub warnings: Vec<Finding>,
    /// Where each set, rule, term and expression starts.
    pub(crate) positions: Positions,
}

/// Where the parts of a spec start in its text, by their indices in the document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Positions {
    /// Every compatibility set.
    sets: Vec<SetAt>,
    /// Whether the term being read is in a `matchAny` element.
    in_any: bool,
}

#[derive(Debug, Clone)]
struct SetAt {
    pos: Pos,
    rules: Vec<RuleAt>,
}

#[derive(Debug, Clone)]
struct RuleAt {
    pos: Pos,
    /// The terms of `matchFeatures`.
    terms: Vec<TermAt>,
    /// The terms of each `matchAny` element.
    any: Vec<Vec<TermAt>>,
}

#[derive(Debug, Clone)]
struct TermAt {
    pos: Pos,
    /// Each expression of `matchExpressions`, by element name (the later of duplicates
    /// counts).
    elements: Vec<(String, Pos)>,
    match_name: Option<Pos>,
}

impl Positions {
    /// Where the part at `path` starts, if the loader recorded it: a set, a rule, a term or
    /// an expression (`compatibilities[0].rules[1].matchFeatures[0].matchExpressions.vendor`).
    pub(crate) fn at(&self, path: &str) -> Option<Pos> {
        let (i, rest) = index_in(path.strip_prefix("compatibilities")?)?;
        let set = self.sets.get(i)?;
        if rest.is_empty() {
            return Some(set.pos);
        }
        let (j, rest) = index_in(rest.strip_prefix(".rules")?)?;
        let rule = set.rules.get(j)?;
        if rest.is_empty() {
            return Some(rule.pos);
        }
        let (terms, rest) = match rest.strip_prefix(".matchAny") {
            Some(any) => {
                let (a, rest) = index_in(any)?;
                (rule.any.get(a)?, rest)
            }
            None => (&rule.terms, rest),
        };
        let (k, rest) = index_in(rest.strip_prefix(".matchFeatures")?)?;
        let term = terms.get(k)?;
        if rest.is_empty() {
            return Some(term.pos);
        }
        if rest == ".matchName" {
            return term.match_name;
        }
        let name = rest.strip_prefix(".matchExpressions.")?;
        term.elements
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, pos)| *pos)
    }

    /// Where rule `rule` of set `set` (`compatibilities[set].rules[rule]`) starts.
    pub(crate) fn rule(&self, set: usize, rule: usize) -> Option<Pos> {
        Some(self.sets.get(set)?.rules.get(rule)?.pos)
    }

    fn set(&mut self, pos: Pos) {
        self.sets.push(SetAt {
            pos,
            rules: Vec::new(),
        });
    }

    fn last_rule(&mut self) -> Option<&mut RuleAt> {
        self.sets.last_mut()?.rules.last_mut()
    }

    fn rule_at(&mut self, pos: Pos) {
        self.in_any = false;
        if let Some(set) = self.sets.last_mut() {
            set.rules.push(RuleAt {
                pos,
                terms: Vec::new(),
                any: Vec::new(),
            });
        }
    }

    /// A `matchAny` element of the last rule: the terms after it are its own.
    fn any_element(&mut self) {
        self.in_any = true;
        if let Some(rule) = self.last_rule() {
            rule.any.push(Vec::new());
        }
    }

    fn term(&mut self, pos: Pos) {
        let in_any = self.in_any;
        let Some(rule) = self.last_rule() else {
            return;
        };
        let terms = if in_any {
            rule.any.last_mut()
        } else {
            Some(&mut rule.terms)
        };
        if let Some(terms) = terms {
            terms.push(TermAt {
                pos,
                elements: Vec::new(),
                match_name: None,
            });
        }
    }

    fn last_term(&mut self) -> Option<&mut TermAt> {
        let in_any = self.in_any;
        let rule = self.last_rule()?;
        if in_any {
            rule.any.last_mut()?.last_mut()
        } else {
            rule.terms.last_mut()
        }
    }

    fn element(&mut self, name: &str, pos: Pos) {
        if let Some(term) = self.last_term() {
            term.elements.push((name.to_owned(), pos));
        }
    }

    fn match_name(&mut self, pos: Pos) {
        if let Some(term) = self.last_term() {
            term.match_name = Some(pos);
        }
    }
}

/// `[N]` at the start of `text` as the loader writes an index (decimal, no sign, no leading
/// zero), and the text after it.
fn index_in(text: &str) -> Option<(usize, &str)> {
    let (digits, rest) = text.strip_prefix('[')?.split_once(']')?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    canonical.then(|| Some((digits.parse().ok()?, rest)))?
}

/// Why a spec was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The path in the spec (empty for the whole document).
    pub(crate) path: String,
    /// The position in the text, when known.
    pub(crate) pos: Option<Pos>,
    /// What is wrong and how to fix it.
    pub(crate) message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(pos) = self.pos {
            write!(f, "{}:{}: ", pos.line, pos.col)?;
        }
        if !self.path.is_empty() {
            write!(f, "`{}`: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl LoadError {
    fn at(path: Path<'_>, node: &Node, message: impl Into<String>) -> Self {
        LoadError {
            path: path.render(),
            pos: Some(node.pos),
            message: message.into(),
        }
    }

    fn whole(message: impl Into<String>) -> Self {
        LoadError {
            path: String::new(),
            pos: None,
            message: message.into(),
        }
    }
}

/// What [`load_all`] found: the spec (without the parts that had errors) and every error.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// The spec and its warnings; `None` when the text could not be read as a spec at all
    /// (not YAML, empty, not a mapping...). Parts with errors are left out of it.
    pub(crate) loaded: Option<Loaded>,
    /// Every load error, in the order found (at most [`MAX_LOAD_ERRORS`], then one saying
    /// the loader stopped).
    pub(crate) errors: Vec<LoadError>,
}

/// Loads and checks a spec from its bytes (YAML 1.2 or JSON); the first error rejects it.
pub fn load(bytes: &[u8]) -> Result<Loaded, LoadError> {
    let checked = load_all(bytes);
    match (checked.loaded, checked.errors.into_iter().next()) {
        (Some(loaded), None) => Ok(loaded),
        (_, Some(first)) => Err(first),
        (None, None) => Err(LoadError::whole("the spec could not be read")),
    }
}

/// Loads and checks a spec, going on after an error to find the others (each part with an
/// error is left out and the loader moves to the next one), for `lint`.
pub(crate) fn load_all(bytes: &[u8]) -> Checked {
    match read_document(bytes) {
        Err(e) => Checked {
            loaded: None,
            errors: vec![e],
        },
        Ok((root, count)) => decode(&root, count),
    }
}

/// Reads the text as YAML: the first document's root and how many documents there are.
fn read_document(bytes: &[u8]) -> Result<(Node<'_>, usize), LoadError> {
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(LoadError::whole(format!(
            "the spec is {} bytes; the limit is {MAX_SPEC_BYTES} (4 MiB)",
            bytes.len()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let pos = position_of(bytes, e.valid_up_to());
        LoadError {
            path: String::new(),
            pos: Some(pos),
            message: "the spec is not valid UTF-8".into(),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = yaml::parse(text, YAML_LIMITS).map_err(|e| LoadError {
        path: String::new(),
        pos: Some(e.pos),
        message: format!("not valid YAML: {}", e.message),
    })?;
    match doc.root {
        Some(root) if !root.is_null() => Ok((root, doc.count)),
        _ => Err(LoadError::whole(
            "the spec is empty: expected `version` and `compatibilities`",
        )),
    }
}

/// Decodes a document's root, collecting every error.
fn decode(root: &Node, count: usize) -> Checked {
    let mut decoder = Decoder {
        warnings: Vec::new(),
        positions: Positions::default(),
        errors: Vec::new(),
        stopped: false,
        regexes: HashMap::new(),
    };
    if count > 1 {
        decoder.warn(
            Code::MultipleDocuments,
            Path::Root,
            root,
            format!("the file holds {count} YAML documents; only the first is read (as NFD does)"),
        );
    }
    let spec = match decoder.spec(root) {
        Ok(spec) => Some(spec),
        Err(e) => {
            decoder.errors.push(e);
            None
        }
    };
    Checked {
        loaded: spec.map(|spec| Loaded {
            spec,
            warnings: decoder.warnings,
            positions: decoder.positions,
        }),
        errors: decoder.errors,
    }
}

/// The line and column of byte `offset` in `bytes`.
fn position_of(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Pos { line, col }
}

/// The fields of one mapping, matched to known names.
struct Fields<'a> {
    found: Vec<(&'static str, &'a Node<'a>)>,
}

impl<'a> Fields<'a> {
    /// The value of a field; `null` counts as absent (as Go's decoder).
    fn get(&self, name: &str) -> Option<&'a Node<'a>> {
        self.found
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .filter(|v| !v.is_null())
    }
}

struct Decoder {
    warnings: Vec<Finding>,
    positions: Positions,
    /// The errors recovered from so far.
    errors: Vec<LoadError>,
    /// Whether [`MAX_LOAD_ERRORS`] was reached: the error being returned says so, and goes
    /// all the way up.
    stopped: bool,
    /// `InRegexp` expressions already compiled, by their values and `type`: a spec repeats
    /// the same patterns in many rules, and each is compiled once.
    regexes: HashMap<(Vec<String>, Option<String>), Expr>,
}

impl Decoder {
    /// Records an error and goes on, unless there are too many: then an error saying so is
    /// returned, to stop the loader.
    fn record(&mut self, e: LoadError) -> Result<(), LoadError> {
        if self.stopped {
            return Err(e);
        }
        self.errors.push(e);
        if self.errors.len() >= MAX_LOAD_ERRORS {
            self.stopped = true;
            return Err(LoadError::whole(format!(
                "more than {MAX_LOAD_ERRORS} errors; the rest of the spec was not checked"
            )));
        }
        Ok(())
    }

    /// The value of `result`, or `None` after recording its error (see [`Decoder::record`]).
    fn recover<T>(&mut self, result: Result<T, LoadError>) -> Result<Option<T>, LoadError> {
        match result {
            Ok(v) => Ok(Some(v)),
            Err(e) => self.record(e).map(|()| None),
        }
    }

    fn warn(&mut self, code: Code, path: Path<'_>, node: &Node, message: impl Into<String>) {
        self.warnings.push(Finding {
            severity: code.severity(),
            code,
            path: path.render(),
            line: Some(node.pos.line),
            column: Some(node.pos.col),
            message: message.into(),
        });
    }

    /// Matches the keys of a mapping against `known` field names. Every wrong key is an
    /// error; all but the last are recorded and the last is returned, so that the part is
    /// left out rather than read without a field (which would give errors that are only
    /// consequences).
    fn fields<'a>(
        &mut self,
        node: &'a Node<'a>,
        path: Path<'_>,
        what: &str,
        known: &[&'static str],
        legacy: &[&str],
    ) -> Result<Fields<'a>, LoadError> {
        let Kind::Map(entries) = &node.kind else {
            return Err(LoadError::at(
                path,
                node,
                format!("expected {what} (a mapping), found {}", node.describe()),
            ));
        };
        let mut found: Vec<(&'static str, &'a Node)> = Vec::with_capacity(entries.len());
        let mut wrong = Vec::new();
        for (key, value) in entries {
            let Kind::Scalar(name, _) = &key.kind else {
                wrong.push(LoadError::at(
                    path,
                    key,
                    format!("expected a field name, found {}", key.describe()),
                ));
                continue;
            };
            let field = if let Some(exact) = known.iter().find(|k| **k == name) {
                *exact
            } else if let Some(folded) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
                self.warn(
                    Code::FieldCase,
                    path,
                    key,
                    format!("field `{name}` is read as `{folded}` (NFD matches field names case-insensitively); write `{folded}`"),
                );
                *folded
            } else if legacy.iter().any(|k| k.eq_ignore_ascii_case(name)) {
                self.warn(
                    Code::LegacyField,
                    path,
                    key,
                    format!(
                        "`{name}` is a NodeFeatureRule field; image-compatibility rules ignore it"
                    ),
                );
                continue;
            } else {
                let hint = nearest_name(name, known.iter().copied())
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                let expected = known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                wrong.push(LoadError::at(
                    path,
                    key,
                    format!("unknown field `{name}` in {what} (expected {expected}){hint}"),
                ));
                continue;
            };
            if found.iter().any(|(f, _)| *f == field) {
                wrong.push(LoadError::at(
                    path,
                    key,
                    format!("duplicate field `{field}`"),
                ));
                continue;
            }
            found.push((field, value));
        }
        match wrong.pop() {
            None => Ok(Fields { found }),
            Some(last) => {
                for e in wrong {
                    self.record(e)?;
                }
                Err(last)
            }
        }
    }

    /// A string-valued scalar; `null` reads as "" (as Go's decoder).
    fn string(&mut self, node: &Node, path: Path<'_>) -> Result<String, LoadError> {
        match &node.kind {
            Kind::Scalar(s, Style::Plain) => {
                if yaml::is_null_text(s) {
                    return Ok(String::new());
                }
                if let Some(read) = yaml::yaml11_string(s, false) {
                    self.warn(
                        Code::Yaml11,
                        path,
                        node,
                        format!("NFD (YAML 1.1) reads unquoted `{s}` as `{read}`; nfd-compat reads `{s}`. Quote it (\"{s}\") so both read the same"),
                    );
                }
                Ok(s.to_string())
            }
            Kind::Scalar(s, Style::Literal) => Ok(s.to_string()),
            _ => Err(LoadError::at(
                path,
                node,
                format!("expected a string, found {}", node.describe()),
            )),
        }
    }

    fn key_string(&mut self, key: &Node, path: Path<'_>) -> Result<String, LoadError> {
        match &key.kind {
            Kind::Scalar(s, style) => {
                if *style == Style::Plain
                    && let Some(read) = yaml::yaml11_string(s, true)
                {
                    self.warn(
                            Code::Yaml11,
                            path,
                            key,
                            format!("NFD (YAML 1.1) reads the unquoted key `{s}` as `{read}`; nfd-compat reads `{s}`. Quote it (\"{s}\") so both read the same"),
                        );
                }
                Ok(s.to_string())
            }
            _ => Err(LoadError::at(
                path,
                key,
                format!("expected a name, found {}", key.describe()),
            )),
        }
    }

    fn list<'a, 's>(
        node: &'a Node<'s>,
        path: Path<'_>,
        what: &str,
    ) -> Result<&'a [Node<'s>], LoadError> {
        match &node.kind {
            Kind::Seq(items) => Ok(items),
            _ => Err(LoadError::at(
                path,
                node,
                format!("expected a list of {what}, found {}", node.describe()),
            )),
        }
    }

    fn spec(&mut self, root: &Node) -> Result<Spec, LoadError> {
        let top = Path::Root;
        let f = self.fields(root, top, "the spec", &["version", "compatibilities"], &[])?;
        let version = match f.get("version") {
            None => {
                self.record(LoadError::at(
                    top,
                    root,
                    format!("missing `version`: add `version: {VERSION}` at the top"),
                ))?;
                None
            }
            Some(v) => {
                let version = self.string(v, top.field("version"));
                self.recover(version)?
            }
        };
        if let Some(version) = version.as_deref().filter(|v| *v != VERSION) {
            let node = f.get("version").unwrap_or(root);
            self.record(LoadError::at(
                top.field("version"),
                node,
                format!("unsupported spec version `{version}`: the only version is `{VERSION}`"),
            ))?;
        }
        let mut compatibilities = Vec::new();
        match f.get("compatibilities") {
            None => self.warn(
                Code::NoSets,
                top,
                root,
                "the spec has no `compatibilities`: there is nothing to validate",
            ),
            Some(list) => {
                let sets = top.field("compatibilities");
                for (i, item) in Self::list(list, sets, "compatibility sets")?
                    .iter()
                    .enumerate()
                {
                    let set = self.compatibility(item, sets.index(i));
                    compatibilities.extend(self.recover(set)?);
                }
            }
        }
        Ok(Spec { compatibilities })
    }

    fn compatibility(&mut self, node: &Node, path: Path<'_>) -> Result<Compatibility, LoadError> {
        self.positions.set(node.pos);
        let f = self.fields(
            node,
            path,
            "a compatibility set",
            &["rules", "weight", "tag", "description"],
            &[],
        )?;
        let weight = match f.get("weight") {
            None => 0,
            Some(w) => {
                let weight = self.integer(w, path.field("weight"));
                self.recover(weight)?.unwrap_or_default()
            }
        };
        let tag = f
            .get("tag")
            .map(|t| self.string(t, path.field("tag")))
            .transpose();
        let tag = self.recover(tag)?.flatten().unwrap_or_default();
        let description = f
            .get("description")
            .map(|d| self.string(d, path.field("description")))
            .transpose();
        let description = self.recover(description)?.flatten().unwrap_or_default();
        let rules = match f.get("rules") {
            None => {
                self.warn(
                    Code::NoRules,
                    path,
                    node,
                    "the set has no `rules`: it matches every node",
                );
                None
            }
            Some(list) => {
                let rules_path = path.field("rules");
                let items = Self::list(list, rules_path, "rules")?;
                let mut rules = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let rule = self.rule(item, rules_path.index(i));
                    rules.extend(self.recover(rule)?);
                }
                Some(rules)
            }
        };
        Ok(Compatibility {
            rules,
            weight,
            tag,
            description,
        })
    }

    fn integer(&mut self, node: &Node, path: Path<'_>) -> Result<i64, LoadError> {
        let Kind::Scalar(s, Style::Plain) = &node.kind else {
            return Err(LoadError::at(
                path,
                node,
                format!("expected an integer, found {}", node.describe()),
            ));
        };
        let value = super::parse_go_int(s).ok_or_else(|| {
            LoadError::at(path, node, format!("expected an integer, found `{s}`"))
        })?;
        if let Some(read) = yaml::yaml11_string(s, false) {
            self.warn(
                Code::Yaml11,
                path,
                node,
                format!("NFD (YAML 1.1) reads `{s}` as {read}; nfd-compat reads {value}"),
            );
        }
        Ok(value)
    }

    fn rule(&mut self, node: &Node, path: Path<'_>) -> Result<GroupRule, LoadError> {
        self.positions.rule_at(node.pos);
        let f = self.fields(
            node,
            path,
            "a rule",
            &["name", "vars", "varsTemplate", "matchFeatures", "matchAny"],
            &LEGACY_RULE_FIELDS,
        )?;
        let name = match f.get("name") {
            Some(n) => {
                let name = self.string(n, path.field("name"));
                self.recover(name)?.unwrap_or_default()
            }
            None => {
                self.warn(
                    Code::NoName,
                    path,
                    node,
                    "the rule has no `name`; reports will show it without one",
                );
                String::new()
            }
        };
        let mut vars = BTreeMap::new();
        if let Some(v) = f.get("vars") {
            let vars_path = path.field("vars");
            let entries: &[(Node, Node)] = if let Kind::Map(entries) = &v.kind {
                entries
            } else {
                self.record(LoadError::at(
                    vars_path,
                    v,
                    format!(
                        "expected a mapping of names to values, found {}",
                        v.describe()
                    ),
                ))?;
                &[]
            };
            for (key, value) in entries {
                let var = self.key_string(key, vars_path).and_then(|name| {
                    let value = self.string(value, vars_path.field(&name))?;
                    Ok((name, value))
                });
                let Some((name, value)) = self.recover(var)? else {
                    continue;
                };
                if vars.insert(name.clone(), value).is_some() {
                    self.record(LoadError::at(
                        vars_path,
                        key,
                        format!("duplicate var `{name}`"),
                    ))?;
                }
            }
        }
        let vars_template = match f.get("varsTemplate") {
            None => None,
            Some(t) => {
                let t_path = path.field("varsTemplate");
                let template = self.string(t, t_path).and_then(|source| {
                    if source.is_empty() {
                        Ok(None)
                    } else {
                        VarsTemplate::parse(&source)
                            .map(Some)
                            .map_err(|e| LoadError::at(t_path, t, e.to_string()))
                    }
                });
                self.recover(template)?.flatten()
            }
        };
        let mut budget = MAX_EXPRESSIONS_PER_RULE;
        let match_features = match f.get("matchFeatures") {
            None => Vec::new(),
            Some(list) => {
                let terms = self.terms(list, path.field("matchFeatures"), &mut budget, path, node);
                if budget == 0 {
                    // Over the expression limit: the rest of the rule is not read.
                    terms?
                } else {
                    self.recover(terms)?.unwrap_or_default()
                }
            }
        };
        let mut match_any = Vec::new();
        if let Some(list) = f.get("matchAny") {
            let any_path = path.field("matchAny");
            let items = Self::list(list, any_path, "alternatives");
            for (i, item) in self.recover(items)?.unwrap_or_default().iter().enumerate() {
                self.positions.any_element();
                let item_path = any_path.index(i);
                let g = self.fields(
                    item,
                    item_path,
                    "a matchAny element",
                    &["matchFeatures"],
                    &[],
                );
                let Some(g) = self.recover(g)? else {
                    continue;
                };
                let match_features = match g.get("matchFeatures") {
                    None => {
                        self.warn(
                            Code::EmptyAny,
                            item_path,
                            item,
                            "a matchAny element without `matchFeatures` always matches",
                        );
                        Vec::new()
                    }
                    Some(list) => {
                        let terms = self.terms(
                            list,
                            item_path.field("matchFeatures"),
                            &mut budget,
                            path,
                            node,
                        );
                        if budget == 0 {
                            // Over the expression limit: the rest of the rule is not read.
                            terms?
                        } else {
                            self.recover(terms)?.unwrap_or_default()
                        }
                    }
                };
                match_any.push(MatchAnyElem { match_features });
            }
        }
        Ok(GroupRule {
            name,
            vars,
            vars_template,
            match_features,
            match_any,
        })
    }

    /// The feature terms of `list`; a term with an error is left out (and recorded), except
    /// that going over the rule's expression budget ends the rule.
    fn terms(
        &mut self,
        list: &Node,
        path: Path<'_>,
        budget: &mut usize,
        rule_path: Path<'_>,
        rule_node: &Node,
    ) -> Result<Vec<Term>, LoadError> {
        let items = Self::list(list, path, "feature terms")?;
        let mut terms = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let term = self.term(item, path.index(i), budget, rule_path, rule_node);
            if *budget == 0 {
                terms.push(term?);
            } else {
                terms.extend(self.recover(term)?);
            }
        }
        Ok(terms)
    }

    fn term(
        &mut self,
        item: &Node,
        term_path: Path<'_>,
        budget: &mut usize,
        rule_path: Path<'_>,
        rule_node: &Node,
    ) -> Result<Term, LoadError> {
        self.positions.term(item.pos);
        let f = self.fields(
            item,
            term_path,
            "a feature term",
            &["feature", "matchExpressions", "matchName"],
            &[],
        )?;
        let Some(feature_node) = f.get("feature") else {
            return Err(LoadError::at(
                term_path,
                item,
                "missing `feature` (e.g. `feature: kernel.loadedmodule`)",
            ));
        };
        let feature_path = term_path.field("feature");
        let feature = self.string(feature_node, feature_path)?;
        if feature.is_empty() {
            return Err(LoadError::at(
                feature_path,
                feature_node,
                "empty feature name",
            ));
        }
        if !feature.contains('.') {
            self.warn(
                Code::FeatureName,
                feature_path,
                feature_node,
                format!("feature `{feature}` has no `.`: feature names are `<source>.<feature>`, e.g. `kernel.loadedmodule`"),
            );
        }
        let match_expressions = match f.get("matchExpressions") {
            None => None,
            Some(set) => {
                let set_path = term_path.field("matchExpressions");
                let Kind::Map(entries) = &set.kind else {
                    return Err(LoadError::at(
                        set_path,
                        set,
                        format!(
                            "expected a mapping of element names to expressions, found {}",
                            set.describe()
                        ),
                    ));
                };
                let mut exprs = BTreeMap::new();
                for (key, value) in entries {
                    spend(budget, rule_path, rule_node)?;
                    let expr = self.key_string(key, set_path).and_then(|name| {
                        self.positions.element(&name, value.pos);
                        let expr = self.expr(value, set_path.field(&name))?;
                        Ok((name, expr))
                    });
                    let Some((name, expr)) = self.recover(expr)? else {
                        continue;
                    };
                    if exprs.insert(name.clone(), expr).is_some() {
                        self.record(LoadError::at(
                            set_path,
                            key,
                            format!("duplicate element `{name}`"),
                        ))?;
                    }
                }
                // Sorted by the map, then kept as a list sized to fit.
                Some(Expressions::from(exprs))
            }
        };
        let match_name = match f.get("matchName") {
            None => None,
            Some(e) => {
                spend(budget, rule_path, rule_node)?;
                self.positions.match_name(e.pos);
                let expr = self.expr(e, term_path.field("matchName"));
                self.recover(expr)?.map(Box::new)
            }
        };
        Ok(Term {
            feature,
            match_expressions,
            match_name,
        })
    }

    fn expr(&mut self, node: &Node, path: Path<'_>) -> Result<Expr, LoadError> {
        let f = self.fields(node, path, "an expression", &["op", "value", "type"], &[])?;
        let op_node = f.get("op");
        let op = match op_node {
            Some(o) => self.string(o, path.field("op"))?,
            None => String::new(),
        };
        if op.is_empty() {
            self.warn(
                Code::MatchAnyOp,
                path,
                op_node.unwrap_or(node),
                "no `op`: NFD reads this as the match-anything op `\"\"`, which always matches; use `Exists` to require the element",
            );
        }
        let mut values = Vec::new();
        let mut yaml11 = Vec::new();
        let mut value_nodes: &[Node] = &[];
        if let Some(v) = f.get("value") {
            let Kind::Seq(items) = &v.kind else {
                let hint = match &v.kind {
                    Kind::Scalar(s, _) => format!("; write `value: [\"{s}\"]`"),
                    _ => String::new(),
                };
                return Err(LoadError::at(
                    path.field("value"),
                    v,
                    format!("expected a list of strings, found {}{hint}", v.describe()),
                ));
            };
            if items.len() > super::MAX_VALUES {
                return Err(LoadError::at(
                    path.field("value"),
                    v,
                    format!("{} values; the limit is {}", items.len(), super::MAX_VALUES),
                ));
            }
            value_nodes = items;
            values.reserve(items.len());
            let value_path = path.field("value");
            for (i, item) in items.iter().enumerate() {
                let value = self.string(item, value_path.index(i))?;
                if let Kind::Scalar(_, Style::Plain) = &item.kind
                    && let Some(read) = yaml::yaml11_string(&value, false)
                    && !yaml::is_null_text(&value)
                {
                    yaml11.push((value.clone(), read));
                }
                values.push(value);
            }
        }
        let type_written = f
            .get("type")
            .map(|t| self.string(t, path.field("type")))
            .transpose()?;
        let has_type = type_written.as_deref().is_some_and(|t| !t.is_empty());
        self.compile(&op, values, type_written).map_err(|e| {
            let (at, node) = match &e {
                ExprError::UnknownOp(_) => (path.field("op").render(), op_node.unwrap_or(node)),
                ExprError::UnknownType(_) => (path.field("type").render(), f.get("type").unwrap_or(node)),
                ExprError::Regex { index, .. }
                | ExprError::RegexTooLong { index, .. }
                | ExprError::NotInteger { index, .. }
                | ExprError::NotVersion { index, .. } => {
                    (path.field("value").index(*index).render(), value_nodes.get(*index).unwrap_or(node))
                }
                ExprError::Arity { .. } | ExprError::BoundsOrder { .. } => {
                    (path.render(), f.get("value").unwrap_or(node))
                }
            };
            LoadError { path: at, pos: Some(node.pos), message: e.to_string() }
        })
        .map(|mut expr| {
            expr.yaml11 = yaml11;
            expr
        })
        .inspect(|expr| {
            if has_type && !expr.op.is_ordering() {
                self.warn(
                    Code::TypeIgnored,
                    path,
                    node,
                    format!("`type` is only read by Gt, Ge, Lt, Le, GtLt and GeLe; op `{}` ignores it", expr.op),
                );
            }
        })
    }

    /// [`Expr::new`], with each distinct `InRegexp` compiled once.
    fn compile(
        &mut self,
        op: &str,
        values: Vec<String>,
        type_written: Option<String>,
    ) -> Result<Expr, ExprError> {
        if op != "InRegexp" {
            return Expr::new(op, values, type_written);
        }
        let key = (values, type_written);
        if let Some(expr) = self.regexes.get(&key) {
            return Ok(expr.clone());
        }
        let expr = Expr::new(op, key.0.clone(), key.1.clone())?;
        self.regexes.insert(key, expr.clone());
        Ok(expr)
    }
}

fn spend(budget: &mut usize, rule_path: Path<'_>, rule_node: &Node) -> Result<(), LoadError> {
    if *budget == 0 {
        return Err(LoadError::at(
            rule_path,
            rule_node,
            format!(
                "the rule has more than {MAX_EXPRESSIONS_PER_RULE} expressions; split it into several rules"
            ),
        ));
    }
    *budget -= 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Op;

    fn err(text: &str) -> String {
        load(text.as_bytes()).unwrap_err().to_string()
    }

    fn warnings(text: &str) -> Vec<String> {
        load(text.as_bytes())
            .unwrap()
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn rule_positions_are_found_by_index() {
        let text = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: a\n- rules:\n  - name: b\n\n  - {name: c}\n";
        let positions = load(text.as_bytes()).unwrap().positions;
        let at = |set, rule| positions.rule(set, rule).map(|p| (p.line, p.col));
        assert_eq!(at(0, 0), Some((4, 5)));
        assert_eq!(at(1, 0), Some((6, 5)));
        assert_eq!(at(1, 1), Some((8, 5)));
        assert_eq!((at(0, 1), at(2, 0)), (None, None));
        assert_eq!(
            positions.at("compatibilities[1].rules[1]").map(|p| p.line),
            Some(8)
        );
    }

    #[test]
    fn positions_are_found_by_path() {
        let text = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: a\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: In, value: [Intel]}\n        VERSION_ID.major: {op: Exists}\n      matchName: {op: Exists}\n    matchAny:\n    - matchFeatures: []\n    - matchFeatures:\n      - feature: cpu.cpuid\n        matchExpressions:\n          AVX: {op: Exists}\n";
        let positions = load(text.as_bytes()).unwrap().positions;
        let at = |path: &str| positions.at(path).map(|p| (p.line, p.col));
        let rule = "compatibilities[0].rules[0]";
        let term = format!("{rule}.matchFeatures[0]");
        assert_eq!(at("compatibilities[0]"), Some((3, 3)));
        assert_eq!(at(rule), Some((4, 5)));
        assert_eq!(at(&term), Some((6, 7)));
        assert_eq!(
            at(&format!("{term}.matchExpressions.vendor_id")),
            Some((8, 20))
        );
        assert_eq!(
            at(&format!("{term}.matchExpressions.VERSION_ID.major")),
            Some((9, 27))
        );
        assert_eq!(at(&format!("{term}.matchName")), Some((10, 18)));
        assert_eq!(
            at(&format!("{rule}.matchAny[1].matchFeatures[0]")),
            Some((14, 9))
        );
        assert_eq!(
            at(&format!(
                "{rule}.matchAny[1].matchFeatures[0].matchExpressions.AVX"
            )),
            Some((16, 16))
        );
        // Only what the loader records, at indices written as it writes them.
        for path in [
            "",
            "compatibilities",
            "compatibilities[1]",
            "compatibilities[00]",
            "compatibilities[+0]",
            "compatibilities[0].rules",
            "compatibilities[0].rules[0].name",
            "compatibilities[0].rules[0].matchAny[0]",
            "compatibilities[0].rules[0].matchAny[0].matchFeatures[0]",
            "compatibilities[0].rules[0].matchFeatures[0].feature",
            "compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vendor_id.value[0]",
            "compatibilities[0].rules[0].matchFeatures[0].matchExpressions.VERSION_ID",
            "compatibilities[0].rules[0].matchFeatures[1]",
            "version",
        ] {
            assert_eq!(at(path), None, "{path}");
        }
        // Of two expressions on one element (an error), the later is recorded.
        let text = format!("{HEAD}        a: {{op: Exists}}\n        a: {{op: Exists}}\n");
        let checked = load_all(text.as_bytes());
        let positions = checked.loaded.unwrap().positions;
        let a = "compatibilities[0].rules[0].matchFeatures[0].matchExpressions.a";
        assert_eq!(positions.at(a).map(|p| p.line), Some(9));
    }

    #[test]
    fn a_regex_used_again_is_the_same_expression() {
        let text = format!(
            "{HEAD}        a: {{op: InRegexp, value: [\"^x\"]}}\n        b: {{op: InRegexp, value: [\"^x\"], type: version}}\n        c: {{op: InRegexp, value: [\"^x\"]}}\n        d: {{op: InRegexp, value: [\"^y\"]}}\n"
        );
        let spec = load(text.as_bytes()).unwrap().spec;
        let exprs = spec.compatibilities[0].rules.as_ref().unwrap()[0].match_features[0]
            .match_expressions
            .clone()
            .unwrap();
        let patterns = |name: &str| match &exprs.get(name).expect("expression").compiled {
            crate::spec::Compiled::Regexes(r) => r
                .iter()
                .map(|r| r.source().into_owned())
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(patterns("a"), ["^x"]);
        assert_eq!(patterns("c"), ["^x"]);
        assert_eq!(patterns("d"), ["^y"]);
        assert_eq!(exprs.get("a").unwrap().type_written, None);
        assert_eq!(
            exprs.get("b").unwrap().type_written.as_deref(),
            Some("version")
        );
        assert_eq!(exprs.get("c").unwrap().type_written, None);
        assert_eq!(exprs.get("d").unwrap().value, ["^y"]);
    }

    const HEAD: &str = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n";

    #[test]
    fn loads_nfd_example() {
        let text = include_str!("../../testdata/specs/nfd-example.yaml");
        let loaded = load(text.as_bytes()).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let set = &loaded.spec.compatibilities[0];
        assert_eq!(set.description, "my image requirements");
        let rules = set.rules.as_ref().unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].name, "kernel and cpu");
        let modules = rules[0].match_features[0]
            .match_expressions
            .as_ref()
            .unwrap();
        assert_eq!(
            modules.keys().collect::<Vec<_>>(),
            ["ip_tables", "vfio-pci"]
        );
        assert_eq!(
            rules[0].match_features[2].match_name.as_ref().unwrap().op,
            Op::InRegexp
        );
        assert_eq!(rules[1].match_any.len(), 2);
        assert_eq!(
            rules[1].match_any[1].match_features[0].feature,
            "pci.device"
        );
    }

    #[test]
    fn loads_json() {
        let text = r#"{"version":"v1alpha1","compatibilities":[{"tag":"t","weight":5,"rules":[{"name":"a","matchFeatures":[{"feature":"kernel.version","matchExpressions":{"major":{"op":"Gt","value":["4"]}}}]}]}]}"#;
        let spec = load(text.as_bytes()).unwrap().spec;
        assert_eq!(spec.compatibilities[0].weight, 5);
        assert_eq!(spec.compatibilities[0].tag, "t");
    }

    #[test]
    fn errors_name_path_and_position() {
        let cases = [
            (format!("{HEAD}        vendor_id: {{op: Foo}}\n"), "8:25: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vendor_id.op`: unknown op `Foo`"),
            (format!("{HEAD}        vendor_id: {{op: In}}\n"), "8:20: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vendor_id`: op `In` takes 1 to 10000 values, but 0 given"),
            (format!("{HEAD}        vendor_id: {{op: In, value: Intel}}\n"), "8:36: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vendor_id.value`: expected a list of strings, found a scalar; write `value: [\"Intel\"]`"),
            (format!("{HEAD}        family: {{op: Gt, value: [\"6\", \"7\"]}}\n"), "op `Gt` takes exactly 1 value, but 2 given"),
            (format!("{HEAD}        family: {{op: Gt, value: [six]}}\n"), "8:34: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.family.value[0]`: value 0 `six` is not an integer"),
            (format!("{HEAD}        family: {{op: GtLt, value: [\"9\", \"3\"]}}\n"), "bounds out of order: `9` must be less than `3`"),
            (format!("{HEAD}        family: {{op: Gt, value: [\"1\"], type: semver}}\n"), "`compatibilities[0].rules[0].matchFeatures[0].matchExpressions.family.type`: unknown type `semver`"),
            (format!("{HEAD}        vendor_id: {{op: InRegexp, value: [\"(\"]}}\n"), "value 0 `(` is not a valid regex"),
            (format!("{HEAD}        vendor_id: {{op: In, values: [a]}}\n"), "unknown field `values` in an expression (expected `op`, `value`, `type`); did you mean `value`?"),
            (format!("{HEAD}        vendor_id: {{op: In, value: [a]}}\n        vendor_id: {{op: In, value: [b]}}\n"), "duplicate element `vendor_id`"),
            ("compatibilities: []\n".to_owned(), "1:1: missing `version`: add `version: v1alpha1` at the top"),
            ("version: v1\ncompatibilities: []\n".to_owned(), "1:10: `version`: unsupported spec version `v1`: the only version is `v1alpha1`"),
            ("version: v1alpha1\ncompatibility: []\n".to_owned(), "2:1: unknown field `compatibility` in the spec (expected `version`, `compatibilities`); did you mean `compatibilities`?"),
            ("version: v1alpha1\ncompatibilities:\n- rules:\n  - matchFeatures:\n    - matchName: {op: Exists}\n".to_owned(), "5:7: `compatibilities[0].rules[0].matchFeatures[0]`: missing `feature`"),
            ("version: v1alpha1\ncompatibilities: {}\n".to_owned(), "2:18: `compatibilities`: expected a list of compatibility sets, found a mapping"),
            ("version: v1alpha1\ncompatibilities:\n- weight: heavy\n".to_owned(), "`compatibilities[0].weight`: expected an integer, found `heavy`"),
            ("version: [v1alpha1\n".to_owned(), "not valid YAML"),
            (String::new(), "the spec is empty"),
            ("# only a comment\n".to_owned(), "the spec is empty"),
            ("~\n".to_owned(), "the spec is empty"),
            ("just a string\n".to_owned(), "1:1: expected the spec (a mapping), found a scalar"),
            (format!("{HEAD}        vendor_id: {{op: Exists}}\n    varsTemplate: \"{{{{ .a \"\n"), "9:19: `compatibilities[0].rules[0].varsTemplate`: invalid template: unclosed action at byte 0"),
        ];
        for (text, want) in cases {
            let got = err(&text);
            assert!(got.contains(want), "for\n{text}\ngot:  {got}\nwant: {want}");
        }
    }

    /// The errors `load_all` finds, as `line:col: message` (or the message alone).
    fn all_errors(text: &str) -> Vec<String> {
        load_all(text.as_bytes())
            .errors
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn load_all_goes_on_after_each_error() {
        let text = "version: v2\ncompatibilities:\n- weight: heavy\n  rules:\n  - name: a\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: Foo}\n        family: {op: In, values: [a], valu: [b]}\n        model: {op: In, value: [\"1\"]}\n  - name: b\n    matchFeatures:\n    - feature: kernel.version\n      matchExpressions:\n        major: {op: Gt, value: [four]}\n  - name: c\n    mathFeatures: []\n";
        let errors = all_errors(text);
        let want = [
            "1:10: `version`: unsupported spec version `v2`",
            "3:11: `compatibilities[0].weight`: expected an integer, found `heavy`",
            "9:25: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vendor_id.op`: unknown op `Foo`",
            "10:26: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.family`: unknown field `values`",
            "10:39: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.family`: unknown field `valu`",
            "16:33: `compatibilities[0].rules[1].matchFeatures[0].matchExpressions.major.value[0]`: value 0 `four` is not an integer",
            "18:5: `compatibilities[0].rules[2]`: unknown field `mathFeatures`",
        ];
        assert_eq!(errors.len(), want.len(), "{errors:#?}");
        for (got, want) in errors.iter().zip(want) {
            assert!(got.starts_with(want), "got {got}\nwant {want}");
        }
        // What had no error is still read; load() rejects the spec with the first error.
        let checked = load_all(text.as_bytes());
        let rules = checked.loaded.unwrap().spec.compatibilities[0]
            .rules
            .clone()
            .unwrap();
        assert_eq!(rules.len(), 2, "rule `c` is left out");
        let exprs = rules[0].match_features[0]
            .match_expressions
            .as_ref()
            .unwrap();
        assert_eq!(exprs.keys().collect::<Vec<_>>(), ["model"]);
        assert!(err(text).starts_with("1:10: `version`: unsupported spec version `v2`"));
    }

    #[test]
    fn load_all_stops_after_many_errors_and_says_so() {
        let mut text = HEAD.to_owned();
        for i in 0..(MAX_LOAD_ERRORS * 3) {
            text.push_str(&format!("        e{i}: {{op: Foo}}\n"));
        }
        let errors = all_errors(&text);
        assert_eq!(errors.len(), MAX_LOAD_ERRORS + 1, "{:?}", errors.last());
        assert!(
            errors[0].contains("`e0`") || errors[0].contains(".e0."),
            "{}",
            errors[0]
        );
        assert_eq!(
            errors.last().unwrap(),
            &format!("more than {MAX_LOAD_ERRORS} errors; the rest of the spec was not checked")
        );
        // Over a rule's expression budget: one error for the rule, not one per expression.
        let mut text = HEAD.to_owned();
        for i in 0..=MAX_EXPRESSIONS_PER_RULE + 5 {
            text.push_str(&format!("        e{i}: {{op: Exists}}\n"));
        }
        text.push_str("    - feature: cpu.model\n      matchExpressions:\n        x: {op: Exists}\n    matchAny:\n    - matchFeatures:\n      - feature: cpu.model\n        matchExpressions:\n          y: {op: Exists}\n");
        let errors = all_errors(&text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("more than 1000 expressions"),
            "{errors:?}"
        );
    }

    #[test]
    fn rejects_hostile_input_with_one_line_errors() {
        let big = vec![b' '; MAX_SPEC_BYTES + 1];
        assert!(
            load(&big)
                .unwrap_err()
                .to_string()
                .contains("the limit is 4194304")
        );
        let bad_utf8 = b"version: v1alpha1\ncompatibilities:\n- description: \xff\xfe\n";
        assert_eq!(
            err(std::str::from_utf8(b"x").unwrap()),
            "1:1: expected the spec (a mapping), found a scalar"
        );
        let e = load(bad_utf8).unwrap_err();
        assert_eq!(e.to_string(), "3:16: the spec is not valid UTF-8");
        let deep = format!(
            "version: v1alpha1\ncompatibilities: {}{}\n",
            "[".repeat(200),
            "]".repeat(200)
        );
        assert!(err(&deep).contains("nesting deeper than 64 levels"));
        let mut many = String::from(HEAD);
        for i in 0..10_000 {
            many.push_str(&format!("        e{i}: {{op: Exists}}\n"));
        }
        let got = err(&many);
        assert!(
            got.contains("`compatibilities[0].rules[0]`: the rule has more than 1000 expressions"),
            "{got}"
        );
        let long_regex = format!(
            "{HEAD}        vendor_id: {{op: InRegexp, value: [\"{}\"]}}\n",
            "a".repeat(50 * 1024)
        );
        assert!(err(&long_regex).contains("is a regex of 51200 bytes; the limit is 4096"));
        for e in [got, err(&deep), err(&long_regex)] {
            assert!(!e.contains('\n'), "multi-line error: {e}");
        }
    }

    #[test]
    fn warns_about_what_nfd_reads_differently() {
        let w = warnings(&format!(
            "{HEAD}        class: {{op: In, value: [0300, \"0300\", '0200', 8086]}}\n"
        ));
        assert_eq!(
            w,
            [
                "8:33: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.class.value[0]`: NFD (YAML 1.1) reads unquoted `0300` as `192`; nfd-compat reads `0300`. Quote it (\"0300\") so both read the same"
            ]
        );
        let w = warnings(&format!("{HEAD}        X86: {{op: In, value: [y]}}\n"));
        assert!(w[0].contains("reads unquoted `y` as `true`"), "{w:?}");
        let w = warnings(
            "version: v1alpha1\nCompatibilities:\n- rules:\n  - name: a\n    labels: {a: b}\n",
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("field `Compatibilities` is read as `compatibilities`"));
        assert!(w[1].contains("`labels` is a NodeFeatureRule field"));
        let w = warnings("version: v1alpha1\ncompatibilities: []\n---\nversion: v1alpha1\n");
        assert!(w[0].contains("holds 2 YAML documents"), "{w:?}");
        let w = warnings(&format!("{HEAD}        vendor_id: {{value: []}}\n"));
        assert!(w[0].contains("no `op`"), "{w:?}");
        let w = warnings(&format!(
            "{HEAD}        vendor_id: {{op: In, value: [a], type: version}}\n"
        ));
        assert!(w[0].contains("op `In` ignores it"), "{w:?}");
    }

    #[test]
    fn null_is_absent_and_empty_sets_are_kept() {
        let text = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: a\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions: {}\n    - feature: cpu.cpuid\n      matchExpressions: null\n";
        let spec = load(text.as_bytes()).unwrap().spec;
        let rule = &spec.compatibilities[0].rules.as_ref().unwrap()[0];
        assert_eq!(
            rule.match_features[0]
                .match_expressions
                .as_ref()
                .map(Expressions::len),
            Some(0)
        );
        assert!(rule.match_features[1].match_expressions.is_none());
        let spec = load(b"version: v1alpha1\ncompatibilities:\n- description: x\n")
            .unwrap()
            .spec;
        assert!(spec.compatibilities[0].rules.is_none());
    }

    #[test]
    fn anchors_and_aliases_work() {
        let text = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: a\n    matchFeatures:\n    - &t\n      feature: cpu.model\n      matchExpressions: {vendor_id: {op: In, value: [Intel]}}\n  - name: b\n    matchFeatures: [*t]\n";
        let spec = load(text.as_bytes()).unwrap().spec;
        let rules = spec.compatibilities[0].rules.as_ref().unwrap();
        assert_eq!(rules[1].match_features[0].feature, "cpu.model");
    }
}

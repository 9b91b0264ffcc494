//! Terms, matchers and rules (NFD's `evaluateFeatureMatcher`, `MatchMulti`,
//! `MatchNamesMulti` and `ExecuteGroupRule`), over one node's features plus the `rule.matched`
//! overlay built up by the rules evaluated so far.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use super::instances::{Bits, InstanceIndex};
use super::matcher::{can_error, match_absent, match_flag, match_value};
use super::vars::{Element, MatchedFeatures};
use super::{AnyResult, ExprResult, Observed, Outcome, RuleEvaluation, Truth};
use crate::features::Features;
use crate::spec::{Expr, Expressions, GroupRule, Op, Term, ValueType};

/// The attribute feature that receives each rule's vars (NFD's `rule.matched`).
pub(super) const RULE_MATCHED: &str = "rule.matched";

/// At most this many names are listed in [`Observed::Names`].
pub(super) const MAX_OBSERVED_NAMES: usize = 8;

/// One node's features as the rules see them.
pub(super) struct Node<'f> {
    features: &'f Features,
    /// Column indexes of the instance features the spec refers to.
    instances: HashMap<&'f str, InstanceIndex<'f>>,
    /// `rule.matched` once the first rule has been evaluated (the snapshot's own
    /// `rule.matched`, if any, with every vars merged in). The features are never cloned.
    matched: Option<BTreeMap<String, String>>,
    /// Features that could not be discovered, with why.
    unavailable: &'f BTreeMap<String, String>,
    /// `matchName` results already worked out, by feature and expression (see
    /// [`Node::names_memoised`]).
    names: RefCell<HashMap<NamesKey, NamesResult>>,
}

/// A `matchName` expression on a feature: its lookup key, the op, the values and the type
/// (everything its result depends on).
type NamesKey = (String, Op, Vec<String>, ValueType);

/// What a `matchName` gave: its outcome and the names it lists.
#[derive(Debug, Clone)]
struct NamesResult {
    outcome: Outcome,
    matching: Vec<String>,
}

/// A feature's present element sets (`elements: null` counts as absent for its type).
#[derive(Clone, Copy)]
struct Found<'a> {
    flags: Option<&'a BTreeSet<String>>,
    attributes: Option<&'a BTreeMap<String, String>>,
    instances: Option<&'a InstanceIndex<'a>>,
    /// The feature is an instance feature (maybe with `elements: null`).
    has_instance_key: bool,
}

impl<'f> Node<'f> {
    /// Prepares `features` for the terms in `terms` (instance features are indexed once).
    pub(super) fn new<'t>(
        features: &'f Features,
        terms: impl Iterator<Item = &'t Term>,
        unavailable: &'f BTreeMap<String, String>,
    ) -> Self {
        let mut instances = HashMap::new();
        for term in terms {
            let key = term.feature_key();
            if let Some((name, set)) = features.instances.get_key_value(key.as_ref())
                && let Some(elements) = &set.elements
            {
                instances
                    .entry(name.as_str())
                    .or_insert_with(|| InstanceIndex::new(elements.as_slice()));
            }
        }
        Node {
            features,
            instances,
            matched: None,
            unavailable,
            names: RefCell::default(),
        }
    }

    /// Merges a rule's vars into `rule.matched`, creating it when absent (NFD's
    /// `InsertAttributeFeatures("rule", "matched", vars)`).
    pub(super) fn merge_matched(&mut self, vars: &BTreeMap<String, String>) {
        let features = self.features;
        let matched = self.matched.get_or_insert_with(|| {
            features
                .attributes
                .get(RULE_MATCHED)
                .and_then(|a| a.elements.clone())
                .unwrap_or_default()
        });
        for (k, v) in vars {
            matched.insert(k.clone(), v.clone());
        }
    }

    fn lookup(&self, key: &str) -> Option<Found<'_>> {
        let flags = self.features.flags.get(key);
        let overlay = if key == RULE_MATCHED {
            self.matched.as_ref()
        } else {
            None
        };
        let attributes = self.features.attributes.get(key);
        let instances = self.features.instances.get(key);
        if flags.is_none() && attributes.is_none() && instances.is_none() && overlay.is_none() {
            return None;
        }
        Some(Found {
            flags: flags.and_then(|f| f.elements.as_ref()),
            attributes: overlay.or_else(|| attributes.and_then(|a| a.elements.as_ref())),
            instances: instances.and_then(|_| self.instances.get(key)),
            has_instance_key: instances.is_some(),
        })
    }

    /// Evaluates one rule. Its vars are returned in the result; the caller merges them.
    pub(super) fn rule(&self, index: usize, rule: &GroupRule) -> RuleEvaluation {
        let want = rule.vars_template.is_some();
        let mut matched_data: Vec<MatchedFeatures<'_>> = Vec::new();

        let mut match_any = Vec::with_capacity(rule.match_any.len());
        let mut any_matched = false;
        let mut any_truth = Truth::False;
        for element in &rule.match_any {
            let mut entries = Vec::new();
            let (is_match, truth, data) = self.matcher(&element.match_features, want, &mut entries);
            if is_match {
                any_matched = true;
                matched_data.push(data);
            }
            any_truth = any_truth.or(truth);
            match_any.push(AnyResult {
                is_match,
                truth,
                entries,
            });
        }

        let mut match_features = Vec::new();
        let (features_matched, features_truth, data) =
            self.matcher(&rule.match_features, want, &mut match_features);
        if features_matched && !rule.match_features.is_empty() {
            matched_data.push(data);
        }

        let is_match = (rule.match_any.is_empty() || any_matched)
            && (rule.match_features.is_empty() || features_matched);
        let mut truth = Truth::True;
        if !rule.match_any.is_empty() {
            truth = truth.and(any_truth);
        }
        if !rule.match_features.is_empty() {
            truth = truth.and(features_truth);
        }

        let mut vars = BTreeMap::new();
        let mut errors = Vec::new();
        if is_match {
            if let Some(template) = &rule.vars_template {
                for data in matched_data {
                    match template.render_vars(data.to_value()) {
                        Ok(v) => vars.extend(v),
                        Err(e) => {
                            errors.push(format!("varsTemplate: {e}"));
                            break;
                        }
                    }
                }
            }
            if errors.is_empty() {
                vars.extend(rule.vars.iter().map(|(k, v)| (k.clone(), v.clone())));
            } else {
                vars.clear();
            }
        }

        if !errors.is_empty() {
            truth = Truth::Unknown;
        }
        RuleEvaluation {
            index,
            is_match,
            truth,
            match_features,
            match_any,
            vars,
            errors,
        }
    }

    /// Evaluates a list of terms (all must match), appending their entries. Every term is evaluated,
    /// whatever the previous ones gave (Q1 fixed). An empty list matches.
    fn matcher<'s>(
        &'s self,
        terms: &'s [Term],
        want: bool,
        entries: &mut Vec<ExprResult>,
    ) -> (bool, Truth, MatchedFeatures<'s>) {
        let mut all = true;
        let mut truth = Truth::True;
        let mut data = MatchedFeatures::default();
        for (index, term) in terms.iter().enumerate() {
            let start = entries.len();
            let mut elements = Vec::new();
            let matched = self.term(index, term, want, entries, &mut elements);
            let term_truth = self.term_truth(term, matched, &mut entries[start..]);
            for entry in &mut entries[start..] {
                entry.term_matched = matched;
            }
            if matched && want {
                data.push(&term.feature, elements);
            }
            all &= matched;
            truth = truth.and(term_truth);
        }
        (all, truth, data)
    }

    /// Whether a term's result is certain: a term that did not match is unknown when its
    /// feature could not be discovered (its entries then say why), or when an expression
    /// could not be evaluated and no other one failed for certain (an entry that did not
    /// hold, with no error, fails every flag, attribute and instance alike).
    fn term_truth(&self, term: &Term, matched: bool, entries: &mut [ExprResult]) -> Truth {
        if matched {
            return Truth::True;
        }
        if let Some(why) = self.unavailable.get(term.feature_key().as_ref()) {
            for entry in entries {
                entry.unavailable = Some(why.clone());
            }
            return Truth::Unknown;
        }
        let errors = entries
            .iter()
            .any(|e| matches!(e.outcome, Outcome::Error(_)));
        let certain_failure = entries
            .iter()
            .any(|e| e.outcome == Outcome::NoMatch && e.observed != Observed::NotEvaluated);
        if errors && !certain_failure {
            Truth::Unknown
        } else {
            Truth::False
        }
    }

    /// Evaluates one term, appending its entries (expressions by name, then `matchName`).
    fn term<'s>(
        &'s self,
        index: usize,
        term: &'s Term,
        want: bool,
        entries: &mut Vec<ExprResult>,
        elements: &mut Vec<Element<'s>>,
    ) -> bool {
        let key = term.feature_key();
        let Some(found) = self.lookup(&key) else {
            // Unknown feature: the term fails, without error, whatever the op.
            for name in term.match_expressions.iter().flat_map(Expressions::keys) {
                entries.push(entry(
                    index,
                    Some(name),
                    Outcome::NoMatch,
                    Observed::FeatureMissing,
                ));
            }
            if term.match_name.is_some() {
                entries.push(entry(
                    index,
                    None,
                    Outcome::NoMatch,
                    Observed::FeatureMissing,
                ));
            }
            return false;
        };
        let mut matched = true;
        if let Some(expressions) = &term.match_expressions {
            matched = expressions_multi(found, index, expressions, want, entries, elements);
        }
        if let Some(expr) = &term.match_name {
            if matched {
                matched = if want || key == RULE_MATCHED {
                    names_multi(found, index, expr, want, entries, elements)
                } else {
                    self.names_memoised(&key, found, index, expr, entries)
                };
            } else {
                // NFD evaluates matchName only when the expressions matched.
                entries.push(entry(index, None, Outcome::NoMatch, Observed::NotEvaluated));
            }
        }
        matched
    }
}

impl Node<'_> {
    /// [`names_multi`] without a template, once per feature and expression: a spec names the
    /// same few patterns (`^AVX512`, `FMA`) over the same thousands of CPU flags in many rules,
    /// and the result depends on nothing else. Not for `rule.matched`, which grows as rules
    /// match, nor with a template, which needs the matched elements themselves.
    fn names_memoised(
        &self,
        key: &str,
        found: Found<'_>,
        term: usize,
        expr: &Expr,
        entries: &mut Vec<ExprResult>,
    ) -> bool {
        let memo_key = (key.to_owned(), expr.op, expr.value.clone(), expr.value_type);
        if let Some(known) = self.names.borrow().get(&memo_key) {
            entries.push(entry(
                term,
                None,
                known.outcome.clone(),
                Observed::Names {
                    matching: known.matching.clone(),
                },
            ));
            return known.outcome == Outcome::Match;
        }
        let matched = names_multi(found, term, expr, false, entries, &mut Vec::new());
        if let Some(ExprResult {
            outcome,
            observed: Observed::Names { matching },
            ..
        }) = entries.last()
        {
            let result = NamesResult {
                outcome: outcome.clone(),
                matching: matching.clone(),
            };
            self.names.borrow_mut().insert(memo_key, result);
        }
        matched
    }
}

fn entry(term: usize, key: Option<&String>, outcome: Outcome, observed: Observed) -> ExprResult {
    ExprResult {
        term,
        key: key.cloned(),
        outcome,
        term_matched: false,
        observed,
        unavailable: None,
    }
}

/// NFD's `MatchMulti`: flags and attributes as a union, instances separately, the term
/// matching if either does.
fn expressions_multi<'s>(
    found: Found<'s>,
    term: usize,
    expressions: &'s Expressions,
    want: bool,
    entries: &mut Vec<ExprResult>,
    elements: &mut Vec<Element<'s>>,
) -> bool {
    let start = entries.len();
    let has_elements = found.flags.is_some() || found.attributes.is_some();

    // Flags and attributes.
    let mut element_match = has_elements;
    let mut element_elems = Vec::new();
    for (name, expr) in expressions {
        let mut outcome = Outcome::NoMatch;
        let mut observed = Observed::Element {
            flag: false,
            value: None,
        };
        if has_elements {
            let flag = found.flags.map(|f| f.contains(name.as_str()));
            let value = found.attributes.and_then(|a| a.get(name));
            let match_k = flag.is_some_and(|present| match_flag(expr, present));
            let match_v = match (found.attributes, value) {
                (None, _) => Ok(false),
                (Some(_), None) => Ok(match_absent(expr)),
                (Some(_), Some(v)) => match_value(expr, v),
            };
            let ok = match match_v {
                Err(message) => {
                    outcome = Outcome::Error(message);
                    false
                }
                Ok(match_v) => {
                    // A present key in either map fails DoesNotExist (and, Q4 fixed, is
                    // reported as failing).
                    let exists_somewhere = flag == Some(true) || value.is_some();
                    let ok =
                        (match_k || match_v) && !(expr.op == Op::DoesNotExist && exists_somewhere);
                    if ok {
                        outcome = Outcome::Match;
                        if want {
                            if match_k {
                                element_elems.push(Element::Flag(name));
                            }
                            if match_v {
                                element_elems.push(Element::Attribute(
                                    name,
                                    value.map_or("", String::as_str),
                                ));
                            }
                        }
                    }
                    ok
                }
            };
            element_match &= ok;
            observed = Observed::Element {
                flag: flag == Some(true),
                value: value.cloned(),
            };
        } else if found.has_instance_key {
            observed = Observed::Instances {
                total: 0,
                matching: Bits::zeros(0),
            };
        }
        entries.push(entry(term, Some(name), outcome, observed));
    }
    if element_match {
        elements.append(&mut element_elems);
    }

    // Instances: each expression on its own (for the report), and all together (the term).
    let mut instance_match = false;
    if let Some(index) = found.instances {
        let mut all = Bits::ones(index.len());
        for (expr_entry, (name, expr)) in entries[start..].iter_mut().zip(expressions) {
            let bits = match index.eval(name, expr) {
                Ok(bits) => bits,
                Err(message) => {
                    expr_entry.outcome = Outcome::Error(message);
                    Bits::zeros(index.len())
                }
            };
            all.and_assign(&bits);
            if bits.any() && expr_entry.outcome == Outcome::NoMatch {
                expr_entry.outcome = Outcome::Match;
            }
            if !has_elements {
                expr_entry.observed = Observed::Instances {
                    total: index.len(),
                    matching: bits,
                };
            }
        }
        instance_match = all.any();
        if instance_match && want {
            elements.extend(all.iter().map(|i| Element::Instance(index.attributes(i))));
        }
    }
    element_match || instance_match
}

/// NFD's `MatchNamesMulti`: the expression on every element name (flags, attributes, and the
/// attribute names of each instance); it holds if any name matches.
fn names_multi<'s>(
    found: Found<'s>,
    term: usize,
    expr: &Expr,
    want: bool,
    entries: &mut Vec<ExprResult>,
    elements: &mut Vec<Element<'s>>,
) -> bool {
    let mut scan = NameScan {
        expr,
        want,
        matched: false,
        names: Vec::new(),
        error: None,
    };
    let narrow = Narrow::new(expr);
    if let Some(flags) = found.flags {
        match &narrow {
            Narrow::All => scan.scan(
                elements,
                flags.iter().map(|n| (n.as_str(), Element::Flag(n))),
            ),
            Narrow::Prefix(p) => scan.scan(
                elements,
                flags
                    .range::<str, _>((Bound::Included(*p), Bound::Unbounded))
                    .take_while(|n| n.starts_with(p))
                    .map(|n| (n.as_str(), Element::Flag(n))),
            ),
            Narrow::Exact(list) => scan.scan(
                elements,
                list.iter()
                    .filter_map(|v| flags.get(*v))
                    .map(|n| (n.as_str(), Element::Flag(n))),
            ),
        }
    }
    if let Some(attributes) = found.attributes
        && scan.error.is_none()
    {
        let attribute = |(n, v): (&'s String, &'s String)| (n.as_str(), Element::Attribute(n, v));
        match &narrow {
            Narrow::All => scan.scan(elements, attributes.iter().map(attribute)),
            Narrow::Prefix(p) => scan.scan(
                elements,
                attributes
                    .range::<str, _>((Bound::Included(*p), Bound::Unbounded))
                    .take_while(|(n, _)| n.starts_with(p))
                    .map(attribute),
            ),
            Narrow::Exact(list) => scan.scan(
                elements,
                list.iter()
                    .filter_map(|v| attributes.get_key_value(*v))
                    .map(attribute),
            ),
        }
    }
    if let Some(index) = found.instances
        && scan.error.is_none()
    {
        match index.eval_names(expr) {
            Ok((bits, names)) => {
                if bits.any() {
                    scan.matched = true;
                    if want {
                        elements
                            .extend(bits.iter().map(|i| Element::Instance(index.attributes(i))));
                    }
                }
                for name in names {
                    if scan.names.len() < MAX_OBSERVED_NAMES {
                        scan.names.push(name.to_owned());
                    }
                }
            }
            Err(message) => scan.error = Some(message),
        }
    }
    let (outcome, matched) = match scan.error {
        Some(message) => (Outcome::Error(message), false),
        None if scan.matched => (Outcome::Match, true),
        None => (Outcome::NoMatch, false),
    };
    entries.push(entry(
        term,
        None,
        outcome,
        Observed::Names {
            matching: scan.names,
        },
    ));
    if !matched {
        elements.clear();
    }
    matched
}

/// Which names of a sorted name set can possibly satisfy a `matchName` expression. Only
/// these are tested (with the expression itself, so the result is the same as a full scan);
/// on a feature with thousands of names this avoids testing each one.
enum Narrow<'e> {
    /// Every name.
    All,
    /// Names starting with this literal (`InRegexp` with one `^LITERAL...` pattern).
    Prefix(&'e str),
    /// Exactly these names, sorted and without duplicates (`In`, `IsTrue`, `IsFalse`).
    Exact(Vec<&'e str>),
}

impl<'e> Narrow<'e> {
    fn new(expr: &'e Expr) -> Narrow<'e> {
        match expr.op {
            Op::In => {
                let mut list: Vec<&str> = expr.value.iter().map(String::as_str).collect();
                list.sort_unstable();
                list.dedup();
                Narrow::Exact(list)
            }
            Op::IsTrue => Narrow::Exact(vec!["true"]),
            Op::IsFalse => Narrow::Exact(vec!["false"]),
            Op::InRegexp => match expr.value.as_slice() {
                [pattern] => literal_prefix(pattern).map_or(Narrow::All, Narrow::Prefix),
                _ => Narrow::All,
            },
            _ => Narrow::All,
        }
    }
}

/// The literal every match of `pattern` starts with, for a pattern anchored with `^` and
/// without alternation (`^AVX512` gives `AVX512`; `^AVX5?` gives `AVX`).
fn literal_prefix(pattern: &str) -> Option<&str> {
    let rest = pattern.strip_prefix('^')?;
    if pattern.contains('|') {
        return None;
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let mut prefix = &rest[..end];
    if matches!(rest[end..].chars().next(), Some('?' | '*' | '+' | '{')) {
        // The quantifier applies to the last literal character.
        prefix = &prefix[..prefix.len().saturating_sub(1)];
    }
    (!prefix.is_empty()).then_some(prefix)
}

/// A `matchName` scan over one set of names.
struct NameScan<'e> {
    expr: &'e Expr,
    /// The template needs every matched element.
    want: bool,
    matched: bool,
    names: Vec<String>,
    error: Option<String>,
}

impl NameScan<'_> {
    fn scan<'s>(
        &mut self,
        elements: &mut Vec<Element<'s>>,
        names: impl Iterator<Item = (&'s str, Element<'s>)>,
    ) {
        // Without a template and with an op that cannot fail, a few matches are enough.
        let may_stop = !self.want && !can_error(self.expr);
        for (name, element) in names {
            match match_value(self.expr, name) {
                Ok(true) => {
                    self.matched = true;
                    if self.names.len() < MAX_OBSERVED_NAMES {
                        self.names.push(name.to_owned());
                    }
                    if self.want {
                        elements.push(element);
                    }
                    if may_stop && self.names.len() >= MAX_OBSERVED_NAMES {
                        return;
                    }
                }
                Ok(false) => {}
                Err(message) => {
                    self.error = Some(message);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::literal_prefix;

    #[test]
    fn literal_prefixes() {
        for (pattern, want) in [
            ("^AVX512", Some("AVX512")),
            ("^AVX512.*", Some("AVX512")),
            ("^AVX5?", Some("AVX")),
            ("^A*", None),
            ("^AVX{2}", Some("AV")),
            ("^AVX\\d", Some("AVX")),
            ("^AVX|SSE", None),
            ("^(?i)avx", None),
            ("AVX", None),
            ("^vfio-pci$", Some("vfio-pci")),
        ] {
            assert_eq!(literal_prefix(pattern), want, "{pattern}");
        }
    }
}

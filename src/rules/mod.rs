//! The rule engine: NFD's rule semantics, pure (no I/O).
//!
//! [`evaluate`] runs every selected compatibility set of a [`Spec`] against [`Features`] and
//! returns per-rule and per-expression results. The semantics are NFD's
//! (`pkg/apis/nfd/nodefeaturerule`), with the report quirks Q1-Q4 fixed (docs/DECISIONS.md, *Report quirks*).
//!
//! - `matcher`: one expression on one value (only data-dependent errors remain: an ordering
//!   op on a value that is not a number or a version).
//! - `instances`: a column index over each instance feature the spec uses, built once per
//!   call, so an expression is evaluated once per distinct attribute value.
//! - `eval`: terms (`MatchMulti`, `MatchNamesMulti`), matchers and rules, and the
//!   `rule.matched` overlay (the features are never cloned or changed).
//! - `vars`: the `varsTemplate` data built from the matched elements.
//!
//! Choices where NFD gives no answer because it aborts: an expression that cannot be evaluated
//! ([`Outcome::Error`]) counts as not matched (for an instance feature: on every instance) and
//! everything else is still evaluated; a `varsTemplate` that fails leaves the rule's match as it
//! is, records the error in `RuleEvaluation::errors` and contributes no vars at all.
//!
//! Besides NFD's two-valued match, every term, rule and set gets a [`Truth`]: whether its
//! result is certain. A term that did not match is [`Truth::Unknown`] when its feature is in
//! `Options::unavailable` (its source could not be read on this node) or when one of its
//! expressions could not be evaluated and none failed for certain; `and`/`or` then follow
//! three-valued logic, so a set that fails for certain on another rule stays failed. The
//! match results themselves (NFD's report) never change.

use std::collections::BTreeMap;

use crate::features::Features;
use crate::spec::Spec;

mod eval;
mod instances;
pub use instances::Bits;
pub(crate) mod matcher;
#[cfg(test)]
mod tests;
mod vars;

/// What to evaluate.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// When non-empty, only sets whose `tag` is in this list (exact match) are evaluated.
    pub(crate) tags: Vec<String>,
    /// Features that could not be discovered on this node, with why (the source and the path
    /// it could not read). A term on one of them that does not match is [`Truth::Unknown`].
    pub(crate) unavailable: BTreeMap<String, String>,
}

/// Whether a result is certain (three-valued logic over NFD's match results).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// It matched.
    True,
    /// It did not match, for certain.
    False,
    /// It did not match, but only for want of data: a feature that could not be discovered
    /// or an expression that could not be evaluated.
    Unknown,
}

impl Truth {
    /// Both hold (false wins over unknown).
    #[must_use]
    pub(crate) fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            (Truth::True, Truth::True) => Truth::True,
        }
    }

    /// Either holds (true wins over unknown).
    #[must_use]
    pub(crate) fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            (Truth::False, Truth::False) => Truth::False,
        }
    }
}

impl Options {
    /// Whether `set` is evaluated.
    pub(crate) fn selects(&self, set: &crate::spec::Compatibility) -> bool {
        self.tags.is_empty() || self.tags.contains(&set.tag)
    }
}

/// The result of evaluating a spec against one node.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The evaluated sets, in spec order (sets skipped by `tags` are absent).
    pub sets: Vec<SetEvaluation>,
}

/// The result of one compatibility set.
#[derive(Debug, Clone, PartialEq)]
pub struct SetEvaluation {
    /// The set's index in `spec.compatibilities`.
    pub(crate) index: usize,
    /// One result per rule, in spec order.
    pub rules: Vec<RuleEvaluation>,
}

impl SetEvaluation {
    /// Whether every rule of the set matched (a set without rules matches).
    pub fn is_match(&self) -> bool {
        self.rules.iter().all(|r| r.is_match)
    }

    /// Whether the set matched, did not for certain, or cannot be told.
    pub(crate) fn truth(&self) -> Truth {
        self.rules
            .iter()
            .fold(Truth::True, |acc, r| acc.and(r.truth))
    }
}

/// The result of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleEvaluation {
    /// The rule's index in its set.
    pub(crate) index: usize,
    /// Whether the rule matched (NFD's rule-level `isMatch`).
    pub is_match: bool,
    /// Whether that result is certain. A rule that matched but whose `varsTemplate` failed is
    /// unknown (later rules may miss its vars).
    pub(crate) truth: Truth,
    /// Entries for the rule's `matchFeatures`, in term order, then element-name order, with the
    /// `matchName` entry of a term after its expressions.
    pub(crate) match_features: Vec<ExprResult>,
    /// One entry list per `matchAny` element, in spec order.
    pub(crate) match_any: Vec<AnyResult>,
    /// The vars the rule contributed to `rule.matched`: the `varsTemplate` output overlaid
    /// with the static `vars`. Empty when the rule did not match (Q2 fixed) or its template
    /// failed.
    pub(crate) vars: BTreeMap<String, String>,
    /// Errors that are not tied to one expression (a `varsTemplate` that failed); the rule's
    /// `is_match` is still its match result.
    pub(crate) errors: Vec<String>,
}

impl RuleEvaluation {
    /// Whether any expression or the rule itself could not be evaluated.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
            || self
                .match_features
                .iter()
                .chain(self.match_any.iter().flat_map(|a| a.entries.iter()))
                .any(|e| matches!(e.outcome, Outcome::Error(_)))
    }
}

/// The result of one `matchAny` element.
#[derive(Debug, Clone, PartialEq)]
pub struct AnyResult {
    /// Whether all of the element's terms matched.
    pub(crate) is_match: bool,
    /// Whether that result is certain.
    pub(crate) truth: Truth,
    /// Its entries, ordered as [`RuleEvaluation::match_features`].
    pub(crate) entries: Vec<ExprResult>,
}

/// The result of one expression (one key of `matchExpressions`, or a `matchName`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExprResult {
    /// The term's index within its matcher (`matchFeatures` or one `matchAny` element).
    pub(crate) term: usize,
    /// The element name (the `matchExpressions` key); `None` for the term's `matchName`.
    pub(crate) key: Option<String>,
    /// Whether the expression held.
    pub(crate) outcome: Outcome,
    /// Whether the term as a whole matched.
    pub(crate) term_matched: bool,
    /// What the node has, for explaining the outcome.
    pub(crate) observed: Observed,
    /// Why the term's feature could not be discovered, when it could not and the term did
    /// not match (from [`Options::unavailable`]).
    pub(crate) unavailable: Option<String>,
}

/// Whether an expression held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It held (for an instance feature: on at least one instance).
    Match,
    /// It did not hold.
    NoMatch,
    /// It could not be evaluated on this node's data (e.g. `Gt` on a non-number).
    Error(String),
}

/// What the node has for an expression's feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// No feature of that name on the node.
    FeatureMissing,
    /// A flag/attribute feature: whether the element is a flag, and the attribute value.
    Element {
        /// Whether the name is present among the feature's flags.
        flag: bool,
        /// The attribute value, when the name is present among its attributes.
        value: Option<String>,
    },
    /// An instance feature: how many instances, and which satisfied the expression. (A feature
    /// that is both flags/attributes and instances is reported as [`Observed::Element`].)
    Instances {
        /// Number of instances.
        total: usize,
        /// The instances that satisfied this expression alone (a set, listed only by the
        /// reports that show them).
        matching: Bits,
    },
    /// A `matchName`: the element names that matched.
    Names {
        /// The names that satisfied the expression (at most a few).
        matching: Vec<String>,
    },
    /// Not evaluated (e.g. `matchName` after failed expressions of the same term).
    NotEvaluated,
}

/// Evaluates `spec` against `features` (see the module docs).
///
/// Sets are evaluated in spec order (those not selected by `options.tags` are skipped
/// entirely), rules in order. After each rule the attribute feature `rule.matched` exists
/// (created empty by the first rule) and holds the vars of every rule that matched so far, so
/// that later rules, also of later sets, can refer to them.
pub fn evaluate(spec: &Spec, features: &Features, options: &Options) -> Evaluation {
    let terms = spec.terms(|set| options.selects(set));
    let mut node = eval::Node::new(features, terms, &options.unavailable);
    let mut sets = Vec::new();
    for (index, set) in spec.compatibilities.iter().enumerate() {
        if !options.selects(set) {
            continue;
        }
        let mut rules = Vec::new();
        for (rule_index, rule) in set.rules.iter().flatten().enumerate() {
            let result = node.rule(rule_index, rule);
            node.merge_matched(&result.vars);
            rules.push(result);
        }
        sets.push(SetEvaluation { index, rules });
    }
    Evaluation { sets }
}

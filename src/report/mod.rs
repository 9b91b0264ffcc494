//! The report: one model of a validation, rendered several ways.
//!
//! [`build`] turns a spec, its [`Evaluation`] and the node's [`Features`] into a [`Report`]:
//! the verdict, the best matching set, and per expression what the node actually has with a
//! hint where one is known. Renderers are pure functions of the report: [`table`] (the human
//! view), [`json`] (the rich JSON or YAML document) and [`nfd`] (NFD's `--output-json` shape).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::features::Features;
use crate::registry::LookupPath;
use crate::rules::{Evaluation, ExprResult, Observed, Outcome, Truth};
use crate::spec::{Expr, Spec, Term};
use crate::warning::Warning;

pub(crate) mod ci;
mod hints;
pub(crate) mod json;
pub(crate) mod listing;
pub mod nfd;
pub(crate) mod table;
pub mod text;

/// The answer to "will the image run on this node?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// At least one evaluated set has all its rules matched.
    Compatible,
    /// No evaluated set has all its rules matched.
    Incompatible,
    /// Cannot tell: no set is compatible for certain and some set failed only for want of
    /// data (a feature its source could not discover, an expression that could not be
    /// evaluated), or nothing could be evaluated at all.
    Error,
}

/// A whole validation of one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The verdict.
    pub(crate) verdict: Verdict,
    /// The node's name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) node: Option<String>,
    /// Where the spec came from (a file, `-`, an image).
    pub(crate) spec: String,
    /// Where the features came from (discovery under a host root, or a snapshot).
    pub(crate) features: String,
    /// The image and artifact the spec came from, when fetched from a registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) image: Option<ImageInfo>,
    /// The best matching set: highest weight, first on ties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) best_set: Option<BestSet>,
    /// The evaluated sets, in spec order.
    pub sets: Vec<SetReport>,
    /// What could not be evaluated (expressions, templates, features whose source failed);
    /// they make the verdict `error` unless a set decides it for certain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) errors: Vec<String>,
    /// Warnings from loading the spec and discovering the node (each as its one-line text in
    /// JSON and YAML).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "serialize_warnings"
    )]
    pub(crate) warnings: Vec<Warning>,
    /// The spec's file, when it came from one (for annotations that point into it).
    #[serde(skip)]
    pub(crate) spec_file: Option<String>,
}

/// Warnings as their one-line text (the reports' shape before warnings had topics).
fn serialize_warnings<S: serde::Serializer>(
    warnings: &[Warning],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(warnings.iter().map(ToString::to_string))
}

/// The image and compatibility artifact a spec was fetched from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageInfo {
    /// The image, normalised (`docker.io/library/app:v1`).
    pub(crate) reference: String,
    /// The digest the reference resolved to.
    pub(crate) digest: String,
    /// The manifest carrying the artifact, when not the one the reference resolved to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) platform_manifest: Option<String>,
    /// The platform of that manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) platform: Option<String>,
    /// The artifact's digest.
    pub(crate) artifact: String,
    /// The artifact's creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) created: Option<String>,
    /// How many compatibility artifacts are attached.
    pub(crate) artifacts_attached: usize,
    /// How the artifact was found (`referrersApi` or `tagSchema` in JSON).
    pub(crate) lookup: LookupPath,
    /// HTTP requests made.
    pub(crate) requests: u32,
}

/// Which set won.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BestSet {
    /// Its number in the report (1-based).
    pub(crate) number: usize,
    /// Its weight.
    pub(crate) weight: i64,
    /// Its tag.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(crate) tag: String,
    /// Its description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(crate) description: String,
}

/// One evaluated compatibility set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetReport {
    /// Its number among the evaluated sets (1-based, as NFD numbers them).
    pub(crate) number: usize,
    /// Its index in the spec's `compatibilities`.
    #[serde(skip)]
    pub(crate) index: usize,
    /// Its description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(crate) description: String,
    /// Its weight.
    pub(crate) weight: i64,
    /// Its tag.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(crate) tag: String,
    /// Whether all its rules matched.
    pub(crate) is_match: bool,
    /// It did not match, but only for want of data.
    #[serde(skip_serializing_if = "is_false")]
    pub(crate) cannot_tell: bool,
    /// Whether the spec had no `rules` key (NFD then reports `"rules": null`).
    #[serde(skip)]
    pub(crate) rules_absent: bool,
    /// Its rules.
    pub rules: Vec<RuleReport>,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleReport {
    /// Its name.
    pub(crate) name: String,
    /// Whether it matched.
    pub(crate) is_match: bool,
    /// It did not match, but only for want of data: cannot tell whether it would.
    #[serde(skip_serializing_if = "is_false")]
    pub(crate) cannot_tell: bool,
    /// Its `matchFeatures` expressions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_features: Vec<ExprReport>,
    /// Its `matchAny` alternatives.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_any: Vec<AnyReport>,
    /// The vars it contributed to `rule.matched`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) vars: BTreeMap<String, String>,
    /// Errors not tied to one expression.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) errors: Vec<String>,
    /// The rule's line in the spec file, when known.
    #[serde(skip)]
    pub(crate) line: Option<usize>,
}

/// One `matchAny` alternative.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnyReport {
    /// Whether all its terms matched.
    pub(crate) is_match: bool,
    /// It did not match, but only for want of data.
    #[serde(skip_serializing_if = "is_false")]
    pub(crate) cannot_tell: bool,
    /// Its expressions.
    pub match_features: Vec<ExprReport>,
}

/// Whether an expression held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// It held.
    #[serde(rename = "OK")]
    Ok,
    /// It did not.
    #[serde(rename = "FAIL")]
    Fail,
    /// It could not be evaluated.
    #[serde(rename = "ERROR")]
    Error,
}

impl Status {
    /// The word shown in reports.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
        }
    }
}

/// What the node has for one expression. Serialised as plain text (`4`, `present; value 4`,
/// `2 of 9 instances`); [`NodeHas::decorated`] marks values for human output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeHas {
    /// The element's value.
    Value(String),
    /// The element is both a flag and an attribute: present, with this value.
    PresentWithValue(String),
    /// Words about what the node has (`present`, `absent`, `2 of 9 instances`).
    Words(String),
}

impl NodeHas {
    /// As data: the value or the words, undecorated.
    pub fn plain(&self) -> Cow<'_, str> {
        match self {
            NodeHas::Value(v) | NodeHas::Words(v) => Cow::Borrowed(v),
            NodeHas::PresentWithValue(v) => Cow::Owned(format!("present; value {v}")),
        }
    }

    /// For people: values in backticks, so that a value reads apart from the words.
    pub(crate) fn decorated(&self) -> Cow<'_, str> {
        match self {
            NodeHas::Value(v) => Cow::Owned(format!("`{v}`")),
            NodeHas::PresentWithValue(v) => Cow::Owned(format!("present; value `{v}`")),
            NodeHas::Words(w) => Cow::Borrowed(w),
        }
    }
}

impl Serialize for NodeHas {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.plain())
    }
}

/// One expression with what the node has.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExprReport {
    /// The feature as written in the spec.
    pub(crate) feature: String,
    /// The element name; empty for a `matchName`.
    pub(crate) name: String,
    /// `matchExpression` or `matchName` (NFD's matcher types).
    pub(crate) matcher_type: &'static str,
    /// The expression as written.
    pub(crate) expression: ExpressionOut,
    /// The spec has no expression here (the expression is then all empty).
    #[serde(skip)]
    pub(crate) expression_absent: bool,
    /// Whether it held.
    pub(crate) status: Status,
    /// What the node has: the element's value, or words.
    pub node_has: NodeHas,
    /// For instance features: the indexes of the instances that satisfied it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching_instances: Option<Vec<usize>>,
    /// Advice, when a likely cause is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Why it could not be evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    /// Why its feature could not be discovered on this node (it then did not match, but
    /// cannot tell whether the node has what it needs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) unavailable: Option<String>,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if"
)]
fn is_false(b: &bool) -> bool {
    !*b
}

impl ExprReport {
    /// NFD's `MatchExpression.String()` of the expression, as NFD's table prints it (empty
    /// when the spec has none). Made when asked for: most reports never show it.
    pub(crate) fn expression_text(&self) -> String {
        if self.expression_absent {
            return String::new();
        }
        crate::spec::nfd_text(self.expression.op, &self.expression.value)
    }

    /// The feature column of NFD's table: `feature.name`, or the feature for a `matchName`.
    pub(crate) fn qualified_name(&self) -> String {
        if self.name.is_empty() {
            self.feature.clone()
        } else {
            format!("{}.{}", self.feature, self.name)
        }
    }
}

/// An expression in NFD's JSON form (`op`, `value`, `type`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpressionOut {
    /// The op.
    pub(crate) op: &'static str,
    /// The values (omitted when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) value: Vec<String>,
    /// The type (omitted when empty).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub(crate) value_type: Option<String>,
}

impl fmt::Display for ExpressionOut {
    /// As messages show it: `{op: "In", value: ["a", "b"]}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::spec::expression_text(
            self.op,
            &self.value,
            self.value_type.as_deref(),
        ))
    }
}

impl From<&Expr> for ExpressionOut {
    fn from(e: &Expr) -> Self {
        ExpressionOut {
            op: e.op.as_str(),
            value: e.value.clone(),
            value_type: e.type_written.clone().filter(|t| !t.is_empty()),
        }
    }
}

/// Where the spec and features came from, for the report header.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The spec's origin.
    pub(crate) spec: String,
    /// The features' origin.
    pub(crate) features: String,
    /// The node's name.
    pub(crate) node: Option<String>,
    /// The image, when the spec came from a registry.
    pub(crate) image: Option<ImageInfo>,
}

/// The best matching set: the highest weight, the first of equal weights (sets are numbered
/// from 1 in evaluation order).
pub(crate) fn best_set(spec: &Spec, evaluation: &Evaluation) -> Option<BestSet> {
    let mut best: Option<(usize, &crate::spec::Compatibility)> = None;
    for (n, set_eval) in evaluation.sets.iter().enumerate() {
        if !set_eval.is_match() {
            continue;
        }
        let set = &spec.compatibilities[set_eval.index];
        match best {
            Some((_, b)) if b.weight >= set.weight => {}
            _ => best = Some((n, set)),
        }
    }
    best.map(|(n, set)| BestSet {
        number: n + 1,
        weight: set.weight,
        tag: set.tag.clone(),
        description: set.description.clone(),
    })
}

/// How much of each expression [`build_with`] works out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Everything: what the node has, hints, the matching instances.
    Full,
    /// The outcome alone (NFD's `--output-json` shows no more): `node_has` is left empty and
    /// there are no hints or matching instances, which spares a search for near names among
    /// all of the node's elements for every failed expression.
    Outcome,
}

/// Builds the report of one node, in full.
pub(crate) fn build(
    spec: &Spec,
    evaluation: &Evaluation,
    features: &Features,
    origin: Origin,
    warnings: Vec<Warning>,
) -> Report {
    build_with(spec, evaluation, features, origin, warnings, Detail::Full)
}

/// Builds the report of one node with `detail`.
pub fn build_with(
    spec: &Spec,
    evaluation: &Evaluation,
    features: &Features,
    origin: Origin,
    warnings: Vec<Warning>,
    detail: Detail,
) -> Report {
    let mut sets = Vec::with_capacity(evaluation.sets.len());
    let mut errors = Vec::new();
    let mut memo = hints::Memo::default();
    for (n, set_eval) in evaluation.sets.iter().enumerate() {
        let set = &spec.compatibilities[set_eval.index];
        let rules_spec = set.rules.as_deref().unwrap_or_default();
        let mut rules = Vec::with_capacity(set_eval.rules.len());
        for rule_eval in &set_eval.rules {
            let rule = &rules_spec[rule_eval.index];
            let mut entries = |terms: &[Term], results: &[ExprResult]| -> Vec<ExprReport> {
                let mut out: Vec<ExprReport> = results
                    .iter()
                    .map(|r| expr_report(&terms[r.term], r, features, detail, &mut memo))
                    .collect();
                if detail == Detail::Full {
                    explain_instance_terms(results, &mut out);
                }
                out
            };
            let match_features = entries(&rule.match_features, &rule_eval.match_features);
            let match_any = rule_eval
                .match_any
                .iter()
                .zip(&rule.match_any)
                .map(|(any, elem)| AnyReport {
                    is_match: any.is_match,
                    cannot_tell: any.truth == Truth::Unknown,
                    match_features: entries(&elem.match_features, &any.entries),
                })
                .collect::<Vec<_>>();
            for e in match_features
                .iter()
                .chain(match_any.iter().flat_map(|a| &a.match_features))
            {
                if let Some(err) = &e.error {
                    errors.push(format!(
                        "set #{} rule `{}`: `{}` {}: {err}",
                        n + 1,
                        rule.name,
                        e.qualified_name(),
                        e.expression
                    ));
                }
            }
            for err in &rule_eval.errors {
                errors.push(format!("set #{} rule `{}`: {err}", n + 1, rule.name));
            }
            rules.push(RuleReport {
                name: rule.name.clone(),
                is_match: rule_eval.is_match,
                cannot_tell: rule_eval.truth == Truth::Unknown,
                match_features,
                match_any,
                vars: rule_eval.vars.clone(),
                errors: rule_eval.errors.clone(),
                line: None,
            });
        }
        sets.push(SetReport {
            number: n + 1,
            index: set_eval.index,
            description: set.description.clone(),
            weight: set.weight,
            tag: set.tag.clone(),
            is_match: set_eval.is_match(),
            cannot_tell: set_eval.truth() == Truth::Unknown,
            rules_absent: set.rules.is_none(),
            rules,
        });
    }
    let best_set = best_set(spec, evaluation);
    let truth = evaluation
        .sets
        .iter()
        .fold(Truth::False, |acc, set| acc.or(set.truth()));
    let verdict = match truth {
        _ if sets.is_empty() => {
            errors.push("no compatibility set was evaluated".to_owned());
            Verdict::Error
        }
        Truth::True => Verdict::Compatible,
        Truth::False => Verdict::Incompatible,
        Truth::Unknown => {
            errors.extend(unavailable_errors(&sets));
            Verdict::Error
        }
    };
    Report {
        verdict,
        node: origin.node,
        spec: origin.spec,
        features: origin.features,
        image: origin.image,
        best_set,
        sets,
        errors,
        warnings,
        spec_file: None,
    }
}

impl Report {
    /// The report [`build`] gives for the same node with `origin` and `warnings` instead: they
    /// are only carried, so a report built where the node was read (a fleet's `-o json`) is
    /// not built again when the node turns out to be alone.
    pub(crate) fn with_origin(self, origin: Origin, warnings: Vec<Warning>) -> Report {
        Report {
            node: origin.node,
            spec: origin.spec,
            features: origin.features,
            image: origin.image,
            warnings,
            ..self
        }
    }

    /// Records where each rule starts in the spec file.
    pub(crate) fn locate(&mut self, file: &str, positions: &crate::spec::Positions) {
        self.spec_file = Some(file.to_owned());
        for set in &mut self.sets {
            for (r, rule) in set.rules.iter_mut().enumerate() {
                rule.line = positions.rule(set.index, r).map(|p| p.line);
            }
        }
    }
}

/// One error per feature that could not be discovered and leaves a set undecided, naming the
/// rules that need it and why it is missing.
fn unavailable_errors(sets: &[SetReport]) -> Vec<String> {
    let mut needed: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for set in sets.iter().filter(|s| s.cannot_tell) {
        for rule in set.rules.iter().filter(|r| r.cannot_tell) {
            let exprs = rule
                .match_features
                .iter()
                .chain(rule.match_any.iter().flat_map(|a| &a.match_features));
            for e in exprs {
                if let Some(why) = &e.unavailable {
                    let users = needed
                        .entry((e.feature.as_str(), why.as_str()))
                        .or_default();
                    let user = format!("set #{} rule `{}`", set.number, rule.name);
                    if !users.contains(&user) {
                        users.push(user);
                    }
                }
            }
        }
    }
    needed
        .into_iter()
        .map(|((feature, why), users)| {
            format!(
                "cannot tell whether {} would match: `{feature}` could not be discovered on this node ({why})",
                users.join(", ")
            )
        })
        .collect()
}

/// An instance term can fail although each of its expressions holds on some instance (no
/// single instance satisfies them all): say so, since every row alone reads OK.
fn explain_instance_terms(results: &[ExprResult], out: &mut [ExprReport]) {
    let mut start = 0;
    while start < results.len() {
        let term = results[start].term;
        let end = results[start..]
            .iter()
            .position(|r| r.term != term)
            .map_or(results.len(), |n| start + n);
        let group = &results[start..end];
        let all_ok = group.iter().all(|r| r.outcome == Outcome::Match);
        let instances = group
            .iter()
            .any(|r| matches!(r.observed, Observed::Instances { .. }));
        if instances && all_ok && !group[0].term_matched && out[start].hint.is_none() {
            out[start].hint = Some(format!(
                "each expression of this `{}` term holds on some instance, but no single instance satisfies them all",
                out[start].feature
            ));
        }
        start = end;
    }
}

fn expr_report(
    term: &Term,
    result: &ExprResult,
    features: &Features,
    detail: Detail,
    memo: &mut hints::Memo,
) -> ExprReport {
    let (expr, matcher_type, name) = match &result.key {
        Some(key) => (
            term.match_expressions.as_ref().and_then(|m| m.get(key)),
            "matchExpression",
            key.clone(),
        ),
        None => (term.match_name.as_deref(), "matchName", String::new()),
    };
    let expression = expr.map_or(
        ExpressionOut {
            op: "",
            value: Vec::new(),
            value_type: None,
        },
        ExpressionOut::from,
    );
    let (status, error) = match &result.outcome {
        Outcome::Match => (Status::Ok, None),
        Outcome::NoMatch => (Status::Fail, None),
        Outcome::Error(e) => (Status::Error, Some(e.clone())),
    };
    let (matching_instances, explained) = match detail {
        Detail::Outcome => (
            None,
            hints::Explained {
                node_has: NodeHas::Words(String::new()),
                hint: None,
            },
        ),
        Detail::Full => (
            match &result.observed {
                Observed::Instances { matching, .. } => Some(matching.iter().collect()),
                _ => None,
            },
            hints::explain(
                term,
                result.key.as_deref(),
                expr,
                &result.observed,
                status,
                features,
                memo,
            ),
        ),
    };
    let node_has = match (&result.unavailable, &result.observed) {
        (Some(_), Observed::FeatureMissing) => {
            NodeHas::Words("unknown: the feature could not be discovered".to_owned())
        }
        _ => explained.node_has,
    };
    ExprReport {
        feature: term.feature.clone(),
        name,
        matcher_type,
        expression_absent: expr.is_none(),
        expression,
        status,
        node_has,
        matching_instances,
        hint: explained.hint,
        error,
        unavailable: result.unavailable.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Origin, build};
    use crate::rules::{self, Options};
    use crate::snapshot;
    use crate::spec::load;
    use crate::warning::{Topic, Warning};

    #[test]
    fn a_report_with_another_origin_is_the_report_built_with_it() {
        let spec = load(b"version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: cpu.cpuid\n      matchExpressions:\n        AVX: {op: Exists}\n")
            .expect("spec loads")
            .spec;
        let node = snapshot::parse(br#"{"flags": {"cpu.cpuid": {"elements": {"AVX2": {}}}}}"#)
            .expect("snapshot parses")
            .remove(0);
        let evaluation = rules::evaluate(&spec, &node.features, &Options::default());
        let build_from = |origin: Origin, warnings: Vec<Warning>| {
            build(&spec, &evaluation, &node.features, origin, warnings)
        };
        let first = Origin {
            spec: "spec.yaml".to_owned(),
            features: "snapshot nodes.json".to_owned(),
            node: Some("nodes[0]".to_owned()),
            image: None,
        };
        let second = Origin {
            spec: "other.yaml".to_owned(),
            features: "snapshot other.json".to_owned(),
            node: None,
            image: None,
        };
        let warnings = || vec![Warning::new(Topic::Spec, "a warning")];
        assert_eq!(
            build_from(first, Vec::new()).with_origin(second.clone(), warnings()),
            build_from(second, warnings())
        );
    }
}

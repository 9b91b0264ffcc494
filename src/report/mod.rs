//! The report: one model of a validation, rendered several ways.
//!
//! [`build`] turns a spec, its [`Evaluation`] and the node's [`Features`] into a [`Report`]:
//! the verdict, the best matching set, and per expression what the node actually has with a
//! hint where one is known. Renderers are pure functions of the report: [`table`] (the human
//! view), [`json`] (the rich JSON or YAML document) and [`nfd`] (NFD's `--output-json` shape).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::features::Features;
use crate::registry::LookupPath;
use crate::rules::{Evaluation, ExprResult, Observed, Outcome};
use crate::spec::{Expr, Spec, Term};

pub mod ci;
mod hints;
pub mod json;
pub mod listing;
pub mod nfd;
pub mod table;

/// The answer to "will the image run on this node?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// At least one evaluated set has all its rules matched.
    Compatible,
    /// No evaluated set has all its rules matched.
    Incompatible,
    /// Something could not be evaluated; the answer is not trustworthy.
    Error,
}

/// A whole validation of one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// The node's name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Where the spec came from (a file, `-`, an image).
    pub spec: String,
    /// Where the features came from (discovery under a host root, or a snapshot).
    pub features: String,
    /// The image and artifact the spec came from, when fetched from a registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageInfo>,
    /// The best matching set: highest weight, first on ties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_set: Option<BestSet>,
    /// The evaluated sets, in spec order.
    pub sets: Vec<SetReport>,
    /// Errors that make the verdict `error`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Warnings from loading the spec and discovering the node.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The spec's file, when it came from one (for annotations that point into it).
    #[serde(skip)]
    pub spec_file: Option<String>,
}

/// The image and compatibility artifact a spec was fetched from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageInfo {
    /// The image, normalised (`docker.io/library/app:v1`).
    pub reference: String,
    /// The digest the reference resolved to.
    pub digest: String,
    /// The manifest carrying the artifact, when not the one the reference resolved to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_manifest: Option<String>,
    /// The platform of that manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The artifact's digest.
    pub artifact: String,
    /// The artifact's creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// How many compatibility artifacts are attached.
    pub artifacts_attached: usize,
    /// How the artifact was found (`referrersApi` or `tagSchema` in JSON).
    pub lookup: LookupPath,
    /// HTTP requests made.
    pub requests: u32,
}

/// Which set won.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BestSet {
    /// Its number in the report (1-based).
    pub number: usize,
    /// Its weight.
    pub weight: i64,
    /// Its tag.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tag: String,
    /// Its description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// One evaluated compatibility set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetReport {
    /// Its number among the evaluated sets (1-based, as NFD numbers them).
    pub number: usize,
    /// Its index in the spec's `compatibilities`.
    #[serde(skip)]
    pub index: usize,
    /// Its description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Its weight.
    pub weight: i64,
    /// Its tag.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tag: String,
    /// Whether all its rules matched.
    pub is_match: bool,
    /// Whether the spec had no `rules` key (NFD then reports `"rules": null`).
    #[serde(skip)]
    pub rules_absent: bool,
    /// Its rules.
    pub rules: Vec<RuleReport>,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleReport {
    /// Its name.
    pub name: String,
    /// Whether it matched.
    pub is_match: bool,
    /// Its `matchFeatures` expressions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_features: Vec<ExprReport>,
    /// Its `matchAny` alternatives.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_any: Vec<AnyReport>,
    /// The vars it contributed to `rule.matched`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
    /// Errors not tied to one expression.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// The rule's line in the spec file, when known.
    #[serde(skip)]
    pub line: Option<usize>,
}

/// One `matchAny` alternative.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnyReport {
    /// Whether all its terms matched.
    pub is_match: bool,
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
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
        }
    }
}

/// One expression with what the node has.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExprReport {
    /// The feature as written in the spec.
    pub feature: String,
    /// The element name; empty for a `matchName`.
    pub name: String,
    /// `matchExpression` or `matchName` (NFD's matcher types).
    pub matcher_type: &'static str,
    /// The expression as written.
    pub expression: ExpressionOut,
    /// NFD's `MatchExpression.String()` of it, as NFD's table prints it.
    #[serde(skip)]
    pub expression_text: String,
    /// Whether it held.
    pub status: Status,
    /// What the node has, in words.
    pub node_has: String,
    /// For instance features: the indexes of the instances that satisfied it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching_instances: Option<Vec<usize>>,
    /// Advice, when a likely cause is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Why it could not be evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ExprReport {
    /// The feature column of NFD's table: `feature.name`, or the feature for a `matchName`.
    pub fn qualified_name(&self) -> String {
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
    pub op: &'static str,
    /// The values (omitted when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub value: Vec<String>,
    /// The type (omitted when empty).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
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
    pub spec: String,
    /// The features' origin.
    pub features: String,
    /// The node's name.
    pub node: Option<String>,
    /// The image, when the spec came from a registry.
    pub image: Option<ImageInfo>,
}

/// The best matching set: the highest weight, the first of equal weights (sets are numbered
/// from 1 in evaluation order).
pub fn best_set(spec: &Spec, evaluation: &Evaluation) -> Option<BestSet> {
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
pub fn build(
    spec: &Spec,
    evaluation: &Evaluation,
    features: &Features,
    origin: Origin,
    warnings: Vec<String>,
) -> Report {
    build_with(spec, evaluation, features, origin, warnings, Detail::Full)
}

/// Builds the report of one node with `detail`.
pub fn build_with(
    spec: &Spec,
    evaluation: &Evaluation,
    features: &Features,
    origin: Origin,
    warnings: Vec<String>,
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
                        e.expression_text
                    ));
                }
            }
            for err in &rule_eval.errors {
                errors.push(format!("set #{} rule `{}`: {err}", n + 1, rule.name));
            }
            rules.push(RuleReport {
                name: rule.name.clone(),
                is_match: rule_eval.is_match,
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
            rules_absent: set.rules.is_none(),
            rules,
        });
    }
    let best_set = best_set(spec, evaluation);
    if sets.is_empty() {
        errors.push("no compatibility set was evaluated".to_owned());
    }
    let verdict = if !errors.is_empty() {
        Verdict::Error
    } else if best_set.is_some() {
        Verdict::Compatible
    } else {
        Verdict::Incompatible
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
    /// Records where each rule starts in the spec file (`positions` as the loader gives them).
    pub fn locate(
        &mut self,
        file: &str,
        positions: &std::collections::HashMap<String, crate::spec::Pos>,
    ) {
        self.spec_file = Some(file.to_owned());
        for set in &mut self.sets {
            for (r, rule) in set.rules.iter_mut().enumerate() {
                rule.line = positions
                    .get(&format!("compatibilities[{}].rules[{r}]", set.index))
                    .map(|p| p.line);
            }
        }
    }
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
        None => (term.match_name.as_ref(), "matchName", String::new()),
    };
    let (expression, expression_text) = match expr {
        Some(e) => (ExpressionOut::from(e), e.nfd_string()),
        None => (
            ExpressionOut {
                op: "",
                value: Vec::new(),
                value_type: None,
            },
            String::new(),
        ),
    };
    let (status, error) = match &result.outcome {
        Outcome::Match => (Status::Ok, None),
        Outcome::NoMatch => (Status::Fail, None),
        Outcome::Error(e) => (Status::Error, Some(e.clone())),
    };
    let (matching_instances, explained) = match detail {
        Detail::Outcome => (
            None,
            hints::Explained {
                node_has: String::new(),
                hint: None,
            },
        ),
        Detail::Full => (
            match &result.observed {
                Observed::Instances { matching, .. } => Some(matching.clone()),
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
    ExprReport {
        feature: term.feature.clone(),
        name,
        matcher_type,
        expression,
        expression_text,
        status,
        node_has: explained.node_has,
        matching_instances,
        hint: explained.hint,
        error,
    }
}

//! Why a node is incompatible, in words that group: one cause per failing expression.
//!
//! A cause is normalised so that the same shortfall on different nodes reads the same: it
//! names the feature, the element and the expression, never the node's own value
//! (`kernel.loadedmodule vfio_pci missing`, `pci.device vendor In [10de]: no matching
//! instance`, `kernel.version major Ge [6]: not satisfied`). Causes are taken from the
//! *best-failing* set: the evaluated set with the fewest failed rules (the highest weight, then
//! the first, on ties), that is, the set the node came closest to. All its failed rules
//! contribute, in spec order.

use crate::rules::{Evaluation, ExprResult, Observed, Outcome, RuleEvaluation, SetEvaluation};
use crate::spec::{Expr, Spec, Term};

/// The best-failing set of an evaluation, or `None` when a set matched or none was evaluated.
pub(crate) fn best_failing(spec: &Spec, evaluation: &Evaluation) -> Option<usize> {
    if evaluation.sets.iter().any(SetEvaluation::is_match) {
        return None;
    }
    let mut best: Option<(usize, usize, i64)> = None;
    for (n, set) in evaluation.sets.iter().enumerate() {
        let failed = set.rules.iter().filter(|r| !r.is_match).count();
        let weight = spec.compatibilities[set.index].weight;
        let better = match best {
            None => true,
            Some((_, f, w)) => failed < f || (failed == f && weight > w),
        };
        if better {
            best = Some((n, failed, weight));
        }
    }
    best.map(|(n, _, _)| n)
}

/// The causes of the evaluated set number `n` (an index into `evaluation.sets`).
pub(crate) fn causes(spec: &Spec, evaluation: &Evaluation, n: usize) -> Vec<String> {
    let set_eval = &evaluation.sets[n];
    let rules = spec.compatibilities[set_eval.index]
        .rules
        .as_deref()
        .unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    for rule_eval in set_eval.rules.iter().filter(|r| !r.is_match) {
        let rule = &rules[rule_eval.index];
        let before = out.len();
        terms(&rule.match_features, &rule_eval.match_features, &mut out);
        if !rule.match_any.is_empty() && !rule_eval.match_any.iter().any(|a| a.is_match) {
            out.push(format!(
                "rule `{}`: none of {} matchAny alternatives matched",
                rule.name,
                rule.match_any.len()
            ));
        }
        if out.len() == before {
            out.push(fallback(rule_eval, &rule.name));
        }
    }
    out.dedup();
    out
}

fn fallback(rule_eval: &RuleEvaluation, name: &str) -> String {
    if rule_eval.errors.is_empty() {
        format!("rule `{name}` did not match")
    } else {
        format!("rule `{name}`: cannot be evaluated")
    }
}

fn terms(terms: &[Term], results: &[ExprResult], out: &mut Vec<String>) {
    for r in results {
        if r.outcome == Outcome::Match {
            continue;
        }
        let term = &terms[r.term];
        let expr = match &r.key {
            Some(k) => term.match_expressions.as_ref().and_then(|m| m.get(k)),
            None => term.match_name.as_deref(),
        };
        out.push(describe(term, r, expr));
    }
    // An instance term can fail although each expression holds on some instance.
    let mut seen_terms: Vec<usize> = Vec::new();
    for r in results {
        if !r.term_matched
            && matches!(r.observed, Observed::Instances { .. })
            && !seen_terms.contains(&r.term)
            && results
                .iter()
                .filter(|x| x.term == r.term)
                .all(|x| x.outcome == Outcome::Match)
        {
            seen_terms.push(r.term);
            out.push(format!(
                "{}: no single instance matches all expressions",
                terms[r.term].feature
            ));
        }
    }
}

fn expression(expr: Option<&Expr>) -> String {
    match expr {
        None => String::new(),
        Some(e) if e.value.is_empty() => e.op.as_str().to_owned(),
        Some(e) => format!("{} [{}]", e.op.as_str(), e.value.join(", ")),
    }
}

fn describe(term: &Term, r: &ExprResult, expr: Option<&Expr>) -> String {
    let feature = &term.feature;
    let Some(key) = &r.key else {
        return format!("{feature} name {}: no matching element", expression(expr));
    };
    let op = expr.map(|e| e.op.as_str()).unwrap_or_default();
    if let Outcome::Error(_) = r.outcome {
        return format!("{feature} {key} {}: cannot be evaluated", expression(expr));
    }
    match &r.observed {
        Observed::FeatureMissing => format!("{feature}: no such feature"),
        Observed::Element { flag, value } => {
            let present = *flag || value.is_some();
            match op {
                "DoesNotExist" => format!("{feature} {key} present"),
                _ if !present => format!("{feature} {key} missing"),
                _ => format!("{feature} {key} {}: not satisfied", expression(expr)),
            }
        }
        Observed::Instances { total: 0, .. } => format!("{feature}: no instances"),
        Observed::Instances { .. } => {
            format!("{feature} {key} {}: no matching instance", expression(expr))
        }
        Observed::Names { .. } | Observed::NotEvaluated => {
            format!("{feature} {key} {}: not satisfied", expression(expr))
        }
    }
}

//! What the node has for an expression, in words, and advice for likely mistakes.

use std::collections::{BTreeMap, HashMap};

use crate::features::Features;
use crate::rules::Observed;
use crate::sources::pci;
use crate::spec::{Expr, Term, nearest_name, shorten};

use super::{NodeHas, Status};

/// The explanation of one expression.
pub(super) struct Explained {
    /// What the node has.
    pub(super) node_has: NodeHas,
    /// Advice, when a likely cause is known.
    pub(super) hint: Option<String>,
}

/// How many distinct values or names to list before "…".
const LIST_MAX: usize = 5;
/// How many distinct instance values to list before "…".
const INSTANCE_VALUES_MAX: usize = 3;

/// What the explanations of one node's report share: the parts that depend only on the node
/// and a feature's element, which many expressions ask about (a spec of a thousand rules
/// names the same few PCI attributes and modules again and again).
#[derive(Debug, Default)]
pub(super) struct Memo {
    /// [`missing_element_hint`] by feature and element name.
    missing: HashMap<(String, String), Option<String>>,
    /// [`instance_summary`] by feature and attribute.
    summaries: HashMap<(String, String), String>,
    /// The hint for a feature the node does not have, by feature.
    missing_features: HashMap<String, Option<String>>,
}

pub(super) fn explain(
    term: &Term,
    key: Option<&str>,
    expr: Option<&Expr>,
    observed: &Observed,
    status: Status,
    features: &Features,
    memo: &mut Memo,
) -> Explained {
    let mut explained = explain_observed(term, key, expr, observed, status, features, memo);
    // A value NFD reads differently means NFD may answer differently: say so, whatever the
    // outcome here.
    if let Some(e) = expr.filter(|e| !e.yaml11.is_empty()) {
        let reads: Vec<String> = e
            .yaml11
            .iter()
            .map(|(v, r)| format!("`{v}` as `{r}`"))
            .collect();
        let note = format!(
            "NFD (YAML 1.1) reads unquoted {}; quote the value so NFD compares what you wrote",
            reads.join(", ")
        );
        explained.hint = Some(match explained.hint {
            Some(h) => format!("{h}; {note}"),
            None => note,
        });
    }
    explained
}

fn explain_observed(
    term: &Term,
    key: Option<&str>,
    expr: Option<&Expr>,
    observed: &Observed,
    status: Status,
    features: &Features,
    memo: &mut Memo,
) -> Explained {
    let feature = term.feature_key();
    match observed {
        Observed::FeatureMissing => {
            let hint = memo
                .missing_features
                .entry(feature.to_string())
                .or_insert_with(|| {
                    nearest_name(&feature, features.keys()).map(|k| {
                        format!("the node has no feature `{feature}`; did you mean `{k}`?")
                    })
                })
                .clone();
            Explained {
                node_has: NodeHas::Words("no such feature on this node".into()),
                hint,
            }
        }
        Observed::NotEvaluated => Explained {
            node_has: NodeHas::Words(
                "not evaluated: the term's matchExpressions did not all match".into(),
            ),
            hint: None,
        },
        Observed::Names { matching } => {
            let count = element_count(features, &feature);
            let node_has = if matching.is_empty() {
                format!("no name matches among {count} elements")
            } else {
                format!(
                    "matched: {}",
                    list(matching.iter().map(String::as_str), matching.len())
                )
            };
            Explained {
                node_has: NodeHas::Words(node_has),
                hint: None,
            }
        }
        Observed::Element { flag, value } => {
            let node_has = match (flag, value) {
                (true, Some(v)) => NodeHas::PresentWithValue(shorten(v, 60)),
                (true, None) => NodeHas::Words("present".into()),
                (false, Some(v)) => NodeHas::Value(shorten(v, 60)),
                (false, None) => NodeHas::Words("absent".into()),
            };
            let hint = match (key, status) {
                (Some(key), Status::Fail | Status::Error) if !flag && value.is_none() => memo
                    .missing
                    .entry((feature.to_string(), key.to_owned()))
                    .or_insert_with(|| missing_element_hint(&feature, key, features))
                    .clone(),
                (Some(key), Status::Fail) => value
                    .as_deref()
                    .and_then(|v| value_hint(&feature, key, v, expr)),
                _ => None,
            };
            Explained { node_has, hint }
        }
        Observed::Instances { total, matching } => {
            let node_has = match key {
                _ if *total == 0 => "no instances".to_owned(),
                Some(_) if status == Status::Ok => {
                    format!("{} of {total} instances", matching.count())
                }
                Some(key) => {
                    let summary = memo
                        .summaries
                        .entry((feature.to_string(), key.to_owned()))
                        .or_insert_with(|| instance_summary(features, &feature, key));
                    format!("{} of {total} instances{summary}", matching.count())
                }
                None => format!("{total} instances"),
            };
            Explained {
                node_has: NodeHas::Words(node_has),
                hint: None,
            }
        }
    }
}

/// Advice for an element the node does not have.
fn missing_element_hint(feature: &str, key: &str, features: &Features) -> Option<String> {
    let names = element_names(features, feature);
    if feature == "kernel.loadedmodule" || feature == "kernel.enabledmodule" {
        let underscored = key.replace('-', "_");
        if underscored != key && has_element(features, feature, &underscored) {
            return Some(format!(
                "the kernel lists module names with underscores: `{underscored}` is there; write `{underscored}`"
            ));
        }
        if feature == "kernel.loadedmodule" {
            let builtin = "kernel.enabledmodule";
            if has_element(features, builtin, key) || has_element(features, builtin, &underscored) {
                return Some(format!(
                    "`{key}` is built into the kernel, so it is never listed as loaded; match `kernel.enabledmodule` instead"
                ));
            }
        }
    }
    if let Some(same) = names.iter().find(|n| n.eq_ignore_ascii_case(key)) {
        return Some(format!("names are case-sensitive: the node has `{same}`"));
    }
    nearest_name(key, names.iter().copied())
        .map(|n| format!("the node has no `{key}`; did you mean `{n}`?"))
}

/// Advice for an attribute value that did not satisfy the expression.
fn value_hint(feature: &str, key: &str, value: &str, expr: Option<&Expr>) -> Option<String> {
    let expr = expr?;
    if feature == "kernel.version" && key == "full" && expr.op.is_ordering() {
        return Some(
            "compare `major`, `minor` and `revision` instead: `full` carries distribution suffixes"
                .into(),
        );
    }
    expr.value
        .iter()
        .find(|v| v.eq_ignore_ascii_case(value) && *v != value)
        .map(|v| format!("values are case-sensitive: the node has `{value}`, the spec says `{v}`"))
}

/// A feature's flag and attribute sets, where present.
fn element_sets<'a>(
    features: &'a Features,
    feature: &str,
) -> (
    Option<&'a std::collections::BTreeSet<String>>,
    Option<&'a BTreeMap<String, String>>,
) {
    let flags = features
        .flags
        .get(feature)
        .and_then(|f| f.elements.as_ref());
    let attributes = features
        .attributes
        .get(feature)
        .and_then(|a| a.elements.as_ref());
    (flags, attributes)
}

/// Whether a feature has the flag or attribute `name`, looked up where it is stored.
fn has_element(features: &Features, feature: &str, name: &str) -> bool {
    let (flags, attributes) = element_sets(features, feature);
    flags.is_some_and(|f| f.contains(name)) || attributes.is_some_and(|a| a.contains_key(name))
}

/// How many element names [`element_names`] gives, without listing them when the sets say.
fn element_count(features: &Features, feature: &str) -> usize {
    if features.instances.contains_key(feature) {
        return element_names(features, feature).len();
    }
    let (flags, attributes) = element_sets(features, feature);
    flags.map_or(0, std::collections::BTreeSet::len) + attributes.map_or(0, BTreeMap::len)
}

/// Every element name of a feature (flags and attributes).
fn element_names<'a>(features: &'a Features, feature: &str) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    if let Some(e) = features
        .flags
        .get(feature)
        .and_then(|f| f.elements.as_ref())
    {
        names.extend(e.iter().map(String::as_str));
    }
    if let Some(e) = features
        .attributes
        .get(feature)
        .and_then(|f| f.elements.as_ref())
    {
        names.extend(e.keys().map(String::as_str));
    }
    if let Some(e) = features
        .instances
        .get(feature)
        .and_then(|f| f.elements.as_ref())
    {
        let mut keys: Vec<&str> = e.iter().flat_map(|i| i.attributes.keys()).collect();
        keys.sort_unstable();
        keys.dedup();
        names.extend(keys);
    }
    names
}

/// What follows "2 of 7 instances" (the same for every expression on the attribute):
/// "; vendor: 10de ×2 (NVIDIA Corporation), …".
fn instance_summary(features: &Features, feature: &str, key: &str) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut missing = 0;
    for instance in features
        .instances
        .get(feature)
        .and_then(|f| f.elements.as_ref())
        .into_iter()
        .flatten()
    {
        match instance.attributes.get(key) {
            Some(v) => *counts.entry(v).or_default() += 1,
            None => missing += 1,
        }
    }
    // The most common values first (what the node mostly has), the smaller value first among
    // equals: only the first few are shown, so only they are put in order.
    let mut by_count: Vec<(&str, usize)> = counts.iter().map(|(v, n)| (*v, *n)).collect();
    let order = |a: &(&str, usize), b: &(&str, usize)| b.1.cmp(&a.1).then(a.0.cmp(b.0));
    if by_count.len() > INSTANCE_VALUES_MAX {
        by_count.select_nth_unstable_by(INSTANCE_VALUES_MAX, order);
        by_count.truncate(INSTANCE_VALUES_MAX);
    }
    by_count.sort_unstable_by(order);
    let mut values: Vec<String> = by_count
        .iter()
        .map(|(v, n)| {
            let mut s = shorten(v, 40);
            if *n > 1 {
                s.push_str(&format!(" ×{n}"));
            }
            if let Some(name) = pci_name(feature, key, v) {
                s.push_str(&format!(" ({name})"));
            }
            s
        })
        .collect();
    if counts.len() > INSTANCE_VALUES_MAX {
        values.push(format!("… {} more", counts.len() - INSTANCE_VALUES_MAX));
    }
    let mut out = String::new();
    if values.is_empty() {
        out.push_str(&format!("; none has `{key}`"));
    } else {
        out.push_str(&format!("; {key}: {}", values.join(", ")));
        if missing > 0 {
            out.push_str(&format!("; {missing} without `{key}`"));
        }
    }
    out
}

/// The pci.ids name of a PCI vendor or class value.
fn pci_name(feature: &str, key: &str, value: &str) -> Option<&'static str> {
    if feature != "pci.device" {
        return None;
    }
    match key {
        "vendor" | "subsystem_vendor" => pci::vendor_name(value),
        "class" => pci::subclass_name(value),
        _ => None,
    }
}

/// `items` joined with ", ", cut after [`LIST_MAX`] with a count of the rest.
fn list<'a>(items: impl Iterator<Item = &'a str>, len: usize) -> String {
    let mut out: Vec<&str> = items.take(LIST_MAX).collect();
    let rest = len.saturating_sub(out.len());
    let more;
    if rest > 0 {
        more = format!("… {rest} more");
        out.push(&more);
    }
    out.join(", ")
}

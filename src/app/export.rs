//! `export`: what discovery finds, as NFD's Features object; a spec as NFD objects
//! (NodeFeatureGroups, a NodeFeatureRule) for NFD's master to evaluate in the cluster.
//!
//! NFD's master reads the rules of one object in order and feeds each matched rule's vars
//! (and, for a NodeFeatureRule, its labels) forward in `rule.matched`. A node joins a
//! NodeFeatureGroup when ANY of its `featureGroupRules` matches, while a compatibility set
//! needs ALL its rules. So a set is exported as ONE rule: the terms of all its rules together,
//! and the `matchAny` lists of its rules multiplied out (one alternative per way of picking
//! one element from each list). What such a rule cannot carry (a `varsTemplate`, a
//! `rule.matched` back-reference, too many alternatives) is refused for a NodeFeatureGroup;
//! a NodeFeatureRule then keeps the spec's rules apart and marks each matched one in
//! `rule.matched` instead (README, "One node, a fleet, or the whole cluster").

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

use super::discover::discover;
use super::settings::{ExportFeatures, ExportGroup, ExportRule, ExportSpec, SpecInput};
use super::validate::{SpecSource, check_tags, spec_source};
use super::{ExitStatus, Printer, write_output};
use crate::cli::DataFormat;
use crate::report::{self, ExpressionOut};
use crate::rules;
use crate::sources::Wanted;
use crate::spec::{Compatibility, Expr, GroupRule, Op, Term};

/// `export features`.
pub(crate) fn features(args: &ExportFeatures, printer: Printer) -> Result<ExitStatus> {
    let found = discover(&args.discovery, Wanted::All)?;
    printer.warn_all(&found.warnings);
    let features = found.features;
    let mut text = Vec::new();
    match args.output {
        DataFormat::Json => {
            let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut ser = serde_json::Serializer::with_formatter(&mut text, formatter);
            serde::Serialize::serialize(&features, &mut ser)?;
            let escaped = report::nfd::go_html_escape(&String::from_utf8(text)?);
            text = escaped.into_bytes();
            text.push(b'\n');
        }
        DataFormat::Yaml => report::json::render_yaml(&features, &mut text)?,
    }
    write_output(printer, args.path.as_deref(), &text)?;
    Ok(ExitStatus::Success)
}

/// The API version of NFD's objects.
const NFD_API: &str = "nfd.k8s-sigs.io/v1alpha1";
/// The DNS subdomain under which this project names the labels and annotations it writes
/// (README, "Names"): the GitHub Pages domain of the project's own GitHub organisation.
pub(crate) const PREFIX: &str = "nfd-compat.github.io";
/// The feature that carries earlier rules' vars (NFD's back-references).
const RULE_MATCHED: &str = "rule.matched";
/// At most this many `matchAny` alternatives in one exported rule.
pub(crate) const MAX_ALTERNATIVES: usize = 256;

/// The spec of an export command, its selected sets, and the objects' base name.
struct Exported {
    source: SpecSource,
    sets: Vec<Selected>,
    base: String,
}

/// A compatibility set chosen for export.
struct Selected {
    /// Its number among the selected sets (1-based, as validate-node numbers them).
    number: usize,
    /// Its index in the spec's `compatibilities`.
    index: usize,
    set: Compatibility,
}

fn exported(args: &ExportSpec, printer: Printer) -> Result<Exported> {
    let mut warnings = Vec::new();
    let source = spec_source(&args.spec, &mut warnings, printer)?;
    printer.warn_all(&warnings);
    check_tags(&source.spec, &source.name, &args.tags)?;
    let options = rules::Options {
        tags: args.tags.clone(),
        ..rules::Options::default()
    };
    let sets: Vec<Selected> = source
        .spec
        .compatibilities
        .iter()
        .enumerate()
        .filter(|(_, c)| options.selects(c))
        .enumerate()
        .map(|(n, (index, set))| Selected {
            number: n + 1,
            index,
            set: set.clone(),
        })
        .collect();
    if sets.is_empty() {
        bail!("{} has no compatibility sets to export", source.name);
    }
    let spec_file = match &args.spec {
        SpecInput::File(path) => Some(path),
        SpecInput::Image { .. } => None,
    };
    let base = match (&args.name, &source.image, spec_file) {
        // Checked with the settings.
        (Some(name), _, _) => name.clone(),
        (None, Some(image), _) => {
            let repo = image
                .reference
                .rsplit('/')
                .next()
                .unwrap_or(&image.reference);
            dns_label(&repo.replace([':', '@', '.', '_'], "-"))
        }
        (None, None, Some(path)) if path != Path::new("-") => dns_label(
            &path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .replace(['.', '_'], "-"),
        ),
        _ => String::new(),
    };
    let base = if base.is_empty() {
        "image-compatibility".to_owned()
    } else {
        base
    };
    Ok(Exported { source, sets, base })
}

/// Lower-cases and keeps `[a-z0-9-]`, trimmed of `-`, at most 52 characters (an object name
/// and a label name part both fit with a suffix).
pub(crate) fn dns_label(s: &str) -> String {
    let lowered: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut out = String::new();
    for c in lowered.chars() {
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    out.truncate(52);
    out.trim_end_matches('-').to_owned()
}

fn expr_json(e: &Expr, place: &str) -> Result<Value> {
    if e.op == Op::Any {
        bail!(
            "`{place}`: op `\"\"` (match anything) is not accepted by NFD's CRDs; remove the expression or use `Exists`"
        );
    }
    Ok(serde_json::to_value(ExpressionOut::from(e))?)
}

/// One term in NFD's `FeatureMatcherTerm` shape; `place` is where it is in the spec.
fn term_json(t: &Term, place: &str) -> Result<Value> {
    let mut m = Map::new();
    m.insert("feature".to_owned(), json!(t.feature));
    if let Some(exprs) = &t.match_expressions {
        let mut e = Map::new();
        for (k, expr) in exprs {
            e.insert(
                k.clone(),
                expr_json(expr, &format!("{place}.matchExpressions.{k}"))?,
            );
        }
        m.insert("matchExpressions".to_owned(), Value::Object(e));
    }
    if let Some(name) = &t.match_name {
        m.insert(
            "matchName".to_owned(),
            expr_json(name, &format!("{place}.matchName"))?,
        );
    }
    Ok(Value::Object(m))
}

/// Terms with their places in the spec.
type Placed<'s> = Vec<(String, &'s Term)>;

fn terms_json(terms: &Placed<'_>) -> Result<Value> {
    terms
        .iter()
        .map(|(place, t)| term_json(t, place))
        .collect::<Result<Vec<_>>>()
        .map(Value::Array)
}

fn placed<'s>(terms: &'s [Term], place: &str) -> Placed<'s> {
    terms
        .iter()
        .enumerate()
        .map(|(j, t)| (format!("{place}[{j}]"), t))
        .collect()
}

/// A compatibility set as one rule: it matches exactly when every rule of the set matches.
struct Combined<'s> {
    /// The `matchFeatures` of all rules, in rule order.
    match_features: Placed<'s>,
    /// One alternative per combination of one element from each rule's `matchAny` (a list
    /// with an element without terms always matches and is left out); empty: no `matchAny`.
    match_any: Vec<Placed<'s>>,
    /// The rules' static vars, later rules winning (nothing in the spec reads them).
    vars: BTreeMap<String, String>,
    /// How the rule was built, for the objects' annotation.
    how: String,
}

/// Combines the rules of `sel` into one rule; the error says why it cannot be done, naming
/// the rule.
fn combine(sel: &Selected) -> std::result::Result<Combined<'_>, String> {
    let rules = sel.set.rules.as_deref().unwrap_or_default();
    let mut match_features = Vec::new();
    let mut vars = BTreeMap::new();
    let mut lists: Vec<(String, &GroupRule)> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let place = format!("compatibilities[{}].rules[{i}]", sel.index);
        if rule.vars_template.is_some() {
            return Err(format!(
                "`{place}` (`{}`) has a `varsTemplate`, whose vars only rules kept apart can pass on",
                rule.name
            ));
        }
        if rule.terms().any(|t| t.feature_key() == RULE_MATCHED) {
            return Err(format!(
                "`{place}` (`{}`) reads `rule.matched`, which needs the rules before it kept apart",
                rule.name
            ));
        }
        match_features.extend(placed(
            &rule.match_features,
            &format!("{place}.matchFeatures"),
        ));
        vars.extend(rule.vars.iter().map(|(k, v)| (k.clone(), v.clone())));
        if !rule.match_any.is_empty() && rule.match_any.iter().all(|a| !a.match_features.is_empty())
        {
            lists.push((place, rule));
        }
    }
    let count = lists
        .iter()
        .try_fold(1_usize, |n, (_, r)| n.checked_mul(r.match_any.len()))
        .filter(|n| *n <= MAX_ALTERNATIVES);
    let Some(count) = count else {
        let sizes: Vec<String> = lists
            .iter()
            .map(|(p, r)| format!("`{p}` ({})", r.match_any.len()))
            .collect();
        return Err(format!(
            "set #{}: the `matchAny` lists of {} make more than {MAX_ALTERNATIVES} combinations",
            sel.number,
            sizes.join(", ")
        ));
    };
    let mut match_any: Vec<Placed<'_>> = Vec::new();
    if !lists.is_empty() {
        match_any.push(Vec::new());
        for (place, rule) in &lists {
            let mut next = Vec::with_capacity(match_any.len() * rule.match_any.len());
            for alternative in &match_any {
                for (k, element) in rule.match_any.iter().enumerate() {
                    let mut a = alternative.clone();
                    a.extend(placed(
                        &element.match_features,
                        &format!("{place}.matchAny[{k}].matchFeatures"),
                    ));
                    next.push(a);
                }
            }
            match_any = next;
        }
    }
    let plural = |n: usize, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    let mut how = format!(
        "compatibilities[{}]: {} as one rule; matchFeatures = all their terms ({})",
        sel.index,
        plural(rules.len(), "rule"),
        match_features.len()
    );
    if lists.is_empty() {
        how.push_str("; no matchAny");
    } else {
        let names: Vec<String> = lists
            .iter()
            .map(|(_, r)| format!("`{}`: {}", r.name, r.match_any.len()))
            .collect();
        let _ = write!(
            how,
            "; matchAny = one alternative per pick of an element from each rule's matchAny ({}), {}",
            names.join(", "),
            plural(count, "alternative")
        );
    }
    Ok(Combined {
        match_features,
        match_any,
        vars,
        how,
    })
}

/// A combined rule in NFD's `GroupRule` shape (also the matching part of a NodeFeatureRule's
/// rule).
fn combined_json(c: &Combined<'_>, name: &str) -> Result<Map<String, Value>> {
    let mut m = Map::new();
    m.insert("name".to_owned(), json!(name));
    if !c.vars.is_empty() {
        m.insert("vars".to_owned(), json!(c.vars));
    }
    if !c.match_features.is_empty() {
        m.insert("matchFeatures".to_owned(), terms_json(&c.match_features)?);
    }
    if !c.match_any.is_empty() {
        let any = c
            .match_any
            .iter()
            .map(|a| Ok(json!({ "matchFeatures": terms_json(a)? })))
            .collect::<Result<Vec<_>>>()?;
        m.insert("matchAny".to_owned(), Value::Array(any));
    }
    Ok(m)
}

/// A spec rule as it is, in NFD's rule shape, with `extra_vars` added to its vars.
fn rule_json(
    rule: &GroupRule,
    name: &str,
    extra_vars: &[(String, String)],
    place: &str,
) -> Result<Map<String, Value>> {
    let mut m = Map::new();
    m.insert("name".to_owned(), json!(name));
    let mut vars: Map<String, Value> = rule
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    for (k, v) in extra_vars {
        vars.insert(k.clone(), json!(v));
    }
    if !vars.is_empty() {
        m.insert("vars".to_owned(), Value::Object(vars));
    }
    if let Some(t) = &rule.vars_template {
        m.insert("varsTemplate".to_owned(), json!(t.source()));
    }
    if !rule.match_features.is_empty() {
        m.insert(
            "matchFeatures".to_owned(),
            terms_json(&placed(
                &rule.match_features,
                &format!("{place}.matchFeatures"),
            ))?,
        );
    }
    if !rule.match_any.is_empty() {
        let mut any = Vec::new();
        for (i, a) in rule.match_any.iter().enumerate() {
            let terms = placed(
                &a.match_features,
                &format!("{place}.matchAny[{i}].matchFeatures"),
            );
            any.push(json!({ "matchFeatures": terms_json(&terms)? }));
        }
        m.insert("matchAny".to_owned(), Value::Array(any));
    }
    Ok(m)
}

fn annotations(ex: &Exported, set: Option<&Selected>, how: &str) -> Map<String, Value> {
    let mut a = Map::new();
    let origin = match &ex.source.image {
        Some(i) => format!("{}@{} (artifact {})", i.reference, i.digest, i.artifact),
        None => ex.source.name.trim_matches('`').to_owned(),
    };
    a.insert(format!("{PREFIX}/source"), json!(origin));
    if let Some(sel) = set {
        a.insert(format!("{PREFIX}/set"), json!(sel.number.to_string()));
        if !sel.set.tag.is_empty() {
            a.insert(format!("{PREFIX}/tag"), json!(sel.set.tag));
        }
        a.insert(
            format!("{PREFIX}/weight"),
            json!(sel.set.weight.to_string()),
        );
        if !sel.set.description.is_empty() {
            a.insert(format!("{PREFIX}/description"), json!(sel.set.description));
        }
    }
    a.insert(format!("{PREFIX}/built-from"), json!(how));
    a
}

fn print_objects(printer: Printer, objects: &[Value], format: DataFormat) -> Result<ExitStatus> {
    let mut text = Vec::new();
    match format {
        DataFormat::Yaml => {
            for o in objects {
                text.extend_from_slice(b"---\n");
                report::json::render_yaml(o, &mut text)?;
            }
        }
        DataFormat::Json => {
            let list = json!({"apiVersion": "v1", "kind": "List", "items": objects});
            serde_json::to_writer_pretty(&mut text, &list)?;
            text.push(b'\n');
        }
    }
    let mut out = printer.stdout();
    out.write_all(&text)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `export nodefeaturegroup`: one NodeFeatureGroup per compatibility set, with one
/// `featureGroupRule` that matches exactly when the whole set does.
pub(crate) fn node_feature_group(args: &ExportGroup, printer: Printer) -> Result<ExitStatus> {
    let ex = exported(&args.source, printer)?;
    let mut objects = Vec::new();
    for sel in &ex.sets {
        let combined = match combine(sel) {
            Ok(c) => c,
            Err(why) => bail!(
                "cannot export set #{} as a NodeFeatureGroup: {why}; NFD's master would put a node into the group when ANY featureGroupRule matches, so use `export nodefeaturerule` (which keeps the rules apart), or select other sets with --tags",
                sel.number
            ),
        };
        let rule = combined_json(&combined, &format!("{} set {}", ex.base, sel.number))?;
        let mut metadata = Map::new();
        metadata.insert(
            "name".to_owned(),
            json!(format!("{}-set{}", ex.base, sel.number)),
        );
        if let Some(ns) = &args.namespace {
            metadata.insert("namespace".to_owned(), json!(ns));
        }
        metadata.insert(
            "annotations".to_owned(),
            Value::Object(annotations(&ex, Some(sel), &combined.how)),
        );
        objects.push(json!({
            "apiVersion": NFD_API,
            "kind": "NodeFeatureGroup",
            "metadata": metadata,
            "spec": {"featureGroupRules": [rule]},
        }));
    }
    print_objects(printer, &objects, args.source.output)
}

/// `export nodefeaturerule`: one NodeFeatureRule that gives the labels to the nodes where
/// some compatibility set matches.
///
/// When every set can be combined into one rule, each set is one rule carrying the labels.
/// Otherwise (a `varsTemplate`, a `rule.matched` back-reference, too many alternatives) the
/// spec's rules are kept apart in spec order, as validate-node evaluates them, each also
/// setting a marker var `<prefix>/<name>-set<n>-rule<i>` when it matches, and a last rule
/// gives the labels when all markers of some set are in `rule.matched`.
pub(crate) fn node_feature_rule(args: &ExportRule, printer: Printer) -> Result<ExitStatus> {
    let ex = exported(&args.source, printer)?;
    let mut labels = Map::new();
    for (k, v) in &args.labels {
        labels.insert(k.clone(), json!(v));
    }
    if labels.is_empty() {
        labels.insert(format!("{PREFIX}/compatible-{}", ex.base), json!("true"));
    }
    let combined: std::result::Result<Vec<Combined<'_>>, String> =
        ex.sets.iter().map(combine).collect();
    let (rules, how) = match combined {
        Ok(sets) => {
            let mut rules = Vec::new();
            let mut how = Vec::new();
            for (sel, c) in ex.sets.iter().zip(&sets) {
                let mut rule = combined_json(c, &format!("{} set {}", ex.base, sel.number))?;
                rule.insert("labels".to_owned(), Value::Object(labels.clone()));
                rules.push(Value::Object(rule));
                how.push(format!("set #{}: {}", sel.number, c.how));
            }
            (
                rules,
                format!(
                    "one rule per compatibility set, each giving the labels: {}",
                    how.join("; ")
                ),
            )
        }
        Err(why) => (
            chained(&ex, labels)?,
            format!(
                "the spec's rules in order (because {why}), each marking itself in rule.matched when it matches; the last rule gives the labels when every rule of some set is marked"
            ),
        ),
    };
    let object = json!({
        "apiVersion": NFD_API,
        "kind": "NodeFeatureRule",
        "metadata": {"name": ex.base, "annotations": annotations(&ex, None, &how)},
        "spec": {"rules": rules},
    });
    print_objects(printer, &[object], args.source.output)
}

/// The spec's rules kept apart, each marking itself in `rule.matched`, then the labelling rule.
fn chained(ex: &Exported, labels: Map<String, Value>) -> Result<Vec<Value>> {
    let mut rules = Vec::new();
    let mut alternatives = Vec::new();
    let mut always = false;
    for sel in &ex.sets {
        let mut marks = Map::new();
        for (i, rule) in sel.set.rules.iter().flatten().enumerate() {
            let place = format!("compatibilities[{}].rules[{i}]", sel.index);
            // The markers are in `rule.matched` too; a `matchName` there would see them.
            if rule
                .terms()
                .any(|t| t.feature_key() == RULE_MATCHED && t.match_name.is_some())
            {
                bail!(
                    "`{place}` (`{}`): a `matchName` on `rule.matched` would also see the markers this export adds there; name the vars in `matchExpressions` instead",
                    rule.name
                );
            }
            let var = format!("{PREFIX}/{}-set{}-rule{}", ex.base, sel.number, i + 1);
            let name = format!("{} set {}: {}", ex.base, sel.number, rule.name);
            rules.push(Value::Object(rule_json(
                rule,
                &name,
                &[(var.clone(), "true".to_owned())],
                &place,
            )?));
            marks.insert(var, json!({"op": "IsTrue"}));
        }
        if marks.is_empty() {
            always = true;
        } else {
            alternatives.push(json!({"matchFeatures": [
                {"feature": RULE_MATCHED, "matchExpressions": marks}
            ]}));
        }
    }
    let mut last = Map::new();
    last.insert("name".to_owned(), json!(format!("{} compatible", ex.base)));
    last.insert("labels".to_owned(), Value::Object(labels));
    if !always {
        last.insert("matchAny".to_owned(), Value::Array(alternatives));
    }
    rules.push(Value::Object(last));
    Ok(rules)
}

/// Checks a node label against Kubernetes' syntax (an optional DNS-subdomain prefix and `/`,
/// a name of at most 63 characters; a value of at most 63) and what NFD's master accepts (a
/// prefix, and not one under `kubernetes.io` other than NFD's own).
pub(crate) fn check_label(key: &str, value: &str) -> std::result::Result<(), String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Err(why) = check_name(name) {
        return Err(format!("the key's name `{name}` {why}"));
    }
    let Some(prefix) = prefix else {
        return Err(format!(
            "the key has no prefix, and NFD's master would turn it into `feature.node.kubernetes.io/{key}`; write a prefix you own (e.g. `{PREFIX}/{key}`)"
        ));
    };
    if let Err(why) = check_subdomain(prefix) {
        return Err(format!("the key's prefix `{prefix}` {why}"));
    }
    let nfd_own = ["feature.node.kubernetes.io", "profile.node.kubernetes.io"]
        .iter()
        .any(|ns| prefix == *ns || prefix.ends_with(&format!(".{ns}")));
    if (prefix == "kubernetes.io" || prefix.ends_with(".kubernetes.io")) && !nfd_own {
        return Err(format!(
            "NFD's master drops labels under `{prefix}` (only `feature.node.kubernetes.io` and `profile.node.kubernetes.io` are allowed there); use a prefix you own (e.g. `{PREFIX}`)"
        ));
    }
    if !value.is_empty() {
        if let Err(why) = check_name(value) {
            return Err(format!("the value `{value}` {why}"));
        }
    }
    Ok(())
}

/// A label name or value: at most 63 characters, `[A-Za-z0-9]` at both ends and `-`, `_`, `.`
/// in between.
fn check_name(s: &str) -> std::result::Result<(), &'static str> {
    if s.is_empty() {
        return Err("is empty");
    }
    if s.len() > 63 {
        return Err("is longer than 63 characters");
    }
    let edge = |c: char| c.is_ascii_alphanumeric();
    if !s.starts_with(edge) || !s.ends_with(edge) {
        return Err("must start and end with a letter or digit");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("may contain only letters, digits, `-`, `_` and `.`");
    }
    Ok(())
}

/// A DNS subdomain (RFC 1123): at most 253 characters, dot-separated labels of lowercase
/// letters, digits and `-`, each starting and ending with a letter or digit.
fn check_subdomain(s: &str) -> std::result::Result<(), &'static str> {
    if s.is_empty() || s.len() > 253 {
        return Err("must be a DNS subdomain of 1 to 253 characters");
    }
    for part in s.split('.') {
        let edge = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        if part.is_empty()
            || part.len() > 63
            || !part.starts_with(edge)
            || !part.ends_with(edge)
            || !part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(
                "is not a DNS subdomain (lowercase letters, digits, `-` and `.`, each part starting and ending with a letter or digit)",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{PREFIX, check_label};

    #[test]
    fn labels_follow_kubernetes_syntax_and_nfds_rules() {
        for (key, value) in [
            ("example.com/app", "true"),
            ("example.com/app", ""),
            ("a.b-c.example/A_b.c-9", "v1.2_x-Y"),
            ("feature.node.kubernetes.io/app-ok", "true"),
            ("team.feature.node.kubernetes.io/app", "1"),
            (&format!("{PREFIX}/compatible-app"), "true"),
            (&format!("example.com/{}", "n".repeat(63)), &"v".repeat(63)),
        ] {
            assert_eq!(check_label(key, value), Ok(()), "{key}={value}");
        }
        for (key, value, why) in [
            ("app", "true", "has no prefix"),
            ("example.com/", "true", "name `` is empty"),
            (
                "Example.com/app",
                "true",
                "prefix `Example.com` is not a DNS subdomain",
            ),
            ("example..com/app", "true", "is not a DNS subdomain"),
            ("-example.com/app", "true", "is not a DNS subdomain"),
            ("example.com/-app", "true", "must start and end"),
            ("example.com/a b", "true", "may contain only"),
            (
                &format!("example.com/{}", "n".repeat(64)),
                "true",
                "longer than 63",
            ),
            ("example.com/app", &"v".repeat(64), "value"),
            ("example.com/app", "a/b", "value `a/b` may contain only"),
            (
                "example.com/app",
                "@cpu.model.vendor_id",
                "must start and end",
            ),
            (
                "kubernetes.io/app",
                "true",
                "drops labels under `kubernetes.io`",
            ),
            ("node.kubernetes.io/app", "true", "drops labels"),
            (&format!("{}.com/app", "d".repeat(250)), "true", "1 to 253"),
        ] {
            let err = check_label(key, value).unwrap_err();
            assert!(err.contains(why), "{key}={value}: {err}");
        }
    }
}

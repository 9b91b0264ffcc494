//! `export`: what discovery finds, as NFD's Features object; a spec as NFD objects
//! (NodeFeatureGroups, a NodeFeatureRule) for NFD's master to evaluate in the cluster.

use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

use super::discover::discover;
use super::validate::{SpecSource, check_tags, spec_source};
use super::{ExitStatus, Global, warn_all, write_output};
use crate::cli::{DataFormat, ExportFeaturesArgs, ExportGroupArgs, ExportRuleArgs, ExportSpecArgs};
use crate::report::{self, ExpressionOut};
use crate::rules;
use crate::spec::{Compatibility, Expr, GroupRule, Op, Term};

/// `export features`.
pub(crate) fn features(args: &ExportFeaturesArgs, global: Global) -> Result<ExitStatus> {
    let (features, warnings) = discover(&args.discovery)?;
    warn_all(global, &warnings);
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
    write_output(args.path.as_deref(), &text)?;
    Ok(ExitStatus::Success)
}

/// The API version of NFD's objects.
const NFD_API: &str = "nfd.k8s-sigs.io/v1alpha1";
/// The annotation prefix on exported objects.
const ANNOTATION: &str = "nfd-compat.k8s-sigs.io";

/// The spec of an export command, its selected sets, and the objects' base name.
struct Exported {
    source: SpecSource,
    /// `(number among the selected sets, set)`.
    sets: Vec<(usize, Compatibility)>,
    base: String,
}

fn exported(args: &ExportSpecArgs, global: Global) -> Result<Exported> {
    let mut warnings = Vec::new();
    let source = spec_source(
        args.image.as_deref(),
        args.spec.as_deref(),
        &args.lookup,
        &args.registry,
        false,
        &mut warnings,
    )?;
    warn_all(global, &warnings);
    check_tags(&source.spec, &source.name, &args.tags)?;
    let options = rules::Options {
        tags: args.tags.clone(),
    };
    let sets: Vec<(usize, Compatibility)> = source
        .spec
        .compatibilities
        .iter()
        .filter(|c| options.selects(c))
        .cloned()
        .enumerate()
        .map(|(i, c)| (i + 1, c))
        .collect();
    if sets.is_empty() {
        bail!("{} has no compatibility sets to export", source.name);
    }
    let base = match (&args.name, &source.image, &args.spec) {
        (Some(name), _, _) => {
            let clean = dns_label(name);
            if clean != *name {
                bail!(
                    "--name `{name}` is not a valid object name (lowercase letters, digits and `-`, at most 52 characters); `{clean}` would be"
                );
            }
            clean
        }
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
fn dns_label(s: &str) -> String {
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
            "{place}: op `\"\"` (match anything) is not accepted by NFD's CRDs; remove the expression or use `Exists`"
        );
    }
    Ok(serde_json::to_value(ExpressionOut::from(e))?)
}

fn terms_json(terms: &[Term], place: &str) -> Result<Value> {
    let mut out = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        let place = format!("{place}[{i}]");
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
        out.push(Value::Object(m));
    }
    Ok(Value::Array(out))
}

/// A rule in NFD's `GroupRule` shape (also the matching part of a NodeFeatureRule's rule).
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
            terms_json(&rule.match_features, &format!("{place}.matchFeatures"))?,
        );
    }
    if !rule.match_any.is_empty() {
        let mut any = Vec::new();
        for (i, a) in rule.match_any.iter().enumerate() {
            any.push(json!({
                "matchFeatures": terms_json(&a.match_features, &format!("{place}.matchAny[{i}].matchFeatures"))?
            }));
        }
        m.insert("matchAny".to_owned(), Value::Array(any));
    }
    Ok(m)
}

fn annotations(ex: &Exported, set: Option<&Compatibility>) -> Map<String, Value> {
    let mut a = Map::new();
    let origin = match &ex.source.image {
        Some(i) => format!("{}@{} (artifact {})", i.reference, i.digest, i.artifact),
        None => ex.source.name.trim_matches('`').to_owned(),
    };
    a.insert(format!("{ANNOTATION}/source"), json!(origin));
    if let Some(set) = set {
        if !set.tag.is_empty() {
            a.insert(format!("{ANNOTATION}/tag"), json!(set.tag));
        }
        a.insert(
            format!("{ANNOTATION}/weight"),
            json!(set.weight.to_string()),
        );
        if !set.description.is_empty() {
            a.insert(format!("{ANNOTATION}/description"), json!(set.description));
        }
    }
    a
}

fn print_objects(objects: &[Value], format: DataFormat) -> Result<ExitStatus> {
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
    let mut out = super::stdout();
    out.write_all(&text)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `export nodefeaturegroup`: one NodeFeatureGroup per compatibility set.
pub(crate) fn node_feature_group(args: &ExportGroupArgs, global: Global) -> Result<ExitStatus> {
    let ex = exported(&args.source, global)?;
    let mut objects = Vec::new();
    for (n, set) in &ex.sets {
        let mut rules = Vec::new();
        for (i, rule) in set.rules.iter().flatten().enumerate() {
            let place = format!("set #{n} rules[{i}]");
            rules.push(Value::Object(rule_json(rule, &rule.name, &[], &place)?));
        }
        let mut metadata = Map::new();
        metadata.insert("name".to_owned(), json!(format!("{}-set{n}", ex.base)));
        if let Some(ns) = &args.namespace {
            metadata.insert("namespace".to_owned(), json!(ns));
        }
        metadata.insert(
            "annotations".to_owned(),
            Value::Object(annotations(&ex, Some(set))),
        );
        objects.push(json!({
            "apiVersion": NFD_API,
            "kind": "NodeFeatureGroup",
            "metadata": metadata,
            "spec": {"featureGroupRules": rules},
        }));
    }
    print_objects(&objects, args.source.output)
}

/// `export nodefeaturerule`: one NodeFeatureRule whose last rule labels the nodes where some
/// compatibility set matches.
///
/// A set is several rules, each possibly with its own `matchAny`, which one NodeFeatureRule
/// rule cannot express; so every spec rule becomes a rule of its own that, when it matches,
/// sets a var `<set>-<rule>` (next to its own vars), and the last rule matches when all vars of
/// some set are in `rule.matched` (NFD's backreferences within one NodeFeatureRule).
pub(crate) fn node_feature_rule(args: &ExportRuleArgs, global: Global) -> Result<ExitStatus> {
    let ex = exported(&args.source, global)?;
    let mut labels = Map::new();
    for l in &args.labels {
        let Some((k, v)) = l.split_once('=') else {
            bail!("--label `{l}` is not KEY=VALUE");
        };
        if k.is_empty() {
            bail!("--label `{l}` has an empty key");
        }
        labels.insert(k.to_owned(), json!(v));
    }
    if labels.is_empty() {
        labels.insert(
            format!("feature.node.kubernetes.io/compatible-{}", ex.base),
            json!("true"),
        );
    }
    let mut rules = Vec::new();
    let mut alternatives = Vec::new();
    let mut always = false;
    for (n, set) in &ex.sets {
        let mut marks = Map::new();
        for (i, rule) in set.rules.iter().flatten().enumerate() {
            let var = format!("{}-set{n}-rule{}", ex.base, i + 1);
            let place = format!("set #{n} rules[{i}]");
            let name = format!("{} set {n}: {}", ex.base, rule.name);
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
                {"feature": "rule.matched", "matchExpressions": marks}
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
    let object = json!({
        "apiVersion": NFD_API,
        "kind": "NodeFeatureRule",
        "metadata": {"name": ex.base, "annotations": annotations(&ex, None)},
        "spec": {"rules": rules},
    });
    print_objects(&[object], args.source.output)
}

//! The JSON Schema (2020-12) of the spec, generated from serde-shaped wire types.
//!
//! The types here mirror the YAML the loader ([`super::load`]) accepts without warnings; they
//! exist only to describe it (doc comments become descriptions) and are never used to read a
//! spec. What JSON Schema can say, it says: unknown fields are rejected, `version` must be
//! `v1alpha1`, ops and types are enums, `value` is a list of strings, and the number of values
//! depends on the op (derived from [`Op::arity`], so it cannot drift from the loader). What it
//! cannot say (regexes that compile, `GtLt` bounds in order, versions NFD can parse, size
//! limits, duplicate keys, case-insensitive field names) only the loader checks.

// Never built, so rustc calls every field unread: the JsonSchema derive is their one reader.
#![expect(
    dead_code,
    reason = "wire types read only by the JsonSchema derive; never built"
)]

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, json_schema};
use serde_json::{Map, Value, json};

use super::expr::{MAX_VALUES, OPS, Op};

/// The schema's `$id`. A URN, because the schema is served from no fixed URL; editors refer to
/// the committed file or to `nfd-compat schema` output instead.
pub(crate) const SCHEMA_ID: &str = "urn:nfd-compat:schema:image-compatibility-v1alpha1";

/// An image-compatibility spec (`version: v1alpha1`).
///
/// Which nodes an image runs on: a list of compatibility sets, each a list of rules over the
/// node's features (NFD's `api/image-compatibility/v1alpha1`). A node is compatible when every
/// rule of at least one set matches.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "NFD image-compatibility spec v1alpha1")]
pub(crate) struct SpecDocument {
    /// The spec version: always `v1alpha1`.
    #[schemars(schema_with = "version_schema")]
    pub version: String,
    /// The compatibility sets; a node needs to satisfy one of them.
    #[serde(default)]
    pub compatibilities: Vec<Compatibility>,
}

/// A compatibility set: rules that must all match.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Compatibility {
    /// The rules, all of which must match (NFD `GroupRule`s).
    #[serde(default)]
    pub rules: Vec<GroupRule>,
    /// The set's priority: the report names the matching set with the highest weight.
    #[serde(default)]
    pub weight: i64,
    /// A tag to select the set by (`validate-node --tags TAG`).
    #[serde(default)]
    pub tag: String,
    /// What the set stands for (shown in reports).
    #[serde(default)]
    pub description: String,
}

/// One rule: feature terms that must all match, and alternatives of which one must match.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct GroupRule {
    /// The rule's name (shown in reports).
    #[serde(default)]
    pub name: String,
    /// Names and values added to the `rule.matched` feature when the rule matches.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// A Go template whose output (`name=value` lines) is added to `rule.matched` when the rule
    /// matches.
    #[serde(default)]
    pub vars_template: String,
    /// Feature terms that must all match.
    #[serde(default)]
    pub match_features: Vec<FeatureMatcherTerm>,
    /// Alternatives of which at least one must match.
    #[serde(default)]
    pub match_any: Vec<MatchAnyElem>,
    /// Ignored: a NodeFeatureRule field (specs before NFD v0.18 carried it); nfd-compat warns.
    #[schemars(extend("deprecated" = true))]
    pub labels: Option<Value>,
    /// Ignored: a NodeFeatureRule field (specs before NFD v0.18 carried it); nfd-compat warns.
    #[schemars(extend("deprecated" = true))]
    pub labels_template: Option<Value>,
    /// Ignored: a NodeFeatureRule field (specs before NFD v0.18 carried it); nfd-compat warns.
    #[schemars(extend("deprecated" = true))]
    pub annotations: Option<Value>,
    /// Ignored: a NodeFeatureRule field (specs before NFD v0.18 carried it); nfd-compat warns.
    #[schemars(extend("deprecated" = true))]
    pub taints: Option<Value>,
    /// Ignored: a NodeFeatureRule field (specs before NFD v0.18 carried it); nfd-compat warns.
    #[schemars(extend("deprecated" = true))]
    pub extended_resources: Option<Value>,
}

/// One `matchAny` alternative.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct MatchAnyElem {
    /// Feature terms that must all match for this alternative to match.
    #[serde(default)]
    pub match_features: Vec<FeatureMatcherTerm>,
}

/// A feature and what must hold for it.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FeatureMatcherTerm {
    /// The feature, `<source>.<feature>` (`cpu.cpuid`, `kernel.loadedmodule`, `pci.device`);
    /// matched case-insensitively.
    #[schemars(length(min = 1))]
    pub feature: String,
    /// Expressions by element name (flag name, attribute name or instance attribute), all of
    /// which must match.
    #[serde(default)]
    pub match_expressions: BTreeMap<String, MatchExpression>,
    /// An expression over the element names (`{op: InRegexp, value: ["^AVX512"]}`): some
    /// element's name must match it.
    pub match_name: Option<MatchExpression>,
}

/// A match expression: an op and the values it takes.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = arity)]
pub(crate) struct MatchExpression {
    /// The operator; absent is `""`, which matches anything.
    #[serde(default)]
    pub op: MatchOp,
    /// The values, always a list of strings (quote them: `["0300"]`, not `[0300]`).
    #[serde(default)]
    #[schemars(length(max = MAX_VALUES))]
    pub value: Vec<String>,
    /// How Gt, Ge, Lt, Le, GtLt and GeLe compare: as integers (absent or `""`) or as versions.
    #[serde(default, rename = "type")]
    pub value_type: ValueType,
}

/// A match operator.
#[derive(Debug, Default, JsonSchema)]
pub(crate) enum MatchOp {
    /// Matches anything (NFD's `MatchAny`); use `Exists` to require the element.
    #[default]
    #[serde(rename = "")]
    Any,
    /// The value is one of the values.
    In,
    /// The value is none of the values (false when the element is absent).
    NotIn,
    /// Some value, a regular expression (unanchored), matches the value.
    InRegexp,
    /// The element is present. Takes no values.
    Exists,
    /// The element is absent. Takes no values.
    DoesNotExist,
    /// The value is greater than the one value.
    Gt,
    /// The value is greater than or equal to the one value.
    Ge,
    /// The value is less than the one value.
    Lt,
    /// The value is less than or equal to the one value.
    Le,
    /// The value is strictly between the two values.
    GtLt,
    /// The value is between the two values, inclusive.
    GeLe,
    /// The value is `true`. Takes no values.
    IsTrue,
    /// The value is `false`. Takes no values.
    IsFalse,
}

/// How ordering ops read values.
#[derive(Debug, Default, JsonSchema)]
pub(crate) enum ValueType {
    /// 64-bit integers.
    #[default]
    #[serde(rename = "")]
    Int,
    /// Versions (`5.15`, `v1.2.3`; a pre-release part is dropped).
    #[serde(rename = "version")]
    Version,
}

fn version_schema(_: &mut schemars::SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "const": super::VERSION })
}

/// Adds the op-dependent constraints on `value` to the `MatchExpression` schema: how many
/// values each op takes (from [`Op::arity`]) and, for ordering ops on integers, that the
/// values are integers.
fn arity(schema: &mut Schema) {
    let mut by_arity: Vec<((usize, usize), Vec<&str>)> = Vec::new();
    for (op, name) in OPS {
        let arity = op.arity();
        match by_arity.iter_mut().find(|(a, _)| *a == arity) {
            Some((_, names)) => names.push(name),
            None => by_arity.push((arity, vec![name])),
        }
    }
    let mut rules = Vec::new();
    for ((min, max), names) in by_arity {
        let rule = if max == 0 {
            // No `required: ["op"]`: an absent op is `""`, which takes no values either.
            json!({
                "if": { "properties": { "op": { "enum": names } } },
                "then": { "properties": { "value": { "maxItems": 0 } } }
            })
        } else {
            json!({
                "if": { "properties": { "op": { "enum": names } }, "required": ["op"] },
                "then": {
                    "required": ["value"],
                    "properties": { "value": { "minItems": min, "maxItems": max } }
                }
            })
        };
        rules.push(rule);
    }
    let ordering: Vec<&str> = OPS
        .iter()
        .filter(|(op, _)| Op::is_ordering(*op))
        .map(|(_, name)| *name)
        .collect();
    rules.push(json!({
        "if": {
            "properties": {
                "op": { "enum": ordering },
                "type": { "not": { "const": "version" } }
            },
            "required": ["op"]
        },
        "then": {
            "properties": {
                "value": { "items": { "pattern": "^[+-]?[0-9]+$" } }
            }
        }
    }));
    schema.insert("allOf".to_owned(), Value::Array(rules));
}

/// The JSON Schema of the spec, with `$schema`, `$id` and `title` first.
pub(crate) fn json_schema() -> Value {
    let generated = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<SpecDocument>()
        .to_value();
    let Value::Object(mut rest) = generated else {
        return generated;
    };
    let mut root = Map::new();
    for key in ["$schema", "$id", "title", "description"] {
        if key == "$id" {
            root.insert(key.to_owned(), Value::String(SCHEMA_ID.to_owned()));
        } else if let Some(v) = rest.remove(key) {
            root.insert(key.to_owned(), v);
        }
    }
    root.extend(rest);
    Value::Object(root)
}

/// The schema as `nfd-compat schema` prints it: pretty JSON with a trailing newline.
pub(crate) fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_has_header_and_arity_rules() {
        let schema = json_schema();
        let keys: Vec<&str> = schema
            .as_object()
            .unwrap()
            .keys()
            .take(3)
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["$schema", "$id", "title"]);
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["properties"]["version"]["const"], "v1alpha1");
        assert_eq!(schema["additionalProperties"], false);
        let expr = &schema["$defs"]["MatchExpression"];
        assert_eq!(expr["additionalProperties"], false);
        assert_eq!(expr["allOf"].as_array().unwrap().len(), 5);
    }

    /// The wire enums here describe the loader's ops and types in their own words; their
    /// spellings must be the loader's, in its order.
    #[test]
    fn wire_enums_spell_what_the_loader_reads() {
        use super::super::expr;
        let schema = json_schema();
        let consts = |def: &str| -> Vec<String> {
            schema["$defs"][def]["oneOf"]
                .as_array()
                .unwrap_or_else(|| panic!("{def} is a oneOf"))
                .iter()
                .map(|v| v["const"].as_str().expect("a const").to_owned())
                .collect()
        };
        let ops: Vec<&str> = OPS.iter().map(|(_, name)| *name).collect();
        assert_eq!(consts("MatchOp"), ops);
        let types = [expr::ValueType::Int, expr::ValueType::Version].map(expr::ValueType::as_str);
        assert_eq!(consts("ValueType"), types);
    }
}

//! Saved node features: what `nfd export features` prints (a bare Features object), a
//! NodeFeature object, or a list of them (`kubectl get nodefeatures -A -o json|yaml`).
//!
//! A snapshot is read straight into features ([`crate::fleet::typed`], which accepts what the
//! conversion here accepts). Only a snapshot that did not read is read again into a generic
//! value and converted by hand, so that the fault is named by its place
//! (`items[3].spec.features.attributes["cpu.model"].elements.family`). Scalars that YAML wrote
//! as numbers or booleans are read as the strings kubectl would have quoted.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::features::{AttributeSet, Features, FlagSet, Instance, InstanceSet};
use crate::spec;

/// The largest snapshot accepted, in bytes.
pub(crate) const MAX_SNAPSHOT_BYTES: usize = 256 << 20;
/// The largest YAML snapshot accepted, in bytes. The YAML reader holds the whole document's
/// events while reading, about twelve times the text; JSON is read as a stream.
pub(crate) const MAX_YAML_SNAPSHOT_BYTES: usize = 16 << 20;
/// The API version of NodeFeature objects.
pub(crate) const NFD_API_VERSION: &str = "nfd.k8s-sigs.io/v1alpha1";
/// The label NFD sets on a NodeFeature to name its node.
pub(crate) const NODE_NAME_LABEL: &str = "nfd.node.kubernetes.io/node-name";

/// One node's features, with the node's name when the snapshot says it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSnapshot {
    /// The node name (label `nfd.node.kubernetes.io/node-name`, else `metadata.name`).
    pub name: Option<String>,
    /// The features.
    pub features: Features,
}

/// Why a snapshot could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("`{path}`: ") })]
pub struct SnapshotError {
    /// Where in the snapshot (empty for the whole document).
    pub(crate) path: String,
    /// What is wrong.
    pub(crate) message: String,
}

impl SnapshotError {
    fn new(path: &str, message: impl Into<String>) -> Self {
        SnapshotError {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

/// Parses a snapshot (JSON or YAML) into its nodes (one for a bare Features object).
pub fn parse(bytes: &[u8]) -> Result<Vec<NodeSnapshot>, SnapshotError> {
    if bytes.len() > MAX_SNAPSHOT_BYTES {
        return Err(SnapshotError::new(
            "",
            format!(
                "the snapshot is {} bytes; the limit is {MAX_SNAPSHOT_BYTES} (256 MiB)",
                bytes.len()
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        SnapshotError::new("", format!("not valid UTF-8 (at byte {})", e.valid_up_to()))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(SnapshotError::new("", "the snapshot is empty"));
    }
    let json = trimmed.starts_with('{') || trimmed.starts_with('[');
    if !json {
        if bytes.len() > MAX_YAML_SNAPSHOT_BYTES {
            return Err(SnapshotError::new(
                "",
                format!(
                    "a YAML snapshot of {} bytes; the limit for YAML is {MAX_YAML_SNAPSHOT_BYTES} \
                     (16 MiB): save larger fleets as JSON (`kubectl get nodefeatures -A -o json`), \
                     which is read as a stream",
                    bytes.len()
                ),
            ));
        }
        check_aliases(text)?;
    }
    // Read straight into features first; the generic tree below costs about ten times the
    // text, so it is built only to name the fault in a document that did not read.
    let typed = if json {
        // The common shape by the fast JSON reader; the rest (and what it gives up on) by
        // serde_json, whose message names the fault.
        crate::fleet::fast::document(bytes).or_else(|_| {
            let mut de = serde_json::Deserializer::from_str(text);
            crate::fleet::typed::document(&mut de)
                .and_then(|doc| de.end().map(|()| doc))
                .map_err(|e| e.to_string())
        })
    } else {
        match fast_yaml(text) {
            Some(doc) => Ok(doc),
            None => crate::fleet::typed::document(yaml_serde::Deserializer::from_str(text))
                .map_err(|e| e.to_string()),
        }
    };
    let reason = match typed.map(nodes_of) {
        Ok(Some(nodes)) => return Ok(nodes),
        Ok(None) => "not a snapshot".to_owned(),
        Err(e) => e,
    };
    if bytes.len() > MAX_DETAILED_BYTES {
        return Err(SnapshotError::new(
            "",
            format!(
                "not a valid snapshot: {}",
                crate::spec::shorten(&reason, 300)
            ),
        ));
    }
    let value: Value = if json {
        serde_json::from_str(text)
            .map_err(|e| SnapshotError::new("", format!("not valid JSON: {e}")))?
    } else {
        yaml_serde::from_str(text)
            .map_err(|e| SnapshotError::new("", format!("not valid YAML: {e}")))?
    };
    from_value(&value)
}

/// The largest snapshot whose faults are named by path (`items[3].spec...`): finding the
/// path needs a generic tree of the whole document. A larger invalid snapshot gets the
/// reader's message (with line and column) instead.
const MAX_DETAILED_BYTES: usize = 16 << 20;

/// The nodes of a document read by the typed reader, when it is one `from_value` accepts
/// as it is; `None` sends the document through `from_value` for its message.
/// A YAML snapshot in the shape the spec's fast reader reads, read through its tree: a
/// tenth of what libyaml takes. `None` for any other text, or for anything the tree cannot
/// give exactly as `yaml_serde` would (docs/ARCHITECTURE.md, `spec::yaml::de`); the
/// caller then reads it with `yaml_serde`, so that errors are always the same.
fn fast_yaml(text: &str) -> Option<crate::fleet::typed::Document> {
    let tree = spec::yaml::parse_fast(text, FAST_YAML_LIMITS)?;
    crate::fleet::typed::document(spec::yaml::de::NodeDeserializer(tree.root.as_ref()?)).ok()
}

/// Limits for [`fast_yaml`]: past them the fast reader gives up and `yaml_serde` reads.
const FAST_YAML_LIMITS: spec::yaml::Limits = spec::yaml::Limits {
    max_depth: 64,
    max_nodes: usize::MAX,
};

/// The fast YAML reader's promise for snapshots, checked by the snapshot fuzz target: what it
/// reads, `yaml_serde` reads the same. Panics when they differ.
pub(crate) fn check_fast_yaml(text: &str) {
    if let Some(fast) = fast_yaml(text) {
        let full = crate::fleet::typed::document(yaml_serde::Deserializer::from_str(text));
        match full {
            Ok(full) => assert_eq!(
                format!("{fast:?}"),
                format!("{full:?}"),
                "the fast reader and yaml_serde read {text:?} differently"
            ),
            Err(e) => panic!("the fast reader reads what yaml_serde rejects ({e}): {text:?}"),
        }
    }
}

fn nodes_of(doc: crate::fleet::typed::Document) -> Option<Vec<NodeSnapshot>> {
    use crate::fleet::typed::{Document, Item};
    let node = |item: Item| -> Option<NodeSnapshot> {
        (item.api_version.as_deref() == Some(NFD_API_VERSION)
            && item.kind.as_deref().is_none_or(|k| k == "NodeFeature"))
        .then_some(())?;
        Some(NodeSnapshot {
            name: item.name,
            features: item.features?,
        })
    };
    match doc {
        Document::Features(features) => Some(vec![NodeSnapshot {
            name: None,
            features,
        }]),
        Document::Node(item) => Some(vec![node(item)?]),
        Document::List(items) => items.into_iter().map(node).collect(),
    }
}

/// The most that aliases in a YAML snapshot may add, counting each expansion in full: its
/// scalars' bytes plus 16 per node. kubectl never writes aliases; this stops a few aliases
/// of a large anchored string from growing into gigabytes.
pub(crate) const MAX_ALIAS_BYTES: usize = 16 << 20;

/// Refuses a YAML snapshot whose aliases expand past [`MAX_ALIAS_BYTES`], reading only the
/// event stream (no tree is built).
fn check_aliases(text: &str) -> Result<(), SnapshotError> {
    use saphyr_parser::{Event, Parser};
    const NODE: usize = 16;
    // An alias is written `*name`: without a `*` anywhere there is none, and no reason to read
    // the text twice (kubectl's YAML, the usual case).
    if memchr::memchr(b'*', text.as_bytes()).is_none() {
        return Ok(());
    }
    // The weight of each open collection, and of each anchor once complete.
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut anchors: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut added = 0usize;
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        // Syntax errors are left to the reader, which reports them with their place.
        let Ok((event, _)) = event else {
            return Ok(());
        };
        let weight = match event {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                open.push((anchor, NODE));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((anchor, weight)) = open.pop() else {
                    continue;
                };
                if anchor != 0 {
                    anchors.insert(anchor, weight);
                }
                weight
            }
            Event::Scalar(value, _, anchor, _) => {
                let weight = value.len() + NODE;
                if anchor != 0 {
                    anchors.insert(anchor, weight);
                }
                weight
            }
            Event::Alias(id) => {
                let weight = anchors.get(&id).copied().unwrap_or(NODE);
                added = added.saturating_add(weight);
                if added > MAX_ALIAS_BYTES {
                    return Err(SnapshotError::new(
                        "",
                        format!("aliases expand to more than {MAX_ALIAS_BYTES} bytes"),
                    ));
                }
                weight
            }
            _ => continue,
        };
        if let Some((_, parent)) = open.last_mut() {
            *parent = parent.saturating_add(weight);
        }
    }
    Ok(())
}

/// Converts a parsed snapshot document into its nodes.
pub(crate) fn from_value(value: &Value) -> Result<Vec<NodeSnapshot>, SnapshotError> {
    let Value::Object(map) = value else {
        return Err(SnapshotError::new(
            "",
            format!(
                "expected a Features object, a NodeFeature or a NodeFeatureList, found {}",
                describe(value)
            ),
        ));
    };
    match map.get("kind").and_then(Value::as_str) {
        Some("NodeFeature") => Ok(vec![node_feature(value, "")?]),
        Some("NodeFeatureList" | "List") => {
            let Some(items) = map.get("items") else {
                return Err(SnapshotError::new("", "a list without `items`"));
            };
            let Value::Array(items) = items else {
                return Err(SnapshotError::new(
                    "items",
                    format!("expected a list, found {}", describe(items)),
                ));
            };
            items
                .iter()
                .enumerate()
                .map(|(i, item)| node_feature(item, &format!("items[{i}]")))
                .collect()
        }
        Some(other) => Err(SnapshotError::new("kind", unsupported_kind(other))),
        None if ["flags", "attributes", "instances"]
            .iter()
            .any(|k| map.contains_key(*k))
            || map.is_empty() =>
        {
            Ok(vec![NodeSnapshot {
                name: None,
                features: features(value, "")?,
            }])
        }
        None => Err(SnapshotError::new(
            "",
            "expected a Features object (`flags`, `attributes`, `instances`), a NodeFeature or a NodeFeatureList",
        )),
    }
}

/// The path of `field` inside the object at `path` (`""` for the document itself).
fn child(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// Why a document of `kind` is not a snapshot.
pub(crate) fn unsupported_kind(kind: &str) -> String {
    format!(
        "unsupported kind `{kind}`: expected a Features object, a NodeFeature or a NodeFeatureList"
    )
}

/// Converts one NodeFeature object (`path` names it in errors, e.g. `items[3]`).
pub(crate) fn node_feature(value: &Value, path: &str) -> Result<NodeSnapshot, SnapshotError> {
    let at = |field: &str| child(path, field);
    let Value::Object(map) = value else {
        return Err(SnapshotError::new(
            path,
            format!("expected a NodeFeature, found {}", describe(value)),
        ));
    };
    if let Some(kind) = map.get("kind").and_then(Value::as_str)
        && kind != "NodeFeature"
    {
        return Err(SnapshotError::new(
            &at("kind"),
            format!("expected kind `NodeFeature`, found `{kind}`"),
        ));
    }
    match map.get("apiVersion").and_then(Value::as_str) {
        Some(NFD_API_VERSION) => {}
        Some(other) => {
            return Err(SnapshotError::new(
                &at("apiVersion"),
                format!("unsupported apiVersion `{other}`: expected `{NFD_API_VERSION}`"),
            ));
        }
        None => {
            return Err(SnapshotError::new(
                path,
                format!("missing `apiVersion` (`{NFD_API_VERSION}`)"),
            ));
        }
    }
    let metadata = map.get("metadata");
    let label = metadata
        .and_then(|m| m.get("labels"))
        .and_then(|l| l.get(NODE_NAME_LABEL))
        .and_then(Value::as_str);
    let name = label.or_else(|| metadata.and_then(|m| m.get("name")).and_then(Value::as_str));
    let features_value = map.get("spec").and_then(|s| s.get("features"));
    let features = match features_value {
        Some(f) => features(f, &at("spec.features"))?,
        None => return Err(SnapshotError::new(&at("spec"), "missing `spec.features`")),
    };
    Ok(NodeSnapshot {
        name: name.map(str::to_owned),
        features,
    })
}

/// Converts a Features object.
pub(crate) fn features(value: &Value, path: &str) -> Result<Features, SnapshotError> {
    let at = |field: &str| child(path, field);
    let Value::Object(map) = value else {
        return Err(SnapshotError::new(
            path,
            format!("expected a Features object, found {}", describe(value)),
        ));
    };
    let mut out = Features::default();
    for (key, v) in map {
        match key.as_str() {
            "flags" => {
                for (name, set) in feature_map(v, &at("flags"))? {
                    let p = format!("{}[{name:?}]", at("flags"));
                    let elements = elements(set, &p)?
                        .map(|e| match e {
                            Value::Object(m) => Ok(m.keys().cloned().collect::<BTreeSet<_>>()),
                            other => Err(SnapshotError::new(
                                &format!("{p}.elements"),
                                format!("expected a mapping of names, found {}", describe(other)),
                            )),
                        })
                        .transpose()?;
                    out.flags.insert(name.clone(), FlagSet { elements });
                }
            }
            "attributes" => {
                for (name, set) in feature_map(v, &at("attributes"))? {
                    let p = format!("{}[{name:?}]", at("attributes"));
                    let elements = elements(set, &p)?
                        .map(|e| string_map(e, &|| format!("{p}.elements")))
                        .transpose()?;
                    out.attributes
                        .insert(name.clone(), AttributeSet { elements });
                }
            }
            "instances" => {
                for (name, set) in feature_map(v, &at("instances"))? {
                    let p = format!("{}[{name:?}]", at("instances"));
                    let elements = elements(set, &p)?
                        .map(|e| {
                            let Value::Array(items) = e else {
                                return Err(SnapshotError::new(
                                    &format!("{p}.elements"),
                                    format!("expected a list of instances, found {}", describe(e)),
                                ));
                            };
                            items
                                .iter()
                                .enumerate()
                                .map(|(i, item)| match item.get("attributes") {
                                    Some(Value::Null) | None => Ok(Instance::default()),
                                    Some(a) => Ok(Instance::from(string_map(a, &|| {
                                        format!("{p}.elements[{i}].attributes")
                                    })?)),
                                })
                                .collect::<Result<Vec<_>, _>>()
                        })
                        .transpose()?;
                    out.instances.insert(name.clone(), InstanceSet { elements });
                }
            }
            other => {
                return Err(SnapshotError::new(
                    path,
                    format!(
                        "unknown field `{other}` in a Features object (expected `flags`, `attributes`, `instances`)"
                    ),
                ));
            }
        }
    }
    Ok(out)
}

fn feature_map<'a>(
    value: &'a Value,
    path: &str,
) -> Result<Vec<(&'a String, &'a Value)>, SnapshotError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Object(m) => Ok(m.iter().collect()),
        other => Err(SnapshotError::new(
            path,
            format!(
                "expected a mapping of feature names, found {}",
                describe(other)
            ),
        )),
    }
}

/// The `elements` of a feature set; `None` for JSON `null` (or a missing key).
fn elements<'a>(set: &'a Value, path: &str) -> Result<Option<&'a Value>, SnapshotError> {
    match set {
        Value::Object(m) => Ok(m.get("elements").filter(|e| !e.is_null())),
        Value::Null => Ok(None),
        other => Err(SnapshotError::new(
            path,
            format!(
                "expected a feature set (`elements: ...`), found {}",
                describe(other)
            ),
        )),
    }
}

/// A mapping of names to strings; `path` (made only for an error) names it.
fn string_map(
    value: &Value,
    path: &dyn Fn() -> String,
) -> Result<BTreeMap<String, String>, SnapshotError> {
    let Value::Object(m) = value else {
        return Err(SnapshotError::new(
            &path(),
            format!(
                "expected a mapping of names to strings, found {}",
                describe(value)
            ),
        ));
    };
    m.iter()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => String::new(),
                other => {
                    return Err(SnapshotError::new(
                        &format!("{}[{k:?}]", path()),
                        format!("expected a string, found {}", describe(other)),
                    ));
                }
            };
            Ok((k.clone(), s))
        })
        .collect()
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// YAML snapshots in the fast reader's shape are read through its tree, exactly as
    /// `yaml_serde` reads them; quirky scalars (numbers, booleans, nulls, empty sections) too.
    #[test]
    fn the_fast_yaml_reader_reads_as_yaml_serde() {
        let example = include_str!("../testdata/snapshots/example-nodefeature.yaml");
        let quirky = [
            example,
            "flags:\n  cpu.cpuid:\n    elements: {AVX: {}, AVX2: {}}\n",
            "attributes:\n  a.b:\n    elements: {n: 0x10, o: 0o17, b: yes, t: true, f: 2.0, e: 1e3, z: 0300, m: -5, p: +7, i: .inf, s: ~, q: '5', u: null, big: 123456789012345678901234}\n",
            "instances:\n  a.b:\n    elements:\n    - ~\n    - attributes: {n: 0x10, b: True, f: -.5, x: 1_000}\n    - attributes:\n        y: 12:30\n        t: 2026-11-26T10:00:00Z\n        u: https://x/y\n",
            "apiVersion: nfd.k8s-sigs.io/v1alpha1\nkind: NodeFeature\nmetadata: {name: n1}\nspec:\n  features:\n    flags: ~\n    attributes: {}\n    instances: null\n",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: nfd.k8s-sigs.io/v1alpha1\n  kind: NodeFeature\n  metadata: {name: a}\n  spec: {features: {flags: {k.m: {elements: {x: {}}}}}}\n",
            "attributes: [a, b]\n",
            "flags: 5\n",
        ];
        for text in quirky {
            check_fast_yaml(text);
        }
        assert!(fast_yaml(example).is_some(), "the example is not read fast");
        assert!(
            fast_yaml(quirky[2]).is_none(),
            "a 24-digit number is yaml_serde's to read"
        );
        assert!(fast_yaml(quirky[3]).is_some(), "{}", quirky[3]);
        let nodes = parse(example.as_bytes()).unwrap();
        assert_eq!(nodes[0].name.as_deref(), Some("example-node"));
    }

    #[test]
    fn bad_values_are_named_by_their_path() {
        let cases = [
            (
                r#"{"instances":{"pci.device":{"elements":[{"attributes":{"class":"0200"}},{"attributes":{"vendor":["8086"]}}]}}}"#,
                r#"instances["pci.device"].elements[1].attributes["vendor"]"#,
            ),
            (
                r#"{"instances":{"pci.device":{"elements":[{"attributes":"x"}]}}}"#,
                r#"instances["pci.device"].elements[0].attributes"#,
            ),
            (
                r#"{"attributes":{"cpu.model":{"elements":{"family":{}}}}}"#,
                r#"attributes["cpu.model"].elements["family"]"#,
            ),
        ];
        for (text, path) in cases {
            let err = parse(text.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(&format!("`{path}`: expected")), "{err}");
        }
    }

    #[test]
    fn reads_bare_features_json() {
        let nodes = parse(br#"{"flags":{"cpu.cpuid":{"elements":{"AVX":{}}}},"attributes":{"cpu.model":{"elements":{"vendor_id":"Intel"}}},"instances":{"pci.device":{"elements":[{"attributes":{"class":"0200"}}]}}}"#).unwrap();
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0].name, None);
        let f = &nodes[0].features;
        assert!(
            f.flags["cpu.cpuid"]
                .elements
                .as_ref()
                .unwrap()
                .contains("AVX")
        );
        assert_eq!(
            f.attributes["cpu.model"].elements.as_ref().unwrap()["vendor_id"],
            "Intel"
        );
        assert_eq!(
            f.instances["pci.device"].elements.as_ref().unwrap()[0]
                .attributes
                .get("class"),
            Some("0200")
        );
    }

    #[test]
    fn reads_nodefeature_yaml_example() {
        let text = include_str!("../testdata/snapshots/example-nodefeature.yaml");
        let nodes = parse(text.as_bytes()).unwrap();
        assert_eq!(nodes[0].name.as_deref(), Some("example-node"));
        let f = &nodes[0].features;
        assert_eq!(
            f.attributes["kernel.version"].elements.as_ref().unwrap()["major"],
            "6"
        );
        assert_eq!(
            f.attributes["system.osrelease"].elements.as_ref().unwrap()["VERSION_ID"],
            "22.04"
        );
        assert_eq!(f.instances["memory.nv"].elements.as_ref().unwrap().len(), 0);
        assert!(
            f.flags["kernel.loadedmodule"]
                .elements
                .as_ref()
                .unwrap()
                .contains("nfsd")
        );
    }

    #[test]
    fn reads_lists_and_names_nodes() {
        let text = br#"{"apiVersion":"v1","kind":"List","items":[
            {"apiVersion":"nfd.k8s-sigs.io/v1alpha1","kind":"NodeFeature","metadata":{"name":"nf-1","labels":{"nfd.node.kubernetes.io/node-name":"node-a"}},"spec":{"features":{}}},
            {"apiVersion":"nfd.k8s-sigs.io/v1alpha1","kind":"NodeFeature","metadata":{"name":"node-b"},"spec":{"features":{"flags":null}}}]}"#;
        let nodes = parse(text).unwrap();
        let names: Vec<_> = nodes.iter().map(|n| n.name.as_deref()).collect();
        assert_eq!(names, [Some("node-a"), Some("node-b")]);
    }

    /// The typed reader accepts every quirk the generic conversion accepts, with the same
    /// features, so that a valid snapshot never needs the generic tree.
    #[test]
    fn typed_reader_accepts_what_the_generic_conversion_accepts() {
        let docs = [
            r#"{"flags":null,"attributes":null,"instances":null}"#,
            r#"{"flags":{"f.g":{"elements":{"B":{},"A":{},"B":{}}}},"attributes":{"a.b":{"elements":{"k":"1","j":"0","k":"2"}}},"instances":{"i.j":{"elements":[{"attributes":{"k":"1","j":"0","k":"2"}}]}}}"#,
            r#"{"flags":{"a.b":null,"a.c":{},"a.d":{"elements":null},"a.e":{"elements":{"X":null,"Y":true}}}}"#,
            r#"{"attributes":{"a.b":null,"a.c":{},"a.d":{"elements":{"n":12,"f":1.5,"t":true,"z":null,"s":"x"}}}}"#,
            r#"{"instances":{"a.b":null,"a.c":{},"a.d":{"elements":[null,"x",3,[1,{}],{},{"attributes":null},{"other":1},{"attributes":{"b":"2","a":1,"c":null}}]}}}"#,
            r#"{"kind":"NodeFeature","apiVersion":"nfd.k8s-sigs.io/v1alpha1","metadata":{"name":"n"},"spec":{"features":{"instances":{"x.y":{"elements":[{"attributes":{"k":false}}]}}}}}"#,
        ];
        for doc in docs {
            let mut de = serde_json::Deserializer::from_str(doc);
            let typed = crate::fleet::typed::document(&mut de).map(nodes_of);
            let value: Value = serde_json::from_str(doc).unwrap();
            let generic = from_value(&value).unwrap();
            match typed {
                Ok(Some(nodes)) => assert_eq!(nodes, generic, "{doc}"),
                other => panic!("{doc}: the typed reader gave {other:?}"),
            }
        }
        let yaml = "instances:\n  a.b:\n    elements:\n    - ~\n    - attributes: {n: 0x10, b: yes, f: 2.0}\n";
        let typed = crate::fleet::typed::document(yaml_serde::Deserializer::from_str(yaml))
            .map(nodes_of)
            .unwrap()
            .unwrap();
        let value: Value = yaml_serde::from_str(yaml).unwrap();
        assert_eq!(typed, from_value(&value).unwrap());
    }

    #[test]
    fn errors_name_the_place() {
        let cases: [(&[u8], &str); 9] = [
            (b"", "the snapshot is empty"),
            (b"{\"flags\": ", "not valid JSON: EOF while parsing"),
            (b"[1, 2]", "expected a Features object, a NodeFeature or a NodeFeatureList, found a list"),
            (b"{\"hello\": 1}", "expected a Features object (`flags`, `attributes`, `instances`)"),
            (br#"{"attributes":{"cpu.model":{"elements":{"family":[6]}}}}"#, "`attributes[\"cpu.model\"].elements[\"family\"]`: expected a string, found a list"),
            (br#"{"kind":"NodeFeature","apiVersion":"nfd.k8s-sigs.io/v1beta9","spec":{"features":{}}}"#, "`apiVersion`: unsupported apiVersion `nfd.k8s-sigs.io/v1beta9`"),
            (br#"{"kind":"Pod"}"#, "`kind`: unsupported kind `Pod`"),
            (br#"{"kind":"List","items":[{"kind":"NodeFeature","apiVersion":"nfd.k8s-sigs.io/v1alpha1","spec":{"features":{"instances":{"pci.device":{"elements":{}}}}}}]}"#, "`items[0].spec.features.instances[\"pci.device\"].elements`: expected a list of instances, found a mapping"),
            (b"\xff\xfe", "not valid UTF-8"),
        ];
        for (input, want) in cases {
            let got = parse(input).unwrap_err().to_string();
            assert!(got.contains(want), "got `{got}`, want `{want}`");
        }
    }
}

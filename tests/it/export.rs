//! `export nodefeaturegroup` and `export nodefeaturerule`: the objects must select exactly the
//! nodes `validate-node` calls compatible, when NFD's master evaluates them.
//!
//! NFD's master is simulated with this project's own rule engine, the way the master reads
//! the objects (README, "One node, a fleet, or the whole cluster"): the rules of an object in
//! order, each on the node's features plus `rule.matched`, which holds the vars (and, for a
//! NodeFeatureRule, the labels) of the rules that matched before it. A node is in a
//! NodeFeatureGroup when ANY of its `featureGroupRules` matches; it gets a NodeFeatureRule's
//! label when a rule carrying that label matches. The nodes are the bundled host fixtures and
//! snapshots, a generated fleet and random variants of all of them; the specs are the bundled
//! ones, the generated one and many random ones (several sets and rules, `matchAny`,
//! `matchName`, instance features, vars and `rule.matched` back-references, templates).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use nfd_compat::features::Features;
use nfd_compat::rules::{self, Options};
use nfd_compat::snapshot;
use serde_json::{Map, Value, json};

use crate::common::{redact, run, testdata};
use crate::support::generate::{self, Rng};

/// One node of the test fleet.
struct Node {
    name: String,
    features: Features,
}

/// The host fixtures, each with a CPU capture so that discovery is the same on every machine.
const HOSTS: [(&str, &str); 6] = [
    ("intel-server", "intel-icelake-server.txt"),
    ("amd-host", "amd-epyc-milan.txt"),
    ("arm64-host", "arm64-neoverse-n1.txt"),
    ("minimal-container", "kvm-guest.txt"),
    ("nfd-pci-rootfs1", "native-amd-epyc-milan-kvm.txt"),
    ("nfd-local", "kvm-guest.txt"),
];

/// Discovers a host fixture with the binary, as a user would (`export features`).
fn host_features(host: &str, machine: &str) -> Features {
    let out = run(
        &[
            "export",
            "features",
            "--host-root",
            &testdata(&format!("hosts/{host}")),
            "--machine",
            &testdata(&format!("machines/{machine}")),
        ],
        None,
    );
    assert_eq!(out.code, 0, "export features of {host}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// A copy of `features` with each element dropped with probability `percent`.
fn variant(features: &Features, rng: &mut Rng, percent: usize) -> Features {
    let mut f = features.clone();
    for set in f.flags.values_mut() {
        if let Some(e) = &mut set.elements {
            e.retain(|_| !rng.chance(percent));
        }
    }
    for set in f.attributes.values_mut() {
        if let Some(e) = &mut set.elements {
            e.retain(|_, _| !rng.chance(percent));
        }
    }
    for set in f.instances.values_mut() {
        if let Some(e) = &mut set.elements {
            e.retain(|_| !rng.chance(percent));
        }
    }
    f
}

/// The fleet: host fixtures, bundled snapshots, generated nodes and random variants of each.
fn fleet() -> Vec<Node> {
    let mut base = Vec::new();
    for (host, machine) in HOSTS {
        base.push(Node {
            name: host.to_owned(),
            features: host_features(host, machine),
        });
    }
    for file in [
        "snapshots/intel-server.json",
        "snapshots/example-nodefeature.yaml",
    ] {
        let bytes = fs::read(testdata(file)).unwrap();
        for (i, n) in snapshot::parse(&bytes).unwrap().into_iter().enumerate() {
            base.push(Node {
                name: format!("snapshot-{}-{i}", base.len()),
                features: n.features,
            });
        }
    }
    let mut generated = Vec::new();
    generate::write_fleet(&mut generated, 16, 11).unwrap();
    for n in snapshot::parse(&generated).unwrap() {
        base.push(Node {
            name: n.name.unwrap(),
            features: n.features,
        });
    }
    let mut rng = Rng::new(5);
    let mut all = Vec::new();
    for node in &base {
        for (k, percent) in [15, 50].into_iter().enumerate() {
            all.push(Node {
                name: format!("{}-v{k}", node.name),
                features: variant(&node.features, &mut rng, percent),
            });
        }
    }
    base.extend(all);
    base
}

/// The fleet as one NodeFeatureList (`kubectl get nodefeatures -A -o json`).
fn fleet_list(nodes: &[Node]) -> Vec<u8> {
    let items: Vec<Value> = nodes
        .iter()
        .map(|n| {
            json!({
                "apiVersion": "nfd.k8s-sigs.io/v1alpha1",
                "kind": "NodeFeature",
                "metadata": {"name": n.name, "namespace": "node-feature-discovery"},
                "spec": {"features": n.features},
            })
        })
        .collect();
    serde_json::to_vec(&json!({"apiVersion": "v1", "kind": "List", "items": items})).unwrap()
}

/// What makes an expression: its op and values, as JSON.
fn expr(op: &str, values: &[&str]) -> Value {
    if values.is_empty() {
        json!({"op": op})
    } else {
        json!({"op": op, "value": values})
    }
}

/// `(feature, element)` pairs whose value is an integer on every node that has them (ordering
/// ops on them never fail to evaluate).
fn numeric_everywhere(nodes: &[Node]) -> BTreeSet<(String, String)> {
    let mut seen: BTreeMap<(String, String), bool> = BTreeMap::new();
    let mut note = |feature: &str, name: &str, value: &str| {
        let ok = value.parse::<i64>().is_ok();
        *seen
            .entry((feature.to_owned(), name.to_owned()))
            .or_insert(true) &= ok;
    };
    for n in nodes {
        for (f, set) in &n.features.attributes {
            for (k, v) in set.elements.iter().flatten() {
                note(f, k, v);
            }
        }
        for (f, set) in &n.features.instances {
            for i in set.elements.iter().flatten() {
                for (k, v) in i.attributes.iter() {
                    note(f, k, v);
                }
            }
        }
    }
    seen.into_iter()
        .filter(|(_, ok)| *ok)
        .map(|(k, _)| k)
        .collect()
}

/// Draws terms from what the fleet's nodes actually have, so that terms hold on some nodes and
/// fail on others.
struct Terms<'a> {
    nodes: &'a [Node],
    numeric: BTreeSet<(String, String)>,
}

impl Terms<'_> {
    fn term(&self, rng: &mut Rng) -> Value {
        let node = &self.nodes[rng.below(self.nodes.len())].features;
        if rng.chance(3) {
            // A feature no node has: the term fails everywhere.
            return json!({"feature": "fake.nothing", "matchExpressions": {"x": expr("Exists", &[])}});
        }
        match rng.below(3) {
            0 => {
                let flags: Vec<(&String, &BTreeSet<String>)> = node
                    .flags
                    .iter()
                    .filter_map(|(f, s)| s.elements.as_ref().map(|e| (f, e)))
                    .filter(|(_, e)| !e.is_empty())
                    .collect();
                if flags.is_empty() {
                    return self.term(rng);
                }
                let (feature, names) = flags[rng.below(flags.len())];
                let names: Vec<&String> = names.iter().collect();
                let name = names[rng.below(names.len())].as_str();
                let feature = if rng.chance(5) {
                    feature.to_uppercase()
                } else {
                    feature.clone()
                };
                match rng.below(10) {
                    0..=4 => {
                        json!({"feature": feature, "matchExpressions": {name: expr("Exists", &[])}})
                    }
                    5 => {
                        json!({"feature": feature, "matchExpressions": {name: expr("DoesNotExist", &[])}})
                    }
                    6 => {
                        let prefix: String = name.chars().take(3).collect();
                        json!({"feature": feature, "matchName": expr("InRegexp", &[&format!("^{}", regex_escape(&prefix))])})
                    }
                    7 => {
                        json!({"feature": feature, "matchName": expr("In", &[name, "no-such-name"])})
                    }
                    8 => {
                        let other = names[rng.below(names.len())].as_str();
                        json!({"feature": feature, "matchExpressions": {name: expr("Exists", &[]), other: expr("Exists", &[])}})
                    }
                    _ => {
                        json!({"feature": feature, "matchExpressions": {"no_such_flag": expr("DoesNotExist", &[])}})
                    }
                }
            }
            1 => {
                let attrs: Vec<(&String, &BTreeMap<String, String>)> = node
                    .attributes
                    .iter()
                    .filter_map(|(f, s)| s.elements.as_ref().map(|e| (f, e)))
                    .filter(|(f, e)| !e.is_empty() && f.as_str() != "rule.matched")
                    .collect();
                if attrs.is_empty() {
                    return self.term(rng);
                }
                let (feature, elements) = attrs[rng.below(attrs.len())];
                let pairs: Vec<(&String, &String)> = elements.iter().collect();
                let (key, value) = pairs[rng.below(pairs.len())];
                let numeric = self.numeric.contains(&(feature.clone(), key.clone()));
                let e = match rng.below(10) {
                    0..=2 => expr("In", &[value]),
                    3 => expr("In", &[value, "other-value"]),
                    4 => expr("NotIn", &[value]),
                    5 => expr("Exists", &[]),
                    6 => expr("DoesNotExist", &[]),
                    7 if value == "true" || value == "false" => {
                        expr(if rng.chance(50) { "IsTrue" } else { "IsFalse" }, &[])
                    }
                    8 | 9 if numeric => {
                        let v: i64 = value.parse().unwrap();
                        match rng.below(3) {
                            0 => expr(
                                "Gt",
                                &[&(v - 1 + i64::try_from(rng.below(3)).unwrap()).to_string()],
                            ),
                            1 => expr(
                                "Lt",
                                &[&(v - 1 + i64::try_from(rng.below(3)).unwrap()).to_string()],
                            ),
                            _ => expr(
                                "GtLt",
                                &[
                                    &(v - 2).to_string(),
                                    &(v + 1 + i64::try_from(rng.below(2)).unwrap()).to_string(),
                                ],
                            ),
                        }
                    }
                    _ => expr(
                        "InRegexp",
                        &[&format!(
                            "^{}",
                            regex_escape(&value.chars().take(2).collect::<String>())
                        )],
                    ),
                };
                json!({"feature": feature, "matchExpressions": {key: e}})
            }
            _ => {
                let inst: Vec<(&String, &Vec<nfd_compat::features::Instance>)> = node
                    .instances
                    .iter()
                    .filter_map(|(f, s)| s.elements.as_ref().map(|e| (f, e)))
                    .filter(|(_, e)| !e.is_empty())
                    .collect();
                if inst.is_empty() {
                    return self.term(rng);
                }
                let (feature, elements) = inst[rng.below(inst.len())];
                let instance = &elements[rng.below(elements.len())].attributes;
                let pairs: Vec<(&str, &str)> = instance.iter().collect();
                if pairs.is_empty() || rng.chance(5) {
                    return json!({"feature": feature, "matchExpressions": {}});
                }
                let mut exprs = Map::new();
                for _ in 0..=rng.below(2) {
                    let (k, v) = pairs[rng.below(pairs.len())];
                    let numeric = self.numeric.contains(&(feature.clone(), k.to_owned()));
                    let e = if numeric && rng.chance(25) {
                        let v: i64 = v.parse().unwrap();
                        expr("Gt", &[&(v - 1).to_string()])
                    } else if rng.chance(15) {
                        expr("NotIn", &[v])
                    } else {
                        expr("In", &[v])
                    };
                    exprs.insert(k.to_owned(), e);
                }
                json!({"feature": feature, "matchExpressions": exprs})
            }
        }
    }

    fn terms(&self, rng: &mut Rng, at_most: usize) -> Vec<Value> {
        (0..=rng.below(at_most)).map(|_| self.term(rng)).collect()
    }

    /// A rule named `name`; `vars` and `backrefs` ask for vars and `rule.matched` terms.
    fn rule(&self, rng: &mut Rng, name: &str, vars: &mut Vec<String>, backrefs: bool) -> Value {
        let mut rule = Map::new();
        rule.insert("name".to_owned(), json!(name));
        let mut features = if rng.chance(80) {
            self.terms(rng, 3)
        } else {
            Vec::new()
        };
        if backrefs && !vars.is_empty() && rng.chance(50) {
            let var = &vars[rng.below(vars.len())];
            let op = if rng.chance(75) {
                "IsTrue"
            } else {
                "DoesNotExist"
            };
            features
                .push(json!({"feature": "rule.matched", "matchExpressions": {var: expr(op, &[])}}));
        }
        if !features.is_empty() {
            rule.insert("matchFeatures".to_owned(), Value::Array(features));
        }
        if rng.chance(40) {
            let any: Vec<Value> = (0..=rng.below(3))
                .map(|_| {
                    let terms = if rng.chance(5) {
                        Vec::new()
                    } else {
                        self.terms(rng, 2)
                    };
                    json!({"matchFeatures": terms})
                })
                .collect();
            rule.insert("matchAny".to_owned(), Value::Array(any));
        }
        if backrefs && rng.chance(40) {
            let var = format!("{name}-ok");
            rule.insert("vars".to_owned(), json!({var.clone(): "true"}));
            vars.push(var);
        }
        if backrefs && rng.chance(15) {
            // A template over the matched elements: one var per matched element name. It runs
            // on each matched `matchAny` element too, where `.kernel` may be missing: no
            // `matchAny` then.
            rule.remove("matchAny");
            rule.insert(
                "varsTemplate".to_owned(),
                json!("{{ range .kernel.loadedmodule }}mod-{{ .Name }}=true\n{{ end }}"),
            );
            if let Some(Value::Array(terms)) = rule.get_mut("matchFeatures") {
                terms.push(json!({"feature": "kernel.loadedmodule", "matchName": expr("InRegexp", &["^vfio"])}));
            } else {
                rule.insert(
                    "matchFeatures".to_owned(),
                    json!([{"feature": "kernel.loadedmodule", "matchName": expr("InRegexp", &["^vfio"])}]),
                );
            }
            vars.push("mod-vfio_pci".to_owned());
        }
        Value::Object(rule)
    }

    /// A random spec of 1-3 sets of 0-4 rules.
    fn spec(&self, rng: &mut Rng, backrefs: bool) -> Value {
        let mut vars = Vec::new();
        let sets: Vec<Value> = (0..=rng.below(3))
            .map(|s| {
                let count = if rng.chance(5) { 0 } else { 1 + rng.below(4) };
                let rules: Vec<Value> = (0..count)
                    .map(|r| self.rule(rng, &format!("s{s}r{r}"), &mut vars, backrefs))
                    .collect();
                let tag = ["a", "b", "c"][rng.below(3)];
                json!({
                    "tag": tag,
                    "weight": rng.below(10),
                    "rules": rules,
                })
            })
            .collect();
        json!({"version": "v1alpha1", "compatibilities": sets})
    }
}

fn regex_escape(s: &str) -> String {
    regex::escape(s)
}

/// Whether the spec reads `rule.matched` or uses a `varsTemplate` (what one rule per set
/// cannot express).
fn needs_chaining(spec: &Value) -> bool {
    let text = spec.to_string();
    text.contains("rule.matched") || text.contains("varsTemplate")
}

/// One spec to check: its text, the `--tags` to pass, and a name for messages.
struct Case {
    name: String,
    text: String,
    tags: Vec<String>,
}

fn cases(nodes: &[Node]) -> Vec<Case> {
    let mut out = Vec::new();
    for file in ["specs/gpu-node.yaml", "specs/nfd-example.yaml"] {
        out.push(Case {
            name: file.to_owned(),
            text: fs::read_to_string(testdata(file)).unwrap(),
            tags: Vec::new(),
        });
    }
    out.push(Case {
        name: "generated 12-rule spec".to_owned(),
        text: generate::spec_yaml(12),
        tags: Vec::new(),
    });
    out.push(Case {
        name: "generated 12-rule spec, --tags avx512,baseline".to_owned(),
        text: generate::spec_yaml(12),
        tags: vec!["avx512".to_owned(), "baseline".to_owned()],
    });
    let terms = Terms {
        nodes,
        numeric: numeric_everywhere(nodes),
    };
    let mut rng = Rng::new(2026);
    for i in 0..48 {
        let backrefs = i % 4 == 3;
        let spec = terms.spec(&mut rng, backrefs);
        let tags = if i % 7 == 6 {
            vec![
                spec["compatibilities"][0]["tag"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ]
        } else {
            Vec::new()
        };
        out.push(Case {
            name: format!("random spec #{i}"),
            text: serde_json::to_string_pretty(&spec).unwrap(),
            tags,
        });
    }
    out
}

/// `validate-node`'s answer for every node: per selected set, whether it is compatible.
fn verdicts(spec: &Path, list: &Path, tags: &[String]) -> BTreeMap<String, Vec<bool>> {
    let mut args = vec![
        "validate-node".to_owned(),
        "--spec".to_owned(),
        spec.display().to_string(),
        "--features".to_owned(),
        list.display().to_string(),
        "-o".to_owned(),
        "json".to_owned(),
    ];
    if !tags.is_empty() {
        args.push(format!("--tags={}", tags.join(",")));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args, None);
    assert!(
        out.code == 0 || out.code == 1,
        "validate-node exited with {}: {}{}",
        out.code,
        out.stderr,
        out.stdout
            .lines()
            .find(|l| l.contains("\"error\""))
            .unwrap_or_default()
    );
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            assert_ne!(n["verdict"], "error", "{n}");
            let sets = n["sets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["isMatch"].as_bool().unwrap())
                .collect();
            (n["node"].as_str().unwrap().to_owned(), sets)
        })
        .collect()
}

/// Runs `export KIND --spec FILE -o json` with extra args.
fn export(kind: &str, spec: &Path, tags: &[String], extra: &[&str]) -> crate::common::Output {
    let mut args = vec![
        "export".to_owned(),
        kind.to_owned(),
        "--spec".to_owned(),
        spec.display().to_string(),
        "-o".to_owned(),
        "json".to_owned(),
    ];
    if !tags.is_empty() {
        args.push(format!("--tags={}", tags.join(",")));
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args, None)
}

/// NFD master's reading of a list of rules (a NodeFeatureGroup's `featureGroupRules` or a
/// NodeFeatureRule's `rules`): the rules in order, each seeing in `rule.matched` the labels and
/// vars of the rules that matched before it on that node (vars win over labels, as the master
/// inserts labels first). A rule that cannot be evaluated is skipped by the master (it logs
/// the error), so it counts as not matched.
struct Master {
    spec: nfd_compat::spec::Spec,
}

impl Master {
    fn new(rules: &[Value]) -> Master {
        let sets: Vec<Value> = rules
            .iter()
            .map(|r| {
                let mut r = r.as_object().unwrap().clone();
                let mut vars = r
                    .remove("labels")
                    .and_then(|l| l.as_object().cloned())
                    .unwrap_or_default();
                if let Some(Value::Object(v)) = r.remove("vars") {
                    vars.extend(v);
                }
                if !vars.is_empty() {
                    r.insert("vars".to_owned(), Value::Object(vars));
                }
                json!({"rules": [r]})
            })
            .collect();
        let doc = json!({"version": "v1alpha1", "compatibilities": sets});
        let spec = nfd_compat::spec::load(doc.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("the exported rules do not load: {e}\n{doc:#}"))
            .spec;
        Master { spec }
    }

    /// Which rules match on `features`.
    fn matched(&self, features: &Features) -> Vec<bool> {
        rules::evaluate(&self.spec, features, &Options::default())
            .sets
            .iter()
            .map(|s| s.is_match() && !s.rules.iter().any(rules::RuleEvaluation::has_errors))
            .collect()
    }
}

/// The objects of an `export ... -o json` run.
fn items(stdout: &str) -> Vec<Value> {
    let list: Value = serde_json::from_str(stdout).unwrap();
    list["items"].as_array().unwrap().clone()
}

/// Tallies (set, node) pairs and the ones that disagree.
#[derive(Default)]
struct Tally {
    pairs: usize,
    compatible: usize,
    disagree: Vec<String>,
}

impl Tally {
    /// Records one pair; `what` names the set (or "any set") for messages.
    fn check(&mut self, case: &str, what: &str, node: &str, want: bool, got: bool) {
        self.pairs += 1;
        self.compatible += usize::from(want);
        if want != got {
            self.disagree.push(format!(
                "{case}, {what}, node {node}: validate-node says {}, NFD's master would {}",
                if want { "compatible" } else { "incompatible" },
                if got { "select it" } else { "not select it" },
            ));
        }
    }

    /// The disagreements, as a message (empty when there are none).
    fn summary(&self, what: &str) -> String {
        if self.disagree.is_empty() {
            return String::new();
        }
        let mut shown = format!(
            "{what}: {} of {} (set, node) pairs disagree with validate-node:\n",
            self.disagree.len(),
            self.pairs
        );
        for d in self.disagree.iter().take(10) {
            let _ = writeln!(shown, "  {d}");
        }
        shown
    }

    /// The comparison means something only if both answers are common.
    fn assert_balanced(&self, what: &str) {
        assert!(
            self.compatible * 10 >= self.pairs && self.compatible * 10 <= self.pairs * 9,
            "{what}: {} of {} pairs compatible; the generated specs are too easy or too hard",
            self.compatible,
            self.pairs
        );
    }
}

#[test]
fn exported_objects_select_exactly_the_nodes_validate_node_calls_compatible() {
    let nodes = fleet();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("fleet.json");
    fs::write(&list, fleet_list(&nodes)).unwrap();
    let mut groups_tally = Tally::default();
    let mut rule_tally = Tally::default();
    let mut refused = 0;
    for case in cases(&nodes) {
        let spec = dir.path().join("spec.json");
        fs::write(&spec, &case.text).unwrap();
        let want = verdicts(&spec, &list, &case.tags);

        // NodeFeatureGroups: a node is in the group of set S when any featureGroupRule matches.
        let out = export("nodefeaturegroup", &spec, &case.tags, &[]);
        let spec_value: Value = yaml_serde::from_str(&case.text).unwrap();
        if out.code == 0 {
            let groups: Vec<Master> = items(&out.stdout)
                .iter()
                .map(|g| Master::new(g["spec"]["featureGroupRules"].as_array().unwrap()))
                .collect();
            for node in &nodes {
                let sets = &want[&node.name];
                assert_eq!(groups.len(), sets.len(), "{}: one group per set", case.name);
                for (i, group) in groups.iter().enumerate() {
                    let selected = group.matched(&node.features).into_iter().any(|m| m);
                    groups_tally.check(
                        &case.name,
                        &format!("set #{}", i + 1),
                        &node.name,
                        sets[i],
                        selected,
                    );
                }
            }
        } else {
            // Only what one rule per set cannot express may be refused, with a way out.
            assert!(
                needs_chaining(&spec_value) && out.stderr.contains("export nodefeaturerule"),
                "{}: refused: {}",
                case.name,
                out.stderr
            );
            refused += 1;
        }

        // A NodeFeatureRule: the label goes to the nodes where some set is compatible.
        let out = export(
            "nodefeaturerule",
            &spec,
            &case.tags,
            &["--label", "example.com/app=ok"],
        );
        assert_eq!(out.code, 0, "{}: {}", case.name, out.stderr);
        let objects = items(&out.stdout);
        assert_eq!(objects.len(), 1);
        let rules = objects[0]["spec"]["rules"].as_array().unwrap();
        let master = Master::new(rules);
        for node in &nodes {
            let labelled = rules
                .iter()
                .zip(master.matched(&node.features))
                .any(|(r, m)| m && r["labels"]["example.com/app"] == "ok");
            let compatible = want[&node.name].iter().any(|m| *m);
            rule_tally.check(&case.name, "any set", &node.name, compatible, labelled);
        }
    }
    let groups = groups_tally.summary("export nodefeaturegroup");
    let rule = rule_tally.summary("export nodefeaturerule");
    assert!(groups.is_empty() && rule.is_empty(), "{groups}{rule}");
    groups_tally.assert_balanced("export nodefeaturegroup");
    rule_tally.assert_balanced("export nodefeaturerule");
    assert!(refused > 0, "no spec with back-references was refused");
}
fn crd_schemas() -> Vec<(String, Value)> {
    let text = fs::read_to_string(testdata("crds/nfd-api-crds.yaml")).unwrap();
    text.split("\n---")
        .filter(|d| d.contains("CustomResourceDefinition"))
        .map(|d| {
            let crd: Value = yaml_serde::from_str(d).unwrap();
            let kind = crd["spec"]["names"]["kind"].as_str().unwrap().to_owned();
            let schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
            (kind, schema)
        })
        .collect()
}

/// Validates `object` against the CRD schema of its kind; the errors, if any.
fn schema_errors(object: &Value) -> Vec<String> {
    let kind = object["kind"].as_str().unwrap();
    let (_, schema) = crd_schemas()
        .into_iter()
        .find(|(k, _)| k == kind)
        .unwrap_or_else(|| panic!("no CRD for {kind}"));
    let validator = jsonschema::draft4::new(&schema).unwrap();
    validator
        .iter_errors(object)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn yaml_docs(text: &str) -> Vec<Value> {
    text.split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| yaml_serde::from_str(d).unwrap())
        .collect()
}

/// The prefix of every label and annotation the export writes (README, "Names").
const PREFIX: &str = "nfd-compat.github.io/";

/// A spec whose second rule reads the first one's var through `rule.matched`.
const BACKREF_SPEC: &str = "version: v1alpha1
compatibilities:
- rules:
  - name: kvm
    vars: {kvm: \"true\"}
    matchFeatures:
    - feature: kernel.loadedmodule
      matchExpressions:
        kvm: {op: Exists}
  - name: kvm and vfio
    matchFeatures:
    - feature: rule.matched
      matchExpressions:
        kvm: {op: IsTrue}
    - feature: kernel.loadedmodule
      matchExpressions:
        vfio_pci: {op: Exists}
";

fn write_spec(dir: &Path, text: &str) -> String {
    let path = dir.join("spec.yaml");
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `export KIND --spec SPEC -o json EXTRA...`, which must succeed with objects that pass NFD's
/// CRD schemas; the objects.
fn export_ok(kind: &str, spec: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["export", kind, "--spec", spec, "-o", "json"];
    args.extend_from_slice(extra);
    let out = run(&args, None);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    let objects = items(&out.stdout);
    for o in &objects {
        assert_eq!(schema_errors(o), Vec::<String>::new(), "{o}");
    }
    objects
}

/// Every annotation and label key of `object` under this project's prefix.
fn assert_our_names(object: &Value) {
    let annotations = object["metadata"]["annotations"].as_object().unwrap();
    let rules = object["spec"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let labels = rules
        .iter()
        .filter_map(|r| r["labels"].as_object())
        .flat_map(|l| l.keys());
    for key in annotations.keys().chain(labels) {
        assert!(key.starts_with(PREFIX), "{key}");
    }
}

#[test]
fn nodefeaturegroups_are_one_rule_per_set_and_pass_nfds_crd() {
    let out = run(
        &[
            "export",
            "nodefeaturegroup",
            "--spec",
            &testdata("specs/gpu-node.yaml"),
            "--namespace",
            "apps",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let docs = yaml_docs(&out.stdout);
    assert_eq!(docs.len(), 2);
    for (n, doc) in docs.iter().enumerate() {
        assert_eq!(doc["apiVersion"], "nfd.k8s-sigs.io/v1alpha1");
        assert_eq!(doc["kind"], "NodeFeatureGroup");
        assert_eq!(schema_errors(doc), Vec::<String>::new(), "{doc}");
        assert_eq!(doc["metadata"]["name"], format!("gpu-node-set{}", n + 1));
        assert_eq!(doc["metadata"]["namespace"], "apps");
        assert_eq!(
            doc["spec"]["featureGroupRules"].as_array().unwrap().len(),
            1
        );
        assert_our_names(doc);
    }
    // Set 1: 5 rules, two of them a 2-element matchAny: the other rules' 4 terms, and
    // 2 x 2 = 4 alternatives.
    let rule = &docs[0]["spec"]["featureGroupRules"][0];
    assert_eq!(rule["matchFeatures"].as_array().unwrap().len(), 4);
    assert_eq!(rule["matchAny"].as_array().unwrap().len(), 4);
    insta::assert_snapshot!("export_nodefeaturegroup", redact(&out.stdout));
    // The schema check is real: a wrong op fails it.
    let mut broken = docs[0].clone();
    broken["spec"]["featureGroupRules"][0]["matchFeatures"][0]["matchExpressions"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .for_each(|e| e["op"] = "Maybe".into());
    assert!(!schema_errors(&broken).is_empty());
}

#[test]
fn matchany_lists_of_several_rules_are_multiplied_out() {
    let dir = tempfile::tempdir().unwrap();
    let any = |vendors: &[&str]| {
        let mut out = String::new();
        for v in vendors {
            let _ = write!(
                out,
                "    - matchFeatures:\n      - feature: pci.device\n        matchExpressions:\n          vendor: {{op: In, value: [\"{v}\"]}}\n"
            );
        }
        out
    };
    let spec = format!(
        "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: gpu\n    matchAny:\n{}  - name: nic\n    matchAny:\n{}  - name: anything\n    matchAny:\n    - matchFeatures: []\n{}",
        any(&["10de", "1002"]),
        any(&["15b3", "8086", "14e4"]),
        any(&["1af4"])
    );
    let spec = write_spec(dir.path(), &spec);
    let group = &export_ok("nodefeaturegroup", &spec, &[])[0];
    let alternatives: Vec<Vec<&str>> = group["spec"]["featureGroupRules"][0]["matchAny"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a["matchFeatures"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    t["matchExpressions"]["vendor"]["value"][0]
                        .as_str()
                        .unwrap()
                })
                .collect()
        })
        .collect();
    // `anything` always matches (an element without terms), so it is left out.
    assert_eq!(
        alternatives,
        [
            ["10de", "15b3"],
            ["10de", "8086"],
            ["10de", "14e4"],
            ["1002", "15b3"],
            ["1002", "8086"],
            ["1002", "14e4"]
        ]
    );
    assert_eq!(
        group["metadata"]["annotations"]["nfd-compat.github.io/built-from"],
        "compatibilities[0]: 3 rules as one rule; matchFeatures = all their terms (0); matchAny = one alternative per pick of an element from each rule's matchAny (`gpu`: 2, `nic`: 3), 6 alternatives"
    );
}

#[test]
fn a_nodefeaturerule_labels_where_some_set_matches_and_passes_nfds_crd() {
    let out = run(
        &[
            "export",
            "nodefeaturerule",
            "--spec",
            &testdata("specs/gpu-node.yaml"),
            "-o",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rule = &items(&out.stdout)[0];
    assert_eq!(schema_errors(rule), Vec::<String>::new(), "{rule}");
    assert_our_names(rule);
    let rules = rule["spec"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2, "one rule per set");
    for r in rules {
        assert_eq!(
            r["labels"],
            json!({"nfd-compat.github.io/compatible-gpu-node": "true"})
        );
    }
    insta::assert_snapshot!("export_nodefeaturerule", redact(&out.stdout));

    // With back-references the rules stay apart, each marking itself; the last one labels.
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), BACKREF_SPEC);
    let rule = &export_ok(
        "nodefeaturerule",
        &spec,
        &["--label", "example.com/kvm-ready=yes"],
    )[0];
    let rules = rule["spec"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3);
    assert_eq!(
        rules[0]["vars"],
        json!({"kvm": "true", "nfd-compat.github.io/spec-set1-rule1": "true"})
    );
    assert_eq!(
        rules[2]["matchAny"],
        json!([{"matchFeatures": [{"feature": "rule.matched", "matchExpressions": {
            "nfd-compat.github.io/spec-set1-rule1": {"op": "IsTrue"},
            "nfd-compat.github.io/spec-set1-rule2": {"op": "IsTrue"},
        }}]}])
    );
    assert_eq!(rules[2]["labels"], json!({"example.com/kvm-ready": "yes"}));
}

/// `export KIND --spec SPEC`, which must be refused (exit 2, nothing on stdout) with an error
/// containing `error`.
fn assert_refused(kind: &str, spec: &str, error: &str) {
    let out = run(&["export", kind, "--spec", spec], None);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains(error), "{}", out.stderr);
}

#[test]
fn what_one_rule_per_set_cannot_say_is_refused_with_a_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(dir.path(), BACKREF_SPEC);
    assert_refused(
        "nodefeaturegroup",
        &spec,
        "error: cannot export set #1 as a NodeFeatureGroup: `compatibilities[0].rules[1]` (`kvm and vfio`) reads `rule.matched`, which needs the rules before it kept apart; NFD's master would put a node into the group when ANY featureGroupRule matches, so use `export nodefeaturerule` (which keeps the rules apart), or select other sets with --tags\n",
    );

    let template = BACKREF_SPEC.replace(
        "vars: {kvm: \"true\"}",
        "varsTemplate: \"{{ range .kernel.loadedmodule }}{{ .Name }}=true\\n{{ end }}\"",
    );
    let spec = write_spec(dir.path(), &template);
    assert_refused(
        "nodefeaturegroup",
        &spec,
        "`compatibilities[0].rules[0]` (`kvm`) has a `varsTemplate`",
    );

    // 7 x 7 x 7 alternatives do not fit one rule; a NodeFeatureRule keeps the rules apart.
    let mut seven = String::new();
    for i in 0..7 {
        let _ = write!(
            seven,
            "    - matchFeatures:\n      - feature: cpu.cpuid\n        matchExpressions:\n          F{i}: {{op: Exists}}\n"
        );
    }
    let big = format!(
        "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: a\n    matchAny:\n{seven}  - name: b\n    matchAny:\n{seven}  - name: c\n    matchAny:\n{seven}"
    );
    let spec = write_spec(dir.path(), &big);
    assert_refused(
        "nodefeaturegroup",
        &spec,
        "set #1: the `matchAny` lists of `compatibilities[0].rules[0]` (7), `compatibilities[0].rules[1]` (7), `compatibilities[0].rules[2]` (7) make more than 256 combinations",
    );
    let rule = &export_ok("nodefeaturerule", &spec, &[])[0];
    assert_eq!(rule["spec"]["rules"].as_array().unwrap().len(), 4);

    // NFD's CRDs have no match-anything op; the error says where and what to write instead.
    let any = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: kvm\n    matchFeatures:\n    - feature: kernel.loadedmodule\n      matchExpressions:\n        kvm: {op: \"\"}\n";
    let spec = write_spec(dir.path(), any);
    for kind in ["nodefeaturegroup", "nodefeaturerule"] {
        assert_refused(
            kind,
            &spec,
            "error: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.kvm`: op `\"\"` (match anything) is not accepted by NFD's CRDs; remove the expression or use `Exists`\n",
        );
    }

    // A matchName on rule.matched would see the markers.
    let names = BACKREF_SPEC.replace(
        "      matchExpressions:\n        kvm: {op: IsTrue}",
        "      matchName: {op: In, value: [kvm]}",
    );
    let spec = write_spec(dir.path(), &names);
    assert_refused(
        "nodefeaturerule",
        &spec,
        "`compatibilities[0].rules[1]` (`kvm and vfio`): a `matchName` on `rule.matched`",
    );
}

#[test]
fn labels_are_checked_against_kubernetes_syntax() {
    let spec = testdata("specs/gpu-node.yaml");
    for (label, error) in [
        ("novalue", "error: --label `novalue` is not KEY=VALUE"),
        (
            "app=true",
            "error: --label `app=true`: the key has no prefix, and NFD's master would turn it into `feature.node.kubernetes.io/app`; write a prefix you own (e.g. `nfd-compat.github.io/app`)",
        ),
        (
            "node.kubernetes.io/app=true",
            "error: --label `node.kubernetes.io/app=true`: NFD's master drops labels under `node.kubernetes.io` (only `feature.node.kubernetes.io` and `profile.node.kubernetes.io` are allowed there); use a prefix you own (e.g. `nfd-compat.github.io`)",
        ),
        (
            "Example.com/app=true",
            "error: --label `Example.com/app=true`: the key's prefix `Example.com` is not a DNS subdomain (lowercase letters, digits, `-` and `.`, each part starting and ending with a letter or digit)",
        ),
        (
            "example.com/app=not ok",
            "error: --label `example.com/app=not ok`: the value `not ok` may contain only letters, digits, `-`, `_` and `.`",
        ),
    ] {
        let out = run(
            &[
                "export",
                "nodefeaturerule",
                "--spec",
                &spec,
                "--label",
                label,
            ],
            None,
        );
        assert_eq!(out.code, 2, "{label}");
        assert!(out.stdout.is_empty(), "{label}: {}", out.stdout);
        assert_eq!(out.stderr.trim(), error);
    }
    let long = format!("example.com/{}=true", "a".repeat(64));
    let out = run(
        &[
            "export",
            "nodefeaturerule",
            "--spec",
            &spec,
            "--label",
            &long,
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is longer than 63 characters"),
        "{}",
        out.stderr
    );
}

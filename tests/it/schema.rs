//! `schema`: the committed JSON Schema matches the command's output, accepts every fixture
//! spec and rejects what the loader rejects.
//!
//! To regenerate `schemas/image-compatibility-v1alpha1.json` after changing the spec's wire
//! types (`src/spec/schema.rs`): `NFD_COMPAT_UPDATE=1 cargo test --test it schema::`, then
//! review the diff.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{run, testdata};

const SCHEMA_FILE: &str = "schemas/image-compatibility-v1alpha1.json";

fn schema_text() -> String {
    let out = run(&["schema"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    out.stdout
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&schema_text()).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

fn yaml_to_json(text: &str) -> Value {
    yaml_serde::from_str(text).expect("fixture is YAML")
}

#[test]
fn committed_schema_matches_the_command() {
    let text = schema_text();
    assert!(text.ends_with("}\n"), "pretty JSON with a trailing newline");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_FILE);
    if std::env::var_os("NFD_COMPAT_UPDATE").is_some() {
        std::fs::write(&path, &text).expect("write schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{SCHEMA_FILE} differs from `nfd-compat schema`; regenerate with \
         NFD_COMPAT_UPDATE=1 cargo test --test it schema::"
    );
}

#[test]
fn schema_accepts_every_fixture_spec() {
    let validator = validator();
    let mut seen = 0;
    let dir = PathBuf::from(testdata("specs"));
    for entry in std::fs::read_dir(&dir).expect("specs dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "yaml" && e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read spec");
        // The schema agrees with the loader: what loads validates, what does not is refused.
        if nfd_compat::spec::load(text.as_bytes()).is_err() {
            assert!(
                !validator.is_valid(&yaml_to_json(&text)),
                "{} fails to load but passes the schema",
                path.display()
            );
            continue;
        }
        let errors: Vec<String> = validator
            .iter_errors(&yaml_to_json(&text))
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        seen += 1;
    }
    assert!(seen >= 2, "no fixture specs found in {}", dir.display());
}

const HEAD: &str = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n";

#[test]
fn schema_and_loader_agree_on_good_and_bad_specs() {
    let validator = validator();
    let good = [
        format!("{HEAD}        vendor_id: {{op: In, value: [\"Intel\", \"AMD\"]}}\n"),
        format!("{HEAD}        vendor_id: {{op: Exists}}\n"),
        format!("{HEAD}        vendor_id: {{op: Exists, value: []}}\n"),
        format!("{HEAD}        family: {{op: GtLt, value: [\"-1\", \"+7\"]}}\n"),
        format!("{HEAD}        family: {{op: Ge, value: [\"5.15\"], type: version}}\n"),
        format!("{HEAD}        family: {{op: Gt, value: [\"5\"], type: \"\"}}\n"),
        "version: v1alpha1\n".to_owned(),
        "version: v1alpha1\ncompatibilities:\n- tag: t\n  weight: 3\n  description: d\n  rules:\n  - name: a\n    vars: {x: \"1\"}\n    varsTemplate: \"y=2\"\n    matchAny:\n    - matchFeatures:\n      - feature: cpu.cpuid\n        matchName: {op: InRegexp, value: [\"^AVX\"]}\n".to_owned(),
    ];
    for text in &good {
        let json = yaml_to_json(text);
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "schema rejects\n{text}{errors:#?}");
        let loaded = nfd_compat::spec::load(text.as_bytes());
        assert!(loaded.is_ok(), "loader rejects\n{text}{loaded:?}");
    }
    let bad = [
        ("unknown op", format!("{HEAD}        vendor_id: {{op: Equals, value: [\"a\"]}}\n")),
        ("value as a scalar", format!("{HEAD}        vendor_id: {{op: In, value: \"Intel\"}}\n")),
        ("missing version", "compatibilities: []\n".to_owned()),
        ("wrong version", "version: v1\ncompatibilities: []\n".to_owned()),
        ("unknown top-level field", "version: v1alpha1\ncompatibility: []\n".to_owned()),
        ("unknown expression field", format!("{HEAD}        vendor_id: {{op: In, values: [\"a\"]}}\n")),
        ("unknown set field", "version: v1alpha1\ncompatibilities:\n- rulez: []\n".to_owned()),
        ("unknown term field", "version: v1alpha1\ncompatibilities:\n- rules:\n  - matchFeatures:\n    - feature: a.b\n      matchExpression: {}\n".to_owned()),
        ("missing feature", "version: v1alpha1\ncompatibilities:\n- rules:\n  - matchFeatures:\n    - matchName: {op: Exists}\n".to_owned()),
        ("In without values", format!("{HEAD}        vendor_id: {{op: In}}\n")),
        ("Exists with a value", format!("{HEAD}        vendor_id: {{op: Exists, value: [\"a\"]}}\n")),
        ("Gt with two values", format!("{HEAD}        family: {{op: Gt, value: [\"1\", \"2\"]}}\n")),
        ("GtLt with one value", format!("{HEAD}        family: {{op: GtLt, value: [\"1\"]}}\n")),
        ("Gt on a non-integer", format!("{HEAD}        family: {{op: Gt, value: [\"six\"]}}\n")),
        ("unknown type", format!("{HEAD}        family: {{op: Gt, value: [\"1\"], type: semver}}\n")),
        ("weight not an integer", "version: v1alpha1\ncompatibilities:\n- weight: heavy\n".to_owned()),
        ("compatibilities a mapping", "version: v1alpha1\ncompatibilities: {}\n".to_owned()),
    ];
    for (what, text) in &bad {
        let json = yaml_to_json(text);
        assert!(!validator.is_valid(&json), "schema accepts {what}:\n{text}");
        assert!(
            nfd_compat::spec::load(text.as_bytes()).is_err(),
            "loader accepts {what}:\n{text}"
        );
    }
}

//! Control characters (CR, LF, ESC, other C0 and C1 controls, bidi overrides) in names,
//! descriptions, tags, values and the messages that quote them reach no terminal as is: every
//! human output escapes them (`\x1b`, `\r`, `\u{202e}`).

use crate::common::{Output, run};
use crate::support::registry::{Registry, push_images};

/// What must never be printed raw.
const RAW: [char; 7] = [
    '\x1b', '\r', '\x07', '\u{85}', '\u{9b}', '\u{202e}', '\u{2066}',
];

fn assert_clean(what: &str, text: &str) {
    for c in RAW {
        assert!(!text.contains(c), "{what} prints {c:?} raw:\n{text}");
    }
}

fn assert_all_clean(what: &str, out: &Output) {
    assert_clean(&format!("{what} (stdout)"), &out.stdout);
    assert_clean(&format!("{what} (stderr)"), &out.stderr);
}

/// A spec whose tag, description, rule name, feature, element and value carry controls.
const SPEC: &str = "version: v1alpha1
compatibilities:
- tag: \"gpu\\u202Eevil\"
  description: \"line one\\r\\e[2Kline two\\u0085\"
  rules:
  - name: \"rule\\e]0;pwned\\a\"
    matchFeatures:
    - feature: \"kernel.loadedmodul\\e[31me\"
      matchExpressions:
        vfio_pci: {op: Exists}
    - feature: system.osrelease
      matchExpressions:
        \"ID\\u2066\": {op: In, value: [\"rhel\\e[0m\\u009b\"]}
        ID: {op: In, value: [ubuntu]}
        \"VERSION\\e[31m\": {op: In, value: [0300]}
";

fn node(name: &str) -> String {
    format!(
        r#"{{"apiVersion":"nfd.k8s-sigs.io/v1alpha1","kind":"NodeFeature","metadata":{{"name":"{name}"}},"spec":{{"features":{{"attributes":{{"system.osrelease":{{"elements":{{"ID":"rhel\r\u001b[1A\u001b[2KOK"}}}}}}}}}}}}"#
    )
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

#[test]
fn the_single_node_report_and_its_warnings_escape_controls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write(&dir, "spec.yaml", SPEC);
    let features = write(&dir, "node.json", &node("node\\u001b[5mA"));
    let out = run(
        &[
            "validate-node",
            "--spec",
            &spec,
            "--features",
            &features,
            "-o",
            "table",
        ],
        None,
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_all_clean("validate-node", &out);
    for shown in [
        "node\\x1b[5mA",
        "rule\\x1b]0;pwned\\x07",
        "gpu\\u{202e}evil",
        "line one\\r\\x1b[2Kline two\\u{85}",
        "kernel.loadedmodul\\x1b[31me",
    ] {
        assert!(out.stdout.contains(shown), "{shown}:\n{}", out.stdout);
    }
    // The node's own value, in the "node has" column.
    assert!(
        out.stdout.contains("rhel\\r\\x1b[1A\\x1b[2KOK"),
        "{}",
        out.stdout
    );
    // The warning about a value NFD reads differently quotes its place, escaped.
    assert!(out.stderr.contains("\\x1b[31m"), "{}", out.stderr);
    // An error that quotes a name given on the command line.
    let out = run(
        &[
            "validate-node",
            "--spec",
            &spec,
            "--features",
            &features,
            "--node",
            "x\u{1b}[2Jy",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert_all_clean("validate-node --node", &out);
    assert!(out.stderr.contains("x\\x1b[2Jy"), "{}", out.stderr);
}

#[test]
fn the_fleet_table_escapes_node_names_and_causes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write(&dir, "spec.yaml", SPEC);
    let a = write(&dir, "a.json", &node("a\\u001b[2J\\r"));
    let b = write(&dir, "b.json", &node("b\\u202e"));
    let out = run(
        &[
            "validate-node",
            "--spec",
            &spec,
            "--features",
            &a,
            "--features",
            &b,
        ],
        None,
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_all_clean("fleet", &out);
    assert!(out.stdout.contains("a\\x1b[2J\\r"), "{}", out.stdout);
    assert!(out.stdout.contains("b\\u{202e}"), "{}", out.stdout);
}

#[test]
fn lint_text_escapes_what_it_quotes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write(&dir, "spec.yaml", SPEC);
    let out = run(&["lint", &spec], None);
    assert_all_clean("lint", &out);
    assert!(out.stdout.contains("\\x1b[31m"), "{}", out.stdout);
}

#[test]
fn list_escapes_tags_and_descriptions_from_the_registry() {
    let registry = Registry::ferro();
    push_images(&registry, None);
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write(&dir, "spec.yaml", SPEC);
    let image = format!("{}/app:v1", registry.host);
    let attached = run(&["attach", "--image", &image, &spec, "--plain-http"], None);
    assert_eq!(attached.code, 0, "{}", attached.stderr);
    let out = run(&["list", "--image", &image, "--plain-http"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_all_clean("list", &out);
    assert!(
        out.stdout
            .contains("gpu\\u{202e}evil: line one\\r\\x1b[2Kline two\\u{85}"),
        "{}",
        out.stdout
    );
}

#[test]
fn init_quotes_a_hostile_node_name_without_breaking_the_spec() {
    let dir = tempfile::tempdir().expect("tempdir");
    let features = write(&dir, "node.json", &node("n\\rversion: v9\\u001b[2J"));
    let out = run(&["init", "--features", &features], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_all_clean("init", &out);
    assert!(
        out.stdout.contains("n\\rversion: v9\\x1b[2J"),
        "{}",
        out.stdout
    );
    // The starter spec still loads as written.
    let spec = write(&dir, "spec.yaml", &out.stdout);
    let lint = run(&["lint", &spec], None);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
}

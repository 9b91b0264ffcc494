//! The fleet table honours `--color` as the one-node report does.

use std::fs;

use crate::common::run;

const API: &str = "nfd.k8s-sigs.io/v1alpha1";

/// A spec with one rule: the node has `vfio_pci` loaded.
const SPEC: &str = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: vfio\n    matchFeatures:\n    - feature: kernel.loadedmodule\n      matchExpressions:\n        vfio_pci: {op: Exists}\n";

/// A NodeFeature called `name` with `module` loaded.
fn node(name: &str, module: &str) -> String {
    format!(
        r#"{{"apiVersion":"{API}","kind":"NodeFeature","metadata":{{"name":"{name}"}},"spec":{{"features":{{"flags":{{"kernel.loadedmodule":{{"elements":{{"{module}":{{}}}}}}}}}}}}}}"#
    )
}

/// `s` without the colour sequences the table uses.
fn plain(s: &str) -> String {
    ["\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[0m"]
        .iter()
        .fold(s.to_owned(), |s, code| s.replace(code, ""))
}

#[test]
fn the_fleet_table_is_coloured_when_asked_and_otherwise_plain() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    fs::write(&spec, SPEC).unwrap();
    let list = format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{},{}]}}"#,
        node("long-node-name-a", "vfio_pci"),
        node("b", "ip_tables")
    );
    let table = |extra: &[&str]| {
        let mut args = vec![
            "validate-node",
            "--spec",
            spec.to_str().unwrap(),
            "--features",
            "-",
        ];
        args.extend_from_slice(extra);
        let out = run(&args, Some(list.as_bytes()));
        assert_eq!(out.code, 1, "{extra:?}: {}", out.stderr);
        out.stdout
    };
    let plain_table = table(&["--color", "never"]);
    assert!(!plain_table.contains('\x1b'), "{plain_table}");
    assert!(plain_table.starts_with("NODE "), "{plain_table}");
    // Not a terminal: no colour unless asked.
    assert_eq!(table(&[]), plain_table);
    let coloured = table(&["--color", "always"]);
    assert!(
        coloured.contains("\x1b[1m\x1b[32mcompatible\x1b[0m"),
        "{coloured}"
    );
    assert!(
        coloured.contains("\x1b[1m\x1b[31mincompatible\x1b[0m"),
        "{coloured}"
    );
    assert!(coloured.starts_with("\x1b[1mNODE\x1b[0m"), "{coloured}");
    // The same table underneath: the columns line up as in the plain one.
    assert_eq!(plain(&coloured), plain_table);
}

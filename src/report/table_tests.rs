//! The human report at fixed widths: snapshots at 80 and 200 columns, the narrow layout's
//! promises (lines fit, identifiers whole, statuses in their margin), and hostile names.

use super::{Style, render};
use crate::report::{Origin, Report, build};
use crate::rules::{self, Options};
use crate::snapshot;
use crate::spec::load;

fn testdata(rel: &str) -> Vec<u8> {
    let path = format!("{}/testdata/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn report(spec: &[u8], features: &[u8]) -> Report {
    let spec = load(spec).expect("spec loads").spec;
    let mut nodes = snapshot::parse(features).expect("snapshot parses");
    let node = nodes.remove(0);
    let evaluation = rules::evaluate(&spec, &node.features, &Options::default());
    let origin = Origin {
        node: node.name.or_else(|| Some("test-node".to_owned())),
        ..Origin::default()
    };
    build(&spec, &evaluation, &node.features, origin, Vec::new())
}

fn narrow_report() -> Report {
    report(
        &testdata("specs/narrow-report.yaml"),
        &testdata("snapshots/intel-server.json"),
    )
}

fn rendered(report: &Report, width: Option<u16>) -> String {
    let mut out = Vec::new();
    render(
        report,
        &mut out,
        Style {
            color: false,
            width,
        },
    )
    .expect("render");
    String::from_utf8(out).expect("utf-8")
}

/// Lines longer than `width` that could have been wrapped (more than one word after the
/// indent).
fn overlong(text: &str, width: usize) -> Vec<&str> {
    text.lines()
        .filter(|l| l.chars().count() > width && l.trim().contains(' '))
        .collect()
}

#[test]
fn at_80_columns_the_report_is_an_outline_that_fits() {
    let text = rendered(&narrow_report(), Some(80));
    insta::assert_snapshot!("narrow_report_80", text);
    assert_eq!(overlong(&text, 80), Vec::<&str>::new());
    assert!(!text.contains('┆'), "{text}");
    // Identifiers are whole, each on one line.
    for id in [
        "kernel.loadedmodule",
        "kernel.version",
        "sriov_totalvfs",
        "system.osrelease",
        "opensuse-leap]",
    ] {
        assert!(text.contains(id), "{id} is broken:\n{text}");
    }
    // The status is in the margin, never after the rule's name.
    assert!(text.contains("\nFAIL     kernel and cpu\n"), "{text}");
    assert!(!text.contains("kernel and cpu FAIL"), "{text}");
    // An alternative that fails over rows that are all OK says why on its own line.
    assert!(
        text.contains("FAIL       any of, #2: no single instance satisfies all of its"),
        "{text}"
    );
    // Wrapped hints are indented under their expression.
    let hint = text
        .lines()
        .position(|l| l.contains("hint: the kernel lists module names"))
        .expect("the vfio-pci hint");
    let next = text.lines().nth(hint + 1).unwrap_or_default();
    assert!(next.starts_with("                   "), "{next:?}");
}

#[test]
fn at_200_columns_the_report_is_a_table() {
    let text = rendered(&narrow_report(), Some(200));
    insta::assert_snapshot!("narrow_report_200", text);
    assert_eq!(overlong(&text, 200), Vec::<&str>::new());
    assert!(text.contains('┆'), "{text}");
    // Each rule's status is in the status column of its own row.
    assert!(
        text.lines()
            .any(|l| l.starts_with("│ FAIL ") && l.contains("┆ kernel and cpu ")),
        "{text}"
    );
}

/// A spec and a node whose names, tags, descriptions and values carry terminal controls.
fn hostile() -> Report {
    let spec = "version: v1alpha1\ncompatibilities:\n- tag: \"t\\u202Eg\"\n  description: \"two\\nlines\\rback\"\n  rules:\n  - name: \"evil\\e[2J\\e]0;title\\a\"\n    matchFeatures:\n    - feature: test.attrs\n      matchExpressions:\n        \"na\\eme\": {op: In, value: [\"v\\e[31m\"]}\n        plain: {op: In, value: [\"x\"]}\n";
    let features = r#"{"apiVersion":"nfd.k8s-sigs.io/v1alpha1","kind":"NodeFeature","metadata":{"name":"node\u001b[1mX\u0085\u2066"},"spec":{"features":{"attributes":{"test.attrs":{"elements":{"plain":"\u001b]52;c;evil\u0007\r\nOK"}}}}}}"#;
    report(spec.as_bytes(), features.as_bytes())
}

#[test]
fn control_characters_in_names_and_values_are_escaped_at_every_width() {
    let report = hostile();
    for width in [None, Some(80), Some(200), Some(30)] {
        let text = rendered(&report, width);
        for bad in ['\x1b', '\r', '\x07', '\u{85}', '\u{202e}', '\u{2066}'] {
            assert!(!text.contains(bad), "{bad:?} at {width:?} in:\n{text}");
        }
        for shown in [
            "evil\\x1b[2J\\x1b]0;title\\x07",
            "node\\x1b[1mX\\u{85}\\u{2066}",
            "two\\nlines\\rback",
            "t\\u{202e}g",
        ] {
            assert!(text.contains(shown), "{shown} at {width:?} in:\n{text}");
        }
        // No line starts with what a value tried to put there.
        assert!(!text.lines().any(|l| l.starts_with("OK")), "{text}");
    }
}

//! Unit tests of the lint checks: for every code (the loader's too) a spec that triggers it and
//! one that does not.

use super::*;
use crate::sources::cpu::arm::{HWCAP_NAMES, HWCAP2_NAMES};
use crate::spec;

/// A spec with one set (with a description) and one rule whose `matchFeatures` are `terms`
/// (flow-style YAML list items, one per line).
fn rule(terms: &[&str]) -> String {
    let mut s = String::from(
        "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - name: r\n    matchFeatures:\n",
    );
    for t in terms {
        s.push_str("    - ");
        s.push_str(t);
        s.push('\n');
    }
    s
}

fn codes(text: &str) -> Vec<&'static str> {
    check(text.as_bytes())
        .iter()
        .map(|f| f.code.as_str())
        .collect()
}

/// `(case, spec, code, expected)`: whether `code` is among the findings.
fn table() -> Vec<(&'static str, String, &'static str, bool)> {
    let t = |terms: &[&str]| rule(terms);
    let two_sets = |a: &str, b: &str| {
        format!(
            "version: v1alpha1\ncompatibilities:\n- description: a\n{a}\n- description: b\n{b}\n"
        )
    };
    vec![
        // Load errors and warnings.
        ("load error", "version: v2\ncompatibilities: []\n".into(), "invalid-spec", true),
        ("loads", t(&["{feature: kernel.loadedmodule}"]), "invalid-spec", false),
        ("yaml 1.1 value", t(&["{feature: pci.device, matchExpressions: {class: {op: In, value: [0300]}}}"]), "yaml11", true),
        ("quoted value", t(&["{feature: pci.device, matchExpressions: {class: {op: In, value: [\"0300\"]}}}"]), "yaml11", false),
        ("two documents", format!("{}---\nversion: v1alpha1\n", t(&["{feature: cpu.model}"])), "multiple-documents", true),
        ("one document", format!("---\n{}", t(&["{feature: cpu.model}"])), "multiple-documents", false),
        ("field case", t(&["{Feature: cpu.model}"]), "field-case", true),
        ("field spelled right", t(&["{feature: cpu.model}"]), "field-case", false),
        ("legacy field", t(&["{feature: cpu.model}"]).replace("    matchFeatures:", "    labels: {a: b}\n    matchFeatures:"), "legacy-field", true),
        ("no legacy field", t(&["{feature: cpu.model}"]), "legacy-field", false),
        ("no sets", "version: v1alpha1\n".into(), "no-sets", true),
        ("sets", t(&["{feature: cpu.model}"]), "no-sets", false),
        ("no rules", "version: v1alpha1\ncompatibilities:\n- description: d\n".into(), "no-rules", true),
        ("rules", t(&["{feature: cpu.model}"]), "no-rules", false),
        ("no name", t(&["{feature: cpu.model}"]).replace("  - name: r\n    matchFeatures:", "  - matchFeatures:"), "no-name", true),
        ("name", t(&["{feature: cpu.model}"]), "no-name", false),
        ("feature without dot", t(&["{feature: cpumodel}"]), "feature-name", true),
        ("feature with dot", t(&["{feature: cpu.model}"]), "feature-name", false),
        ("no op", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {value: [Intel]}}}"]), "match-any-op", true),
        ("op", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [Intel]}}}"]), "match-any-op", false),
        ("type on In", t(&["{feature: kernel.version, matchExpressions: {major: {op: In, value: [\"6\"], type: version}}}"]), "type-ignored", true),
        ("type on Gt", t(&["{feature: kernel.version, matchExpressions: {full: {op: Gt, value: [\"6.1\"], type: version}}}"]), "type-ignored", false),
        // Features.
        ("typo feature", t(&["{feature: kernel.loadedmodules}"]), "unknown-feature", true),
        ("real feature", t(&["{feature: kernel.loadedmodule}"]), "unknown-feature", false),
        ("feature case", t(&["{feature: system.osRelease}"]), "feature-case", true),
        ("feature canonical", t(&["{feature: system.osrelease}"]), "feature-case", false),
        ("fake feature", t(&["{feature: fake.flag}"]), "fake-feature", true),
        ("no fake feature", t(&["{feature: cpu.model}"]), "fake-feature", false),
        // Element names.
        ("fixed element typo", t(&["{feature: cpu.model, matchExpressions: {vendorid: {op: Exists}}}"]), "unknown-element", true),
        ("fixed element", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: Exists}}}"]), "unknown-element", false),
        ("pci attribute with slash", t(&["{feature: pci.device, matchExpressions: {iommu_group/type: {op: In, value: [identity]}}}"]), "unknown-element", false),
        ("pci bdf", t(&["{feature: pci.device, matchExpressions: {address: {op: Exists}}}"]), "unknown-element", true),
        ("hugepages kB", t(&["{feature: memory.hugepages, matchExpressions: {hugepages-2048kB: {op: Exists}}}"]), "unknown-element", true),
        ("hugepages quantity", t(&["{feature: memory.hugepages, matchExpressions: {hugepages-2Mi: {op: Exists}, hugepages-1Gi: {op: Exists}, enabled: {op: IsTrue}}}"]), "unknown-element", false),
        ("config prefix", t(&["{feature: kernel.config, matchExpressions: {CONFIG_KVM: {op: Exists}}}"]), "unknown-element", true),
        ("config symbol", t(&["{feature: kernel.config, matchExpressions: {KVM: {op: In, value: [y, m]}}}"]), "unknown-element", false),
        ("os-release lower case", t(&["{feature: system.osrelease, matchExpressions: {version_id: {op: Exists}}}"]), "unknown-element", true),
        ("os-release variables", t(&["{feature: system.osrelease, matchExpressions: {VERSION_ID: {op: Exists}, VERSION_ID.major: {op: Exists}, REDHAT_SUPPORT_PRODUCT: {op: Exists}}}"]), "unknown-element", false),
        ("cpu flag near miss", t(&["{feature: cpu.cpuid, matchExpressions: {AVX512FF: {op: Exists}}}"]), "unknown-element", true),
        ("cpu flag of another arch", t(&["{feature: cpu.cpuid, matchExpressions: {ARCH_3_00: {op: Exists}}}"]), "unknown-element", false),
        ("open local feature", t(&["{feature: local.feature, matchExpressions: {whatever.x: {op: Exists}}}"]), "unknown-element", false),
        ("matchName In element", t(&["{feature: cpu.model, matchName: {op: In, value: [vendor]}}"]), "unknown-element", true),
        // CPU flags.
        ("flag case", t(&["{feature: cpu.cpuid, matchExpressions: {avx512f: {op: Exists}}}"]), "cpuid-flag", true),
        ("cpuinfo name", t(&["{feature: cpu.cpuid, matchExpressions: {sse4_2: {op: Exists}}}"]), "cpuid-flag", true),
        ("cpuinfo alias", t(&["{feature: cpu.cpuid, matchExpressions: {pni: {op: Exists}}}"]), "cpuid-flag", true),
        ("arm flag case", t(&["{feature: cpu.cpuid, matchExpressions: {asimd: {op: Exists}}}"]), "cpuid-flag", true),
        ("matchName In cpuinfo", t(&["{feature: cpu.cpuid, matchName: {op: In, value: [sha_ni]}}"]), "cpuid-flag", true),
        ("nfd flag names", t(&["{feature: cpu.cpuid, matchExpressions: {AVX512F: {op: Exists}, SSE42: {op: Exists}, X86_64_V3: {op: Exists}, ASIMD: {op: Exists}, AVX10_VERSION: {op: Ge, value: [\"1\"]}}}"]), "cpuid-flag", false),
        // Modules.
        ("module dash", t(&["{feature: kernel.loadedmodule, matchExpressions: {vfio-pci: {op: Exists}}}"]), "module-dash", true),
        ("enabled module dash", t(&["{feature: kernel.enabledmodule, matchExpressions: {vfio-pci: {op: Exists}}}"]), "module-dash", true),
        ("module underscore", t(&["{feature: kernel.loadedmodule, matchExpressions: {vfio_pci: {op: Exists}}}"]), "module-dash", false),
        ("module .ko", t(&["{feature: kernel.loadedmodule, matchExpressions: {nvidia.ko: {op: Exists}}}"]), "module-name", true),
        ("module in config form", t(&["{feature: kernel.loadedmodule, matchExpressions: {CONFIG_VFIO_PCI: {op: Exists}}}"]), "module-name", true),
        ("module name", t(&["{feature: kernel.loadedmodule, matchExpressions: {nvidia: {op: Exists}}}"]), "module-name", false),
        // Values.
        ("pci upper-case hex", t(&["{feature: pci.device, matchExpressions: {vendor: {op: In, value: [\"10DE\"]}}}"]), "value-format", true),
        ("pci 6-digit class", t(&["{feature: pci.device, matchExpressions: {class: {op: In, value: [\"030000\"]}}}"]), "value-format", true),
        ("pci 0x", t(&["{feature: pci.device, matchExpressions: {vendor: {op: NotIn, value: [\"0x8086\"]}}}"]), "value-format", true),
        ("pci ids", t(&["{feature: pci.device, matchExpressions: {vendor: {op: In, value: [\"10de\", \"8086\"]}, class: {op: In, value: [\"0300\", \"0b40\"]}}}"]), "value-format", false),
        ("usb class", t(&["{feature: usb.device, matchExpressions: {class: {op: In, value: [\"0e00\"]}}}"]), "value-format", true),
        ("usb ids", t(&["{feature: usb.device, matchExpressions: {class: {op: In, value: [\"0e\"]}, vendor: {op: In, value: [\"1d6b\"]}}}"]), "value-format", false),
        ("vendor string", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [GenuineIntel]}}}"]), "value-format", true),
        ("vendor case", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [intel]}}}"]), "value-format", true),
        ("vendor names", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [Intel, AMD, IBM_S390]}}}"]), "value-format", false),
        ("hypervisor case", t(&["{feature: cpu.model, matchExpressions: {hypervisor: {op: In, value: [KVM]}}}"]), "value-format", true),
        ("hypervisor", t(&["{feature: cpu.model, matchExpressions: {hypervisor: {op: NotIn, value: [none]}}}"]), "value-format", false),
        ("boolean yes", t(&["{feature: kernel.kvm, matchExpressions: {enabled: {op: In, value: [\"yes\"]}}}"]), "value-format", true),
        ("boolean true", t(&["{feature: kernel.kvm, matchExpressions: {enabled: {op: In, value: [\"true\"]}}}"]), "value-format", false),
        ("config IsTrue", t(&["{feature: kernel.config, matchExpressions: {KVM: {op: IsTrue}}}"]), "config-value", true),
        ("config In true", t(&["{feature: kernel.config, matchExpressions: {KVM: {op: In, value: [\"true\"]}}}"]), "config-value", true),
        ("config In y", t(&["{feature: kernel.config, matchExpressions: {KVM: {op: In, value: [\"y\"]}}}"]), "config-value", false),
        ("Gt on hex", t(&["{feature: pci.device, matchExpressions: {class: {op: Gt, value: [\"300\"]}}}"]), "not-a-number", true),
        ("Gt on VERSION_ID", t(&["{feature: system.osrelease, matchExpressions: {VERSION_ID: {op: Ge, value: [\"22\"]}}}"]), "not-a-number", true),
        ("Gt on full", t(&["{feature: kernel.version, matchExpressions: {full: {op: Gt, value: [\"5\"]}}}"]), "not-a-number", true),
        ("Gt on boolean", t(&["{feature: memory.swap, matchExpressions: {enabled: {op: Gt, value: [\"0\"]}}}"]), "not-a-number", true),
        ("Ge version type", t(&["{feature: system.osrelease, matchExpressions: {VERSION_ID: {op: Ge, value: [\"22.04\"], type: version}}}"]), "not-a-number", false),
        ("Gt on a number", t(&["{feature: pci.device, matchExpressions: {sriov_totalvfs: {op: Gt, value: [\"0\"]}}}"]), "not-a-number", false),
        // Ops on flags.
        ("In on a module", t(&["{feature: kernel.loadedmodule, matchExpressions: {nvidia: {op: In, value: [x]}}}"]), "flag-op", true),
        ("IsTrue on a cpu flag", t(&["{feature: cpu.cpuid, matchExpressions: {AVX2: {op: IsTrue}}}"]), "flag-op", true),
        ("Exists on flags", t(&["{feature: cpu.cpuid, matchExpressions: {AVX2: {op: Exists}, AVX512F: {op: DoesNotExist}}}"]), "flag-op", false),
        ("Gt on the cpuid attribute", t(&["{feature: cpu.cpuid, matchExpressions: {AVX10_VERSION: {op: Gt, value: [\"1\"]}}}"]), "flag-op", false),
        // Never matches.
        ("In and NotIn", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [Intel]}}}", "{feature: cpu.model, matchExpressions: {vendor_id: {op: NotIn, value: [Intel]}}}"]), "never-matches", true),
        ("In and NotIn of others", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [Intel]}}}", "{feature: cpu.model, matchExpressions: {vendor_id: {op: NotIn, value: [AMD]}}}"]), "never-matches", false),
        ("disjoint In", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [Intel]}}}", "{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [AMD]}}}"]), "never-matches", true),
        ("In and NotIn on instances", t(&["{feature: pci.device, matchExpressions: {vendor: {op: In, value: [\"10de\"]}}}", "{feature: pci.device, matchExpressions: {vendor: {op: NotIn, value: [\"10de\"]}}}"]), "never-matches", false),
        ("Exists and DoesNotExist", t(&["{feature: kernel.loadedmodule, matchExpressions: {nvidia: {op: Exists}}}", "{feature: kernel.loadedmodule, matchExpressions: {nvidia: {op: DoesNotExist}}}"]), "never-matches", true),
        ("Exists and DoesNotExist of others", t(&["{feature: kernel.loadedmodule, matchExpressions: {nvidia: {op: Exists}}}", "{feature: kernel.loadedmodule, matchExpressions: {nouveau: {op: DoesNotExist}}}"]), "never-matches", false),
        // Version numbers bounded one by one.
        ("major Ge and minor Ge", t(&["{feature: kernel.version, matchExpressions: {major: {op: Ge, value: [\"4\"]}, minor: {op: Ge, value: [\"18\"]}}}"]), "split-version", true),
        ("major Ge and minor Ge in two terms", t(&["{feature: kernel.version, matchExpressions: {major: {op: Ge, value: [\"4\"]}}}", "{feature: kernel.version, matchExpressions: {minor: {op: Gt, value: [\"17\"]}}}"]), "split-version", true),
        ("major Lt and minor Le", t(&["{feature: kernel.version, matchExpressions: {major: {op: Lt, value: [\"6\"]}, minor: {op: Le, value: [\"10\"]}}}"]), "split-version", true),
        ("VERSION_ID major and minor", t(&["{feature: system.osrelease, matchExpressions: {VERSION_ID.major: {op: Ge, value: [\"20\"]}, VERSION_ID.minor: {op: Ge, value: [\"4\"]}}}"]), "split-version", true),
        ("major exactly and minor Ge", t(&["{feature: kernel.version, matchExpressions: {major: {op: In, value: [\"4\"]}, minor: {op: Ge, value: [\"18\"]}}}"]), "split-version", false),
        ("major Ge alone", t(&["{feature: kernel.version, matchExpressions: {major: {op: Ge, value: [\"5\"]}}}"]), "split-version", false),
        ("full as a version", t(&["{feature: kernel.version, matchExpressions: {full: {op: Ge, value: [\"4.18\"], type: version}}}"]), "split-version", false),
        ("lower major, upper minor", t(&["{feature: kernel.version, matchExpressions: {major: {op: Ge, value: [\"4\"]}, minor: {op: Lt, value: [\"9\"]}}}"]), "split-version", false),
        ("Gt and Lt apart", t(&["{feature: kernel.version, matchExpressions: {major: {op: Gt, value: [\"5\"]}}}", "{feature: kernel.version, matchExpressions: {major: {op: Lt, value: [\"4\"]}}}"]), "never-matches", true),
        ("Gt and Lt overlapping", t(&["{feature: kernel.version, matchExpressions: {major: {op: Gt, value: [\"3\"]}}}", "{feature: kernel.version, matchExpressions: {major: {op: Lt, value: [\"5\"]}}}"]), "never-matches", false),
        ("GtLt without an integer between", t(&["{feature: kernel.version, matchExpressions: {major: {op: GtLt, value: [\"1\", \"2\"]}}}"]), "never-matches", true),
        ("GtLt with room", t(&["{feature: kernel.version, matchExpressions: {major: {op: GtLt, value: [\"1\", \"3\"]}}}"]), "never-matches", false),
        ("IsTrue and IsFalse", t(&["{feature: kernel.kvm, matchExpressions: {enabled: {op: IsTrue}}}", "{feature: kernel.kvm, matchExpressions: {enabled: {op: IsFalse}}}"]), "never-matches", true),
        ("In and regex that excludes it", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [AMD]}}}", "{feature: cpu.model, matchExpressions: {vendor_id: {op: InRegexp, value: [\"^Int\"]}}}"]), "never-matches", true),
        ("NotIn and regex", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: NotIn, value: [AMD]}}}", "{feature: cpu.model, matchExpressions: {vendor_id: {op: InRegexp, value: [\"^Int\"]}}}"]), "never-matches", false),
        ("DoesNotExist on a mandatory pci attribute", t(&["{feature: pci.device, matchExpressions: {vendor: {op: DoesNotExist}}}"]), "never-matches", true),
        ("DoesNotExist on an optional pci attribute", t(&["{feature: pci.device, matchExpressions: {vendor: {op: In, value: [\"8086\"]}, sriov_totalvfs: {op: DoesNotExist}}}"]), "never-matches", false),
        ("DoesNotExist on vendor_id", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: DoesNotExist}}}"]), "never-matches", true),
        ("DoesNotExist on kernel.version major", t(&["{feature: kernel.version, matchExpressions: {major: {op: DoesNotExist}}}"]), "never-matches", false),
        ("DoesNotExist on kernel.version full", t(&["{feature: kernel.version, matchExpressions: {full: {op: DoesNotExist}}}"]), "never-matches", true),
        ("matchName DoesNotExist", t(&["{feature: kernel.loadedmodule, matchName: {op: DoesNotExist}}"]), "never-matches", true),
        ("matchName Exists", t(&["{feature: kernel.loadedmodule, matchName: {op: Exists}}"]), "never-matches", false),
        ("matchAny element contradiction", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - name: r\n    matchAny:\n    - matchFeatures:\n      - {feature: kernel.kvm, matchExpressions: {enabled: {op: IsTrue}}}\n      - {feature: kernel.kvm, matchExpressions: {enabled: {op: IsFalse}}}\n".into(), "never-matches", true),
        ("matchAny alternatives", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - name: r\n    matchAny:\n    - matchFeatures:\n      - {feature: kernel.kvm, matchExpressions: {enabled: {op: IsTrue}}}\n    - matchFeatures:\n      - {feature: kernel.kvm, matchExpressions: {enabled: {op: IsFalse}}}\n".into(), "never-matches", false),
        // Version bounds.
        ("version bounds reversed", t(&["{feature: kernel.version, matchExpressions: {full: {op: GtLt, value: [\"6.0\", \"5.4\"], type: version}}}"]), "bounds-order", true),
        ("version bounds equal GtLt", t(&["{feature: kernel.version, matchExpressions: {full: {op: GtLt, value: [\"5.4\", \"5.4\"], type: version}}}"]), "bounds-order", true),
        ("version bounds equal GeLe", t(&["{feature: kernel.version, matchExpressions: {full: {op: GeLe, value: [\"5.4\", \"5.4\"], type: version}}}"]), "bounds-order", false),
        ("version bounds in order", t(&["{feature: kernel.version, matchExpressions: {full: {op: GtLt, value: [\"5.4\", \"6.0\"], type: version}}}"]), "bounds-order", false),
        // Instance negation.
        ("only NotIn on instances", t(&["{feature: pci.device, matchExpressions: {vendor: {op: NotIn, value: [\"10de\"]}}}"]), "instance-negation", true),
        ("NotIn with In on instances", t(&["{feature: pci.device, matchExpressions: {vendor: {op: In, value: [\"8086\"]}, class: {op: NotIn, value: [\"0300\"]}}}"]), "instance-negation", false),
        ("NotIn on an attribute", t(&["{feature: cpu.model, matchExpressions: {vendor_id: {op: NotIn, value: [AMD]}}}"]), "instance-negation", false),
        // Sets and rules.
        ("duplicate rule", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - {name: a, matchFeatures: [{feature: cpu.model}]}\n  - {name: a, matchFeatures: [{feature: cpu.model}]}\n".into(), "duplicate-rule", true),
        ("distinct rules", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - {name: a, matchFeatures: [{feature: cpu.model}]}\n  - {name: b, matchFeatures: [{feature: cpu.model}]}\n".into(), "duplicate-rule", false),
        ("rule name in two sets", two_sets("  rules: [{name: a, matchFeatures: [{feature: cpu.model}]}]", "  rules: [{name: a, matchFeatures: [{feature: cpu.model}]}]"), "duplicate-rule-across-sets", true),
        ("rule names per set", two_sets("  rules: [{name: a, matchFeatures: [{feature: cpu.model}]}]", "  rules: [{name: b, matchFeatures: [{feature: cpu.model}]}]"), "duplicate-rule-across-sets", false),
        ("empty set", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules: []\n".into(), "empty-set", true),
        ("set without rules key", "version: v1alpha1\ncompatibilities:\n- description: d\n".into(), "empty-set", false),
        ("set with rules", t(&["{feature: cpu.model}"]), "empty-set", false),
        ("rule without matchers", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - name: a\n".into(), "always-matches", true),
        ("rule with matchAny", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - {name: a, matchAny: [{matchFeatures: [{feature: cpu.model}]}]}\n".into(), "always-matches", false),
        ("empty matchAny element", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - {name: a, matchAny: [{matchFeatures: []}]}\n".into(), "empty-any", true),
        ("matchAny element with terms", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - {name: a, matchAny: [{matchFeatures: [{feature: cpu.model}]}]}\n".into(), "empty-any", false),
        ("duplicate tag", two_sets("  tag: t\n  rules: [{name: a, matchFeatures: [{feature: cpu.model}]}]", "  tag: t\n  rules: [{name: b, matchFeatures: [{feature: cpu.model}]}]"), "duplicate-tag", true),
        ("distinct tags", two_sets("  tag: t\n  rules: [{name: a, matchFeatures: [{feature: cpu.model}]}]", "  tag: u\n  rules: [{name: b, matchFeatures: [{feature: cpu.model}]}]"), "duplicate-tag", false),
        ("same weight", two_sets("  weight: 5\n  rules: [{name: a, matchFeatures: [{feature: cpu.model}]}]", "  weight: 5\n  rules: [{name: b, matchFeatures: [{feature: cpu.model}]}]"), "same-weight", true),
        ("different weights", two_sets("  weight: 5\n  rules: [{name: a, matchFeatures: [{feature: cpu.model}]}]", "  weight: 1\n  rules: [{name: b, matchFeatures: [{feature: cpu.model}]}]"), "same-weight", false),
        ("no weights", two_sets("  rules: [{name: a, matchFeatures: [{feature: cpu.model}]}]", "  rules: [{name: b, matchFeatures: [{feature: cpu.model}]}]"), "same-weight", false),
        ("no description", "version: v1alpha1\ncompatibilities:\n- rules: [{name: a, matchFeatures: [{feature: cpu.model}]}]\n".into(), "no-description", true),
        ("description", t(&["{feature: cpu.model}"]), "no-description", false),
        ("template bomb", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - name: a\n    matchFeatures: [{feature: kernel.loadedmodule}]\n    varsTemplate: '{{ repeat 99999999 \"x\" }}'\n".into(), "template-limit", true),
        ("bounded template", "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - name: a\n    matchFeatures: [{feature: kernel.loadedmodule}]\n    varsTemplate: '{{ repeat 3 \"x\" }}'\n".into(), "template-limit", false),
    ]
}

#[test]
fn every_check_has_a_positive_and_a_negative_case() {
    let mut failures = Vec::new();
    for (case, spec, code, expected) in table() {
        let got = codes(&spec);
        if got.contains(&code) != expected {
            failures.push(format!(
                "{case}: expected `{code}` {}; got {got:?}\n{spec}",
                if expected { "present" } else { "absent" }
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every code the lint emits is covered both ways.
    let table = table();
    for code in Code::ALL.iter().map(|c| c.as_str()) {
        for want in [true, false] {
            assert!(
                table.iter().any(|(_, _, c, e)| *c == code && *e == want),
                "no {} case for `{code}`",
                if want { "positive" } else { "negative" }
            );
        }
    }
}

#[test]
fn loader_warnings_are_reported_as_they_are() {
    let text =
        "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - matchFeatures: []\n";
    let loaded = spec::load(text.as_bytes()).unwrap();
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    let linted = lint(&loaded);
    assert!(linted.contains(&loaded.warnings[0]), "{linted:?}");
}

#[test]
fn findings_carry_path_position_and_fix() {
    let spec = rule(&[
        "{feature: kernel.loadedmodule, matchExpressions: {vfio-pci: {op: Exists}}}",
        "{feature: kernel.loadedmodules}",
    ]);
    let findings = check(spec.as_bytes());
    assert_eq!(
        findings,
        [
            Finding {
                severity: Severity::Warning,
                code: Code::ModuleDash,
                path: "compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vfio-pci"
                    .into(),
                line: Some(7),
                column: Some(67),
                message: "the kernel lists loaded modules with `_` (/proc/modules says `vfio_pci`, never `vfio-pci`): write `vfio_pci`".into(),
            },
            Finding {
                severity: Severity::Warning,
                code: Code::UnknownFeature,
                path: "compatibilities[0].rules[0].matchFeatures[1].feature".into(),
                line: Some(8),
                column: Some(7),
                message: "no NFD source produces feature `kernel.loadedmodules`, so the term never matches; did you mean `kernel.loadedmodule`?".into(),
            },
        ]
    );
}

#[test]
fn load_errors_are_one_error_finding_with_the_loader_position() {
    let findings = check(b"version: v1alpha1\ncompatibilities:\n- rules:\n  - name: x\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: Equals}\n");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!((f.severity, f.code), (Severity::Error, Code::InvalidSpec));
    assert_eq!((f.line, f.column), (Some(8), Some(25)));
    assert_eq!(
        f.path,
        "compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vendor_id.op"
    );
    let empty = check(b"");
    assert_eq!((empty[0].line, empty[0].column), (None, None));
}

#[test]
fn messages_name_the_fix() {
    let cases = [
        (
            "{feature: cpu.cpuid, matchExpressions: {avx512f: {op: Exists}}}",
            "write `AVX512F`",
        ),
        (
            "{feature: cpu.cpuid, matchExpressions: {sse4_2: {op: Exists}}}",
            "`sse4_2` is `SSE42`",
        ),
        (
            "{feature: cpu.cpuid, matchExpressions: {aes: {op: Exists}}}",
            "`AESNI` on x86",
        ),
        (
            "{feature: pci.device, matchExpressions: {class: {op: In, value: [\"030000\"]}}}",
            "write `0300`",
        ),
        (
            "{feature: pci.device, matchExpressions: {vendor: {op: In, value: [\"0x10DE\"]}}}",
            "NFD strips `0x` and sysfs hex is lower case, so `0x10DE` never matches: write `10de`",
        ),
        (
            "{feature: pci.device, matchExpressions: {class: {op: In, value: [\"03\"]}}}",
            "value: [\"^03\"]",
        ),
        (
            "{feature: memory.hugepages, matchExpressions: {hugepages-1048576kB: {op: Exists}}}",
            "write `hugepages-1Gi`",
        ),
        (
            "{feature: system.osrelease, matchExpressions: {version_id: {op: Exists}}}",
            "write `VERSION_ID`",
        ),
        (
            "{feature: kernel.module}",
            "`kernel.loadedmodule` (loaded modules) or `kernel.enabledmodule`",
        ),
        (
            "{feature: kernel.osrelease}",
            "did you mean `system.osrelease`?",
        ),
        (
            "{feature: cpu.pstate, matchExpressions: {scaling: {op: Exists}}}",
            "did you mean `scaling_governor`?",
        ),
        (
            "{feature: cpu.model, matchExpressions: {Vendor_ID: {op: Exists}}}",
            "names are case-sensitive: did you mean `vendor_id`?",
        ),
        (
            "{feature: kernel.loadedmodule, matchExpressions: {VFIO_PCI: {op: Exists}}}",
            "element `VFIO_PCI`",
        ),
        (
            "{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [AuthenticAMD]}}}",
            "write `AMD`",
        ),
        (
            "{feature: kernel.version, matchExpressions: {major: {op: GtLt, value: [\"1\", \"2\"]}}}",
            "no value of `major` satisfies {op: \"GtLt\", value: [\"1\", \"2\"]}",
        ),
        (
            "{feature: pci.device, matchExpressions: {class: {op: DoesNotExist}}}",
            "every `pci.device` instance has `class`",
        ),
    ];
    for (term, want) in cases {
        let findings = check(rule(&[term]).as_bytes());
        assert!(
            findings.iter().any(|f| f.message.contains(want)),
            "{term}: want {want:?} in {findings:#?}"
        );
    }
}

#[test]
fn a_clean_spec_has_no_findings() {
    let spec = include_str!("../../testdata/specs/gpu-node.yaml");
    assert_eq!(check(spec.as_bytes()), []);
}

#[test]
fn aliases_do_not_repeat_findings() {
    let spec = "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - name: a\n    matchFeatures:\n    - &t {feature: kernel.loadedmodule, matchExpressions: {vfio-pci: {op: Exists}}}\n  - name: b\n    matchFeatures: [*t]\n";
    let got = codes(spec);
    // One per use: the paths differ, so both are kept.
    assert_eq!(got, ["module-dash", "module-dash"]);
}

#[test]
fn flag_spellings_stay_unambiguous() {
    // The decoder can only set flags of the table the lint reads (x86_flags::Flag), so the
    // two cannot drift apart; what remains to check is that no two names (x86 or arm64)
    // collide once case, `_` and `-` are ignored, or a misspelling would have two fixes.
    let arm: Vec<&str> = HWCAP_NAMES
        .iter()
        .chain(HWCAP2_NAMES.iter())
        .copied()
        .collect();
    let mut seen = std::collections::HashMap::new();
    for name in crate::sources::cpu::x86_flags::NAMES
        .iter()
        .chain(arm.iter())
    {
        if let Some(other) = seen.insert(names::normalise_flag(name), *name) {
            assert_eq!(other, *name, "{other} and {name} normalise alike");
        }
    }
}

#[test]
fn hugepages_names_are_kubernetes_quantities() {
    for (name, want) in [
        ("hugepages-2048kB", Some("hugepages-2Mi")),
        ("hugepages-2M", Some("hugepages-2Mi")),
        ("hugepages_1G", Some("hugepages-1Gi")),
        ("hugepages-64kB", Some("hugepages-64Ki")),
        ("hugepages-1024Mi", Some("hugepages-1Gi")),
        ("hugepages", None),
        ("hugepages-2Xi", None),
    ] {
        assert_eq!(names::hugepages_spelling(name).as_deref(), want, "{name}");
    }
    assert!(names::is_hugepages_element("hugepages-2Mi"));
    assert!(names::is_hugepages_element("enabled"));
    assert!(!names::is_hugepages_element("hugepages-1024Mi"));
    assert!(!names::is_hugepages_element("hugepages-2048kB"));
}

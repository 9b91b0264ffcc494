//! The stress input, as files: a 1,000-rule spec and a node with 2,000 PCI instances and 5,000
//! cpuid flags (NFD's `Features` JSON). Deterministic: the same bytes on every run, so that
//! instruction counts (`valgrind --tool=callgrind`) compare across builds.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use nfd_compat::features::{Features, Instance};

/// Rules in the stress spec.
pub(crate) const RULES: usize = 1000;
/// `pci.device` instances on the stress node.
pub(crate) const PCI_INSTANCES: usize = 2000;
/// `cpu.cpuid` flags on the stress node.
pub(crate) const CPUID_FLAGS: usize = 5000;

/// A small deterministic pseudo-random generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

const CLASSES: [&str; 10] = [
    "0200", "0300", "0302", "0108", "0604", "0c03", "0b40", "1200", "0280", "0600",
];
const VENDORS: [&str; 12] = [
    "8086", "10de", "15b3", "1002", "14e4", "1af4", "8087", "1022", "1d0f", "19e5", "1077", "177d",
];

fn hex4(rng: &mut Rng) -> String {
    format!("{:04x}", rng.next() & 0xffff)
}

/// The stress node.
pub(crate) fn features() -> Features {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut f = Features::default();
    let instances = (0..PCI_INSTANCES)
        .map(|i| {
            let mut attributes = BTreeMap::new();
            let mut put = |k: &str, v: String| attributes.insert(k.to_owned(), v);
            put("class", CLASSES[rng.below(CLASSES.len())].to_owned());
            put("vendor", VENDORS[rng.below(VENDORS.len())].to_owned());
            put("device", hex4(&mut rng));
            put(
                "subsystem_vendor",
                VENDORS[rng.below(VENDORS.len())].to_owned(),
            );
            put("subsystem_device", hex4(&mut rng));
            if i % 4 == 0 {
                put("sriov_totalvfs", (rng.below(8) * 8).to_string());
            }
            Instance::from(attributes)
        })
        .collect();
    f.insert_instances("pci.device", instances);
    let mut flags: Vec<String> = (0..CPUID_FLAGS - 8)
        .map(|i| format!("FLAG_{i:05}"))
        .collect();
    flags.extend(
        [
            "AVX",
            "AVX2",
            "AVX512F",
            "AVX512BW",
            "SSE4",
            "AESNI",
            "X86_64_V3",
            "FMA3",
        ]
        .map(str::to_owned),
    );
    f.insert_flags("cpu.cpuid", flags);
    f.insert_attributes("cpu.cpuid", [("AVX10_VERSION", "1")]);
    f.insert_attributes(
        "kernel.version",
        [
            ("full", "6.8.0-45-generic"),
            ("major", "6"),
            ("minor", "8"),
            ("revision", "0"),
        ],
    );
    f.insert_flags("kernel.loadedmodule", (0..200).map(|i| format!("mod_{i}")));
    f.insert_attributes(
        "kernel.config",
        (0..1000_u32).map(|i| (format!("CONFIG_{i}"), if i % 3 == 0 { "m" } else { "y" })),
    );
    f.insert_attributes(
        "cpu.model",
        [("vendor_id", "Intel"), ("family", "6"), ("id", "143")],
    );
    f
}

fn expressions(out: &mut String, indent: &str, exprs: &[(String, String)]) {
    let _ = writeln!(out, "{indent}matchExpressions:");
    for (key, expr) in exprs {
        let _ = writeln!(out, "{indent}  {key}: {expr}");
    }
}

fn in_values(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    format!("{{op: In, value: [{}]}}", quoted.join(", "))
}

/// The stress spec: 40% PCI instance terms (some in `matchAny`), 30% cpuid flags (`Exists`
/// or `matchName`), 30% attribute terms with version comparisons, a few typos among the
/// feature names' elements (modules and config options the node does not have).
pub(crate) fn spec_yaml() -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut s =
        String::from("version: v1alpha1\ncompatibilities:\n- description: stress\n  rules:\n");
    for i in 0..RULES {
        let _ = writeln!(s, "  - name: rule-{i}");
        match i % 10 {
            0..=3 => {
                let mut exprs = vec![
                    (
                        "vendor".to_owned(),
                        in_values(&[VENDORS[rng.below(VENDORS.len())]]),
                    ),
                    (
                        "class".to_owned(),
                        in_values(&[CLASSES[rng.below(4)], CLASSES[rng.below(10)]]),
                    ),
                ];
                if i % 3 == 0 {
                    let (a, b) = (hex4(&mut rng), hex4(&mut rng));
                    exprs.push(("device".to_owned(), in_values(&[&a, &b])));
                }
                if i % 7 == 0 {
                    exprs.push((
                        "sriov_totalvfs".to_owned(),
                        "{op: Gt, value: [\"8\"]}".to_owned(),
                    ));
                }
                if i % 5 == 0 {
                    s.push_str(
                        "    matchAny:\n    - matchFeatures:\n      - feature: pci.device\n",
                    );
                    expressions(&mut s, "        ", &exprs);
                    s.push_str("    - matchFeatures:\n      - feature: pci.device\n");
                    expressions(
                        &mut s,
                        "        ",
                        &[("vendor".to_owned(), in_values(&["ffff"]))],
                    );
                } else {
                    s.push_str("    matchFeatures:\n    - feature: pci.device\n");
                    expressions(&mut s, "      ", &exprs);
                }
            }
            4..=6 => {
                s.push_str("    matchFeatures:\n    - feature: cpu.cpuid\n");
                if i % 2 == 0 {
                    let names = ["AVX", "AVX2", "AVX512F", "AMX", "SSE4"];
                    let exprs: Vec<(String, String)> = (0..=rng.below(3))
                        .map(|_| {
                            (
                                names[rng.below(names.len())].to_owned(),
                                "{op: Exists}".to_owned(),
                            )
                        })
                        .collect::<BTreeMap<_, _>>()
                        .into_iter()
                        .collect();
                    expressions(&mut s, "      ", &exprs);
                } else {
                    let patterns = ["^AVX512", "^AMX", "FMA", "^SSE4"];
                    let _ = writeln!(
                        s,
                        "      matchName: {{op: InRegexp, value: [\"{}\"]}}",
                        patterns[rng.below(patterns.len())]
                    );
                }
            }
            _ => {
                let full_op = if i % 2 == 0 { "Ge" } else { "Lt" };
                s.push_str("    matchFeatures:\n    - feature: kernel.version\n");
                expressions(
                    &mut s,
                    "      ",
                    &[
                        ("major".to_owned(), "{op: Gt, value: [\"4\"]}".to_owned()),
                        (
                            "full".to_owned(),
                            format!("{{op: {full_op}, value: [\"5.15\"], type: version}}"),
                        ),
                    ],
                );
                s.push_str("    - feature: kernel.loadedmodule\n");
                expressions(
                    &mut s,
                    "      ",
                    &[(format!("mod_{}", rng.below(400)), "{op: Exists}".to_owned())],
                );
                s.push_str("    - feature: kernel.config\n");
                expressions(
                    &mut s,
                    "      ",
                    &[(
                        format!("CONFIG_{}", rng.below(1200)),
                        in_values(&["y", "m"]),
                    )],
                );
                s.push_str("    - feature: cpu.model\n");
                expressions(
                    &mut s,
                    "      ",
                    &[("vendor_id".to_owned(), in_values(&["Intel", "AMD"]))],
                );
            }
        }
    }
    s
}

/// Writes the stress spec and node into `dir` (`stress-spec.yaml`, `stress-features.json`)
/// and returns their paths.
pub(crate) fn write(dir: &Path) -> (PathBuf, PathBuf) {
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let spec = dir.join("stress-spec.yaml");
    let features = dir.join("stress-features.json");
    fs::write(&spec, spec_yaml()).unwrap_or_else(|e| panic!("cannot write spec: {e}"));
    let json = serde_json::to_vec(&self::features()).unwrap_or_else(|e| panic!("json: {e}"));
    fs::write(&features, json).unwrap_or_else(|e| panic!("cannot write features: {e}"));
    (spec, features)
}

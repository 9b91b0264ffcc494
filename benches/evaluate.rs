//! Benchmark of `rules::evaluate`: a 1,000-rule spec against a node with 2,000 PCI instances
//! and 5,000 cpuid flags, with a baseline that only does the unavoidable scan (look up every
//! term's feature and touch each instance's attribute map once per instance term).
//!
//! Run with `cargo bench --bench evaluate`. Plain `std::time`, prints a table.

#![expect(clippy::print_stdout, reason = "a benchmark prints its table")]

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use common::median;

use nfd_compat::features::{Features, Instance};
use nfd_compat::rules::{Options, evaluate};
use nfd_compat::spec::{Compatibility, Expr, GroupRule, MatchAnyElem, Spec, Term};

const RULES: usize = 1000;
const PCI_INSTANCES: usize = 2000;
const CPUID_FLAGS: usize = 5000;
const ITERATIONS: usize = 60;

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

fn node(rng: &mut Rng) -> Features {
    let mut f = Features::default();
    let instances = (0..PCI_INSTANCES)
        .map(|i| {
            let mut attributes = BTreeMap::new();
            attributes.insert(
                "class".to_owned(),
                CLASSES[rng.below(CLASSES.len())].to_owned(),
            );
            attributes.insert(
                "vendor".to_owned(),
                VENDORS[rng.below(VENDORS.len())].to_owned(),
            );
            attributes.insert("device".to_owned(), hex4(rng));
            attributes.insert(
                "subsystem_vendor".to_owned(),
                VENDORS[rng.below(12)].to_owned(),
            );
            attributes.insert("subsystem_device".to_owned(), hex4(rng));
            if i.is_multiple_of(4) {
                attributes.insert("sriov_totalvfs".to_owned(), (rng.below(8) * 8).to_string());
            }
            Instance { attributes }
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
        (0..1000_u32).map(|i| {
            (
                format!("CONFIG_{i}"),
                if i.is_multiple_of(3) { "m" } else { "y" },
            )
        }),
    );
    f.insert_attributes(
        "cpu.model",
        [("vendor_id", "Intel"), ("family", "6"), ("id", "143")],
    );
    f
}

fn ex(op: &str, values: &[String]) -> Expr {
    Expr::new(op, values.to_vec(), None).unwrap_or_else(|e| panic!("bad bench expr: {e}"))
}

fn exv(op: &str, values: &[&str]) -> Expr {
    Expr::new(
        op,
        values.iter().map(|s| (*s).to_owned()).collect(),
        Some("version".to_owned()),
    )
    .unwrap_or_else(|e| panic!("bad bench expr: {e}"))
}

fn s(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

fn term(feature: &str, expressions: Vec<(String, Expr)>) -> Term {
    Term {
        feature: feature.to_owned(),
        match_expressions: Some(expressions.into_iter().collect()),
        match_name: None,
    }
}

fn rule_for(i: usize, rng: &mut Rng) -> GroupRule {
    let mut match_features = Vec::new();
    let mut match_any = Vec::new();
    match i % 10 {
        // 40%: PCI instance terms with 2-3 In expressions.
        0..=3 => {
            let mut exprs = vec![
                (
                    "vendor".to_owned(),
                    ex("In", &s(&[VENDORS[rng.below(VENDORS.len())]])),
                ),
                (
                    "class".to_owned(),
                    ex("In", &s(&[CLASSES[rng.below(4)], CLASSES[rng.below(10)]])),
                ),
            ];
            if i.is_multiple_of(3) {
                exprs.push(("device".to_owned(), ex("In", &[hex4(rng), hex4(rng)])));
            }
            if i.is_multiple_of(7) {
                exprs.push(("sriov_totalvfs".to_owned(), ex("Gt", &s(&["8"]))));
            }
            if i.is_multiple_of(5) {
                match_any = vec![
                    MatchAnyElem {
                        match_features: vec![term("pci.device", exprs.clone())],
                    },
                    MatchAnyElem {
                        match_features: vec![term(
                            "pci.device",
                            vec![("vendor".to_owned(), ex("In", &s(&["ffff"])))],
                        )],
                    },
                ];
            } else {
                match_features.push(term("pci.device", exprs));
            }
        }
        // 30%: cpuid flags: Exists, or matchName InRegexp.
        4..=6 => {
            if i.is_multiple_of(2) {
                let names = ["AVX", "AVX2", "AVX512F", "AMX", "SSE4"];
                let exprs = (0..=rng.below(3))
                    .map(|_| (names[rng.below(names.len())].to_owned(), ex("Exists", &[])))
                    .collect();
                match_features.push(term("cpu.cpuid", exprs));
            } else {
                let patterns = ["^AVX512", "^AMX", "FMA", "^SSE4"];
                match_features.push(Term {
                    feature: "cpu.cpuid".to_owned(),
                    match_expressions: None,
                    match_name: Some(ex("InRegexp", &s(&[patterns[rng.below(patterns.len())]]))),
                });
            }
        }
        // 30%: attributes: In/Gt/version ops on kernel and cpu attributes.
        _ => {
            match_features.push(term(
                "kernel.version",
                vec![
                    ("major".to_owned(), ex("Gt", &s(&["4"]))),
                    (
                        "full".to_owned(),
                        exv(if i.is_multiple_of(2) { "Ge" } else { "Lt" }, &["5.15"]),
                    ),
                ],
            ));
            match_features.push(term(
                "kernel.loadedmodule",
                vec![(format!("mod_{}", rng.below(400)), ex("Exists", &[]))],
            ));
            match_features.push(term(
                "kernel.config",
                vec![(
                    format!("CONFIG_{}", rng.below(1200)),
                    ex("In", &s(&["y", "m"])),
                )],
            ));
            match_features.push(term(
                "cpu.model",
                vec![("vendor_id".to_owned(), ex("In", &s(&["Intel", "AMD"])))],
            ));
        }
    }
    GroupRule {
        name: format!("rule-{i}"),
        vars: BTreeMap::new(),
        vars_template: None,
        match_features,
        match_any,
    }
}

fn spec(rng: &mut Rng) -> Spec {
    Spec {
        version: "v1alpha1".to_owned(),
        compatibilities: vec![Compatibility {
            rules: Some((0..RULES).map(|i| rule_for(i, rng)).collect()),
            weight: 0,
            tag: String::new(),
            description: String::new(),
        }],
    }
}

/// The unavoidable work: every term's feature looked up, every instance's attribute map
/// touched once per instance term.
fn baseline(spec: &Spec, features: &Features) -> usize {
    let mut touched = 0;
    for set in &spec.compatibilities {
        for rule in set.rules.iter().flatten() {
            let terms = rule
                .match_features
                .iter()
                .chain(rule.match_any.iter().flat_map(|a| a.match_features.iter()));
            for term in terms {
                let key = term.feature.as_str();
                let first = term
                    .match_expressions
                    .as_ref()
                    .and_then(|m| m.keys().next())
                    .map_or("", String::as_str);
                touched += usize::from(black_box(features.flags.get(key)).is_some());
                touched += usize::from(black_box(features.attributes.get(key)).is_some());
                if let Some(elements) =
                    black_box(features.instances.get(key)).and_then(|i| i.elements.as_ref())
                {
                    for instance in elements {
                        touched += usize::from(black_box(instance.attributes.get(first)).is_some());
                    }
                }
            }
        }
    }
    touched
}

fn time<T>(mut f: impl FnMut() -> T) -> Duration {
    for _ in 0..3 {
        black_box(f());
    }
    median(
        (0..ITERATIONS)
            .map(|_| {
                let start = Instant::now();
                black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let features = node(&mut rng);
    let spec = spec(&mut rng);
    let options = Options::default();

    let evaluation = evaluate(&spec, &features, &options);
    let rules = &evaluation.sets[0].rules;
    let matched = rules.iter().filter(|r| r.is_match).count();
    let errors = rules.iter().filter(|r| r.has_errors()).count();

    let eval_time = time(|| evaluate(&spec, &features, &options));
    let base_time = time(|| baseline(&spec, &features));

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    #[expect(clippy::cast_precision_loss, reason = "a rate for display")]
    let rules_per_second = RULES as f64 / eval_time.as_secs_f64();
    println!(
        "evaluate: {RULES} rules ({matched} matched, {errors} with errors), \
         {PCI_INSTANCES} pci.device instances, {CPUID_FLAGS} cpu.cpuid flags, \
         median of {ITERATIONS}"
    );
    println!("{:<28} {:>12}", "measure", "value");
    println!("{:<28} {:>12.3}", "evaluate median (ms)", ms(eval_time));
    println!("{:<28} {:>12.0}", "rules/second", rules_per_second);
    println!(
        "{:<28} {:>12.3}",
        "baseline scan median (ms)",
        ms(base_time)
    );
    println!(
        "{:<28} {:>12.2}",
        "ratio evaluate/baseline",
        ms(eval_time) / ms(base_time)
    );
}

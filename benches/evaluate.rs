//! Benchmark of `rules::evaluate`: a 1,000-rule spec against a node with 2,000 PCI instances
//! and 5,000 cpuid flags (the stress input of `tests/support/generate.rs`), with a baseline that only
//! does the unavoidable scan (look up every term's feature and touch each instance's attribute
//! map once per instance term).
//!
//! Run with `cargo bench --bench evaluate`. Plain `std::time`, prints a table.

#![expect(clippy::print_stdout, reason = "a benchmark prints its table")]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::generate::{
    STRESS_CPUID_FLAGS as CPUID_FLAGS, STRESS_PCI_INSTANCES as PCI_INSTANCES, STRESS_RULES as RULES,
};
use common::median;

use nfd_compat::features::Features;
use nfd_compat::rules::{Options, evaluate};
use nfd_compat::spec::Spec;

const ITERATIONS: usize = 60;

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
    let features = common::stress_features();
    let spec = nfd_compat::spec::load(common::generate::stress_spec_yaml().as_bytes())
        .unwrap_or_else(|e| panic!("the stress spec does not load: {e}"))
        .spec;
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

//! What the performance work must not change: NFD's `--output-json` document is the same
//! whether or not the report's explanations are worked out (they are skipped for it), and the
//! explanations shared between expressions are the same as those worked out one by one.

use nfd_compat::features::Features;
use nfd_compat::report::{self, Detail, Origin};
use nfd_compat::rules::{self, Options};

use crate::common::testdata;

fn reports() -> (report::Report, report::Report) {
    let spec = std::fs::read(testdata("specs/gpu-node.yaml")).unwrap();
    let spec = nfd_compat::spec::load(&spec).unwrap().spec;
    let node = std::fs::read_to_string(testdata("snapshots/intel-server.json")).unwrap();
    let features: Features = serde_json::from_str(&node).unwrap();
    let evaluation = rules::evaluate(&spec, &features, &Options::default());
    let build = |detail| {
        let origin = Origin::default();
        report::build_with(&spec, &evaluation, &features, origin, Vec::new(), detail)
    };
    (build(Detail::Full), build(Detail::Outcome))
}

#[test]
fn nfd_json_is_the_same_without_the_explanations() {
    let (full, outcome) = reports();
    let render = |r: &report::Report| {
        let mut out = Vec::new();
        report::nfd::render(r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert_eq!(render(&outcome), render(&full));
    let exprs = |r: &report::Report| -> Vec<report::ExprReport> {
        r.sets
            .iter()
            .flat_map(|s| &s.rules)
            .flat_map(|r| {
                r.match_features
                    .iter()
                    .chain(r.match_any.iter().flat_map(|a| &a.match_features))
            })
            .cloned()
            .collect()
    };
    // The full report does explain (so the comparison above means something), the other not.
    let full = exprs(&full);
    assert!(
        full.iter().all(|e| !e.node_has.plain().is_empty()),
        "{full:#?}"
    );
    assert!(full.iter().any(|e| e.hint.is_some()), "{full:#?}");
    assert!(
        full.iter().any(|e| e.matching_instances.is_some()),
        "{full:#?}"
    );
    for e in exprs(&outcome) {
        assert!(
            e.node_has.plain().is_empty() && e.hint.is_none() && e.matching_instances.is_none()
        );
    }
}

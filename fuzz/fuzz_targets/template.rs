//! `varsTemplate`: the checker (at load) and the evaluator (the rule engine runs it over the
//! matched elements of a fixed node). Whatever the template, the run ends with vars or an
//! error on the rule: no panic, no hang, no exhausted memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod node;
use node::node;

fuzz_target!(|data: &[u8]| {
    let Ok(template) = std::str::from_utf8(data) else {
        return;
    };
    // One rule whose matchers match flags, attributes and instances, so the template's data has
    // every shape; a second rule reads the first one's vars back.
    let spec = serde_json::json!({
        "version": "v1alpha1",
        "compatibilities": [{"rules": [
            {
                "name": "fuzzed",
                "varsTemplate": template,
                "matchFeatures": [
                    {"feature": "fake.flag", "matchName": {"op": "Exists"}},
                    {"feature": "fake.attribute", "matchExpressions": {"attr_1": {"op": "Exists"}}},
                    {"feature": "fake.instance", "matchExpressions": {"attr_1": {"op": "In", "value": ["true"]}}}
                ]
            },
            {
                "name": "after",
                "matchFeatures": [
                    {"feature": "rule.matched", "matchExpressions": {"a": {"op": "Exists"}}}
                ]
            }
        ]}]
    });
    let bytes = serde_json::to_vec(&spec).expect("serialises");
    if let Ok(loaded) = nfd_compat::spec::load(&bytes) {
        let evaluation =
            nfd_compat::rules::evaluate(&loaded.spec, node(), &nfd_compat::rules::Options::default());
        let _ = evaluation.sets.iter().any(|s| s.is_match());
    }
});

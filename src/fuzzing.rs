//! The fuzz targets' bodies (`fuzz/`, run by `scripts/fuzz.sh`), here so that the regression
//! test replays every saved finding (`fuzz/regressions/<target>/`) through exactly what the
//! fuzzer ran. Each takes raw attacker-controlled bytes, runs one parser the way the tool does,
//! and panics when an invariant breaks; a parser that panics, hangs or exhausts memory is a
//! finding too. Hidden from the documentation and not a stable API.

use std::io::{self, Read};

use serde_json::Value;

use crate::features::Features;
use crate::fleet::split::{Split, split};
use crate::registry::auth::Challenge;
use crate::registry::client::Response;
use crate::registry::oci::{self, Index, Manifest, PlatformSpec};
use crate::registry::reference::{Reference, parse_digest};
use crate::{rules, snapshot, spec};

/// The fuzz targets, by name (the `fuzz/fuzz_targets/<name>.rs` files).
pub const TARGETS: [&str; 7] = [
    "spec",
    "snapshot",
    "fleet_split",
    "reference",
    "template",
    "registry_json",
    "headers",
];

/// Runs target `name` on `data`; `node` is what the spec and template targets evaluate against.
pub fn run(name: &str, data: &[u8], node: &Features) {
    match name {
        "spec" => spec_target(data, node),
        "snapshot" => {
            if let Ok(text) = std::str::from_utf8(data) {
                snapshot::check_fast_yaml(text);
            }
            crate::fleet::fast::check_fast_json(data);
            let _ = snapshot::parse(data);
        }
        "fleet_split" => fleet_split(data),
        "reference" => reference(data),
        "template" => template(data, node),
        "registry_json" => registry_json(data),
        "headers" => headers(data),
        other => panic!("no fuzz target `{other}`"),
    }
}

/// The spec loader (YAML 1.2 or JSON, every check), then evaluation of what loads; and the
/// YAML fast reader against the full parser.
fn spec_target(data: &[u8], node: &Features) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = spec::yaml::check_fast_reader(text, spec::YAML_LIMITS);
    }
    if let Ok(loaded) = spec::load(data) {
        let evaluation = rules::evaluate(&loaded.spec, node, &rules::Options::default());
        let _ = evaluation.sets.iter().any(rules::SetEvaluation::is_match);
    }
}

/// Reads in pieces of 7 bytes, so that items and strings straddle chunk ends.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.0.len()).min(7);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// The streaming fleet splitter: chunking changes nothing, items come in order, and for a
/// valid JSON list the items are exactly its elements.
fn fleet_split(data: &[u8]) {
    crate::fleet::fast::check_fast_json(data);
    let mut items = Vec::new();
    let whole = split(data, 1 << 20, data.len() as u64, |i, bytes| {
        items.push((i, bytes.to_vec()));
    });
    let mut trickled = Vec::new();
    let pieces = split(Trickle(data), 1 << 20, 0, |i, bytes| {
        trickled.push((i, bytes.to_vec()));
    });
    assert_eq!(items, trickled, "items differ with small reads");
    match (&whole, &pieces) {
        (Ok(Split::List { items: a, rest: r }), Ok(Split::List { items: b, rest: s })) => {
            assert_eq!((a, r), (b, s));
        }
        (Ok(Split::Document(a)), Ok(Split::Document(b))) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("outcome differs with small reads: {a:?} vs {b:?}"),
    }
    for (n, (i, _)) in items.iter().enumerate() {
        assert_eq!(*i, n, "items are handed over in order");
    }
    if let (Ok(Split::List { .. }), Ok(Value::Object(map))) =
        (&whole, serde_json::from_slice::<Value>(data))
        && let Some(Value::Array(expected)) = map.get("items")
    {
        assert_eq!(items.len(), expected.len(), "item count");
        for ((_, bytes), want) in items.iter().zip(expected) {
            let got = serde_json::from_slice::<Value>(bytes);
            assert!(
                got.as_ref().is_ok_and(|got| got == want),
                "item {got:?} is not {want}"
            );
        }
    }
}

/// The reference parser and the digest check: a reference that parses prints as one that
/// parses back to the same thing.
fn reference(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_digest(text);
    if let Ok(r) = Reference::parse(text) {
        let printed = r.to_string();
        let again = Reference::parse(&printed);
        assert!(
            again.as_ref().is_ok_and(|again| *again == r),
            "`{text}` printed as `{printed}`, which parses as {again:?}"
        );
        let _ = r.api_host();
        let _ = r.target();
        if let Some(d) = &r.digest {
            assert!(parse_digest(d).is_ok(), "a parsed reference holds `{d}`");
        }
    }
}

/// `varsTemplate`, checked at load and executed by the rule engine over the matched flags,
/// attributes and instances of `node`; a second rule reads the first one's vars back.
fn template(data: &[u8], node: &Features) {
    let Ok(template) = std::str::from_utf8(data) else {
        return;
    };
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
    spec_target(spec.to_string().as_bytes(), node);
}

/// The registry's JSON answers: what decodes re-encodes and decodes to the same value.
fn registry_json(data: &[u8]) {
    fn round_trip<T>(data: &[u8])
    where
        T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
    {
        if let Ok(value) = serde_json::from_slice::<T>(data) {
            let again = serde_json::to_vec(&value)
                .map_err(|e| e.to_string())
                .and_then(|bytes| serde_json::from_slice::<T>(&bytes).map_err(|e| e.to_string()));
            assert!(
                again.as_ref().is_ok_and(|again| *again == value),
                "{value:?} re-decodes as {again:?}"
            );
        }
    }
    round_trip::<Index>(data);
    round_trip::<Manifest>(data);
    if let Ok(config) = serde_json::from_slice::<PlatformSpec>(data) {
        let _ = config.label();
    }
    let _ = oci::media_type_of(None, data);
    let _ = oci::media_type_of(Some("application/json"), data);
    let response = Response {
        status: 404,
        headers: Vec::new(),
        body: data.to_vec(),
        url: "http://127.0.0.1/v2/app/manifests/v1".to_owned(),
    };
    let _ = response.error_message();
}

/// The `WWW-Authenticate` parser and the `Link` parser (one header per line): a `Link` target
/// never keeps its angle brackets and is taken from the header.
fn headers(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Challenge::parse(text);
    if let Some(next) = crate::registry::repo::parse_next_link(text.split('\n')) {
        assert!(!next.starts_with('<') && !next.ends_with('>'), "{next}");
        assert!(text.contains(&next), "{next}");
    }
}

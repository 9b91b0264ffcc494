//! The streaming fleet splitter. Besides not panicking, what it hands over must be the input:
//! for a valid list, each item parses as JSON on its own and the items re-joined into the
//! rest give back the same document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfd_compat::fleet::split::{Split, split};

/// Reads in small pieces, so that items and strings straddle chunk ends.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len()).min(7);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut items = Vec::new();
    let whole = split(data, 1 << 20, |i, bytes| items.push((i, bytes)));
    let mut trickled = Vec::new();
    let pieces = split(Trickle(data), 1 << 20, |i, bytes| trickled.push((i, bytes)));
    // Chunking must not change the outcome.
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
    // A document that is valid JSON with a top-level `items` array: the items are its elements.
    if let (Ok(Split::List { .. }), Ok(serde_json::Value::Object(map))) =
        (&whole, serde_json::from_slice::<serde_json::Value>(data))
    {
        if let Some(serde_json::Value::Array(expected)) = map.get("items") {
            assert_eq!(items.len(), expected.len(), "item count");
            for ((_, bytes), want) in items.iter().zip(expected) {
                let got: serde_json::Value =
                    serde_json::from_slice(bytes).expect("an item of valid JSON is valid JSON");
                assert_eq!(&got, want);
            }
        }
    }
});

//! The registry's JSON answers: an index (referrers list, tag-schema index, image index), a
//! manifest, an image config, an OCI error body, and the media-type sniffing. What decodes
//! re-encodes and decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfd_compat::registry::client::Response;
use nfd_compat::registry::oci::{self, Index, Manifest, PlatformSpec};

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = serde_json::from_slice::<Index>(data) {
        let again: Index = serde_json::from_slice(&serde_json::to_vec(&index).expect("encodes"))
            .expect("re-decodes");
        assert_eq!(index, again);
    }
    if let Ok(manifest) = serde_json::from_slice::<Manifest>(data) {
        let again: Manifest =
            serde_json::from_slice(&serde_json::to_vec(&manifest).expect("encodes"))
                .expect("re-decodes");
        assert_eq!(manifest, again);
    }
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
});

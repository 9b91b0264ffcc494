//! The `local` source: `local.feature` and `local.label` from the feature files in
//! `/etc/kubernetes/node-feature-discovery/features.d/` (under the host root), as NFD's
//! `source/local`.
//!
//! Files are read in name order; hidden files (`.name`), directories and files over 64 KiB are
//! skipped (the last with a warning, as NFD logs an error). A later file overrides an earlier
//! one key by key. A missing directory gives both features empty, as in NFD; any other error
//! listing it is a warning and neither feature is produced (NFD's Discover fails).
//!
//! Line rules (NFD `parseFeatureFile`): lines are trimmed; empty lines are skipped; `# +name` or
//! `# +name=value` is a directive, any other `#` line a comment (`#+no-label` too). `key`
//! alone means `true`, otherwise the value is everything after the first `=`. Directives:
//! `expiry-time=<RFC 3339>` stays in force for the rest of the file and skips the lines after
//! it once the time has passed (an unparsable time is ignored and the previous expiry kept);
//! `no-feature` / `no-label` apply to the next line that is not expired: that key is not
//! recorded as a feature / label and is deleted from this file's own map. Unknown directives
//! are ignored.

use crate::timestamp::Timestamp;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Context, Discovered, HostRoot, Source, SourceError, lossy, read_at_most};

/// NFD's `local` source.
pub(crate) struct Local;

const SOURCE: &str = "local";

/// The feature file directory, as a host path.
pub(crate) const FEATURES_DIR: &str = "/etc/kubernetes/node-feature-discovery/features.d";

/// NFD's `MaxFeatureFileSize`.
const MAX_FILE_SIZE: u64 = 65536;

/// A feature file that cannot be used.
#[derive(Debug, thiserror::Error)]
enum LocalError {
    /// The file is larger than NFD accepts.
    #[error("skipping `{}`: {size} bytes is over the limit of {MAX_FILE_SIZE}", path.display())]
    TooBig {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] SourceError),
}

impl Source for Local {
    fn features(&self) -> &'static [&'static str] {
        &["local.label", "local.feature"]
    }

    fn discover(&self, ctx: &Context, out: &mut Discovered) {
        let dir = ctx.root.join(FEATURES_DIR);
        let now = Timestamp::from_system_time(ctx.now);
        let mut features: BTreeMap<String, String> = BTreeMap::new();
        let mut labels: BTreeMap<String, String> = BTreeMap::new();
        match ctx.root.read_dir_names_at(&dir) {
            Ok(names) => {
                for name in names.iter().filter(|n| !n.starts_with('.')) {
                    match read_feature_file(&ctx.root, &dir.join(name)) {
                        Ok(Some(text)) => {
                            let file = parse_feature_file(&text, now);
                            let owned = |(k, v): (&str, &str)| (k.to_owned(), v.to_owned());
                            features.extend(file.features.into_iter().map(owned));
                            labels.extend(file.labels.into_iter().map(owned));
                        }
                        Ok(None) => {}
                        Err(err) => out.warn(SOURCE, &err),
                    }
                }
            }
            Err(err) if err.is_not_found() => {}
            Err(err) => {
                out.warn(SOURCE, &err);
                return;
            }
        }
        out.features.insert_attributes("local.feature", features);
        out.features.insert_attributes("local.label", labels);
    }
}

/// The text of a feature file, `None` for a directory. One open and one `fstat`; a FIFO or
/// device is refused, and the read stops at the limit even if the file grows meanwhile.
fn read_feature_file(root: &HostRoot, path: &Path) -> Result<Option<String>, LocalError> {
    let file = match root.open(path) {
        Ok(file) => file,
        Err(SourceError::NotRegular {
            kind: "directory", ..
        }) => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    let meta = file.metadata().map_err(|source| SourceError::Read {
        path: path.to_owned(),
        source,
    })?;
    if meta.len() > MAX_FILE_SIZE {
        return Err(LocalError::TooBig {
            path: path.to_owned(),
            size: meta.len(),
        });
    }
    Ok(Some(lossy(read_at_most(file, path, MAX_FILE_SIZE)?)))
}

/// What one feature file contributes.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct FileFeatures<'a> {
    /// Keys and values for `local.feature`.
    pub(crate) features: BTreeMap<&'a str, &'a str>,
    /// Keys and values for `local.label`.
    pub(crate) labels: BTreeMap<&'a str, &'a str>,
}

/// Parses one feature file as of `now` (NFD `parseFeatureFile`, see the module doc).
pub(crate) fn parse_feature_file(text: &str, now: Timestamp) -> FileFeatures<'_> {
    let mut out = FileFeatures::default();
    let mut expiry: Option<Timestamp> = None;
    let mut skip_label = false;
    let mut skip_feature = false;
    for line in text.split('\n') {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(directive) = line.strip_prefix("# +") {
            let (name, value) = match directive.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (directive, None),
            };
            match name {
                "no-label" => skip_label = true,
                "no-feature" => skip_feature = true,
                "expiry-time" => {
                    if let Some(t) = value.and_then(|v| Timestamp::parse_rfc3339(v.trim())) {
                        expiry = Some(t);
                    }
                }
                _ => {}
            }
            continue;
        }
        if line.starts_with('#') || expiry.is_some_and(|t| t < now) {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, "true"));
        if skip_feature {
            out.features.remove(key);
        } else {
            out.features.insert(key, value);
        }
        if skip_label {
            out.labels.remove(key);
        } else {
            out.labels.insert(key, value);
        }
        skip_feature = false;
        skip_label = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::testing;

    /// (file text, features, labels).
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static [(&'static str, &'static str)],
    );

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn directive_semantics() {
        let now = ts("2026-01-01T00:00:00Z");

        let cases: &[Case] = &[
            (
                "a=1\nb\n\n  c = d  \n",
                &[("a", "1"), ("b", "true"), ("c ", " d")],
                &[("a", "1"), ("b", "true"), ("c ", " d")],
            ),
            (
                "# +no-label\na=1\nb=2",
                &[("a", "1"), ("b", "2")],
                &[("b", "2")],
            ),
            (
                "# +no-feature\na=1\nb=2",
                &[("b", "2")],
                &[("a", "1"), ("b", "2")],
            ),
            // no-label deletes the file's own earlier value.
            ("a=1\n# +no-label\na=2", &[("a", "2")], &[]),
            // The directive with a value still counts (NFD compares the part before `=`).
            ("# +no-label=yes\na=1", &[("a", "1")], &[]),
            ("#+no-label\na=1", &[("a", "1")], &[("a", "1")]),
            ("# + no-label\na=1", &[("a", "1")], &[("a", "1")]),
            ("# +unknown\na=1", &[("a", "1")], &[("a", "1")]),
            // Expiry stays in force; an expired line keeps no-label pending.
            (
                "# +no-label\n# +expiry-time=2020-01-01T00:00:00Z\nx=1\ny=2\n# +expiry-time=2030-01-01T00:00:00Z\nz=3",
                &[("z", "3")],
                &[],
            ),
            // An unparsable expiry keeps the previous one.
            (
                "# +expiry-time=2020-01-01T00:00:00Z\n# +expiry-time=garbage\na=1",
                &[],
                &[],
            ),
            (
                "# +expiry-time=2030-01-01T00:00:00Z\n# +expiry-time=garbage\na=1",
                &[("a", "1")],
                &[("a", "1")],
            ),
            ("# +expiry-time\na=1", &[("a", "1")], &[("a", "1")]),
            ("# +expiry-time= 2020-01-01T00:00:00Z \na=1", &[], &[]),
            // Exactly now is not expired (NFD: expiry.Before(now)).
            (
                "# +expiry-time=2026-01-01T00:00:00Z\na=1",
                &[("a", "1")],
                &[("a", "1")],
            ),
            (
                "# +expiry-time=2025-12-31T23:59:59.999999999Z\na=1",
                &[],
                &[],
            ),
            ("# +expiry-time=2026-01-01T01:00:00+02:00\na=1", &[], &[]),
            ("=v\nk=\n", &[("", "v"), ("k", "")], &[("", "v"), ("k", "")]),
            ("# +no-label\r\ncrlf=v\r\n", &[("crlf", "v")], &[]),
        ];
        for (text, features, labels) in cases {
            let got = parse_feature_file(text, now);
            let want = FileFeatures {
                features: features.iter().copied().collect(),
                labels: labels.iter().copied().collect(),
            };
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn nfd_local_tree() {
        let out = testing::discover(&Local, "nfd-local");
        let json = testing::features_json(&out);
        assert_eq!(
            json["attributes"]["local.feature"]["elements"],
            serde_json::json!({
                "after-both": "y",
                "crlf-key": "crlf-value",
                "empty": "",
                "featureKey2": "featureValue2",
                "featureKey3": "featureValue3",
                "featureKeyRandomComment": "featureValue",
                "featureKeyUnparsable": "featureValue",
                "featureKeyValid": "featureValue",
                "foo": "from-zz",
                "indented-key": "indented value",
                "my-feature": "value",
                "no-label-survived-expiry": "yes",
                "not-a-directive": "1",
                "plain": "after-unknown",
                "url": "https://example.com/?a=b&c=d"
            })
        );
        assert_eq!(
            json["attributes"]["local.label"]["elements"],
            serde_json::json!({
                "after-both": "y",
                "empty": "",
                "featureKey2": "featureValue2",
                "featureKey3": "featureValue3",
                "featureKeyRandomComment": "featureValue",
                "featureKeyUnparsable": "featureValue",
                "featureKeyValid": "featureValue",
                "foo": "from-zz",
                "indented-key": "indented value",
                "label-only": "value",
                "label-only-2": "value",
                "my-feature": "zz-label-only",
                "not-a-directive": "1",
                "plain": "after-unknown",
                "url": "https://example.com/?a=b&c=d"
            })
        );
        // Only the big file is worth a warning (the hidden file and the subdirectory are not).
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].message.contains("big_file"));
        assert_eq!(json["flags"], serde_json::json!({}));
    }

    #[test]
    fn missing_dir_gives_empty_features() {
        assert_eq!(
            testing::features_without_warnings(&Local, "minimal-container")["attributes"],
            serde_json::json!({"local.feature": {"elements": {}}, "local.label": {"elements": {}}})
        );
    }
}

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

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Context, Discovered, Source, SourceError, read_dir_names_at};

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
    fn name(&self) -> &'static str {
        SOURCE
    }

    fn discover(&self, ctx: &Context, out: &mut Discovered) {
        let dir = ctx.root.join(FEATURES_DIR);
        let now = Timestamp::from_system_time(ctx.now);
        let mut features: BTreeMap<String, String> = BTreeMap::new();
        let mut labels: BTreeMap<String, String> = BTreeMap::new();
        match read_dir_names_at(&dir) {
            Ok(names) => {
                for name in names.iter().filter(|n| !n.starts_with('.')) {
                    match read_feature_file(&dir.join(name)) {
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

/// The text of a feature file, `None` for a directory. One open and one `fstat`.
fn read_feature_file(path: &Path) -> Result<Option<String>, LocalError> {
    let read_err = |source| SourceError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if meta.is_dir() {
        return Ok(None);
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(LocalError::TooBig {
            path: path.to_owned(),
            size: meta.len(),
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(read_err)?;
    Ok(Some(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }))
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

/// A point in time: seconds since the Unix epoch (negative before it) and nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// A timestamp from seconds and nanoseconds since the epoch.
    pub(crate) fn new(secs: i64, nanos: u32) -> Self {
        Self { secs, nanos }
    }

    /// The timestamp of a `SystemTime`.
    pub(crate) fn from_system_time(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Self::new(
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_nanos(),
            ),
            Err(e) => {
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                if d.subsec_nanos() == 0 {
                    Self::new(-secs, 0)
                } else {
                    Self::new(-secs - 1, 1_000_000_000 - d.subsec_nanos())
                }
            }
        }
    }

    /// Parses Go's `time.RFC3339` layout as `time.Parse` accepts it (its strict fast path or
    /// its general parser): `YYYY-MM-DDTHH:MM:SS[.frac]Z` or `...±hh:mm`, with `T` and `Z`
    /// upper-case, a valid calendar date, hours below 24 (one digit allowed: the layout's `15`
    /// is not zero-padded), minutes and seconds below 60, one or more fraction digits after
    /// `.` or `,` (digits beyond nanoseconds dropped), and a zone offset of at most 24:60 (Go's
    /// general parser accepts those on purpose).
    pub(crate) fn parse_rfc3339(s: &str) -> Option<Self> {
        let mut cursor = s.as_bytes();
        let year = digits(cursor.get(..4)?)?;
        cursor = &cursor[4..];
        let month = literal(&mut cursor, b'-').and_then(|()| two(&mut cursor))?;
        let day = literal(&mut cursor, b'-').and_then(|()| two(&mut cursor))?;
        literal(&mut cursor, b'T')?;
        let hour_len = if cursor.get(1).is_some_and(u8::is_ascii_digit) {
            2
        } else {
            1
        };
        let hour = digits(cursor.get(..hour_len)?)?;
        cursor = &cursor[hour_len..];
        let minute = literal(&mut cursor, b':').and_then(|()| two(&mut cursor))?;
        let second = literal(&mut cursor, b':').and_then(|()| two(&mut cursor))?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let mut nanos = 0u32;
        if let [b'.' | b',', frac @ ..] = cursor {
            let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            let mut scale = 100_000_000;
            for &d in &frac[..n.min(9)] {
                nanos += u32::from(d - b'0') * scale;
                scale /= 10;
            }
            cursor = &frac[n..];
        }
        let offset = match cursor {
            [b'Z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let oh = digits(&[*h1, *h2])?;
                let om = digits(&[*m1, *m2])?;
                if oh > 24 || om > 60 {
                    return None;
                }
                let off = oh * 3600 + om * 60;
                if *sign == b'-' { -off } else { off }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
        Some(Self::new(secs, nanos))
    }
}

/// Consumes the byte `b` from the front of `cursor`.
fn literal(cursor: &mut &[u8], b: u8) -> Option<()> {
    let (&first, rest) = cursor.split_first()?;
    (first == b).then(|| *cursor = rest)
}

/// Consumes two digits from the front of `cursor`.
fn two(cursor: &mut &[u8]) -> Option<i64> {
    let value = digits(cursor.get(..2)?)?;
    *cursor = &cursor[2..];
    Some(value)
}

/// The value of a run of ASCII digits.
fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
    fn rfc3339_table() {
        let cases: &[(&str, Option<(i64, u32)>)] = &[
            ("1970-01-01T00:00:00Z", Some((0, 0))),
            ("2026-01-01T00:00:00Z", Some((1_767_225_600, 0))),
            ("2080-07-28T11:22:33Z", Some((3_489_391_353, 0))),
            ("2000-02-29T12:00:00Z", Some((951_825_600, 0))),
            ("1969-12-31T23:59:59Z", Some((-1, 0))),
            ("1970-01-01T01:00:00+01:00", Some((0, 0))),
            ("1969-12-31T19:30:00-04:30", Some((0, 0))),
            ("2026-01-01T00:00:00.5Z", Some((1_767_225_600, 500_000_000))),
            (
                "2026-01-01T00:00:00,123456789123Z",
                Some((1_767_225_600, 123_456_789)),
            ),
            (
                "2026-01-01T00:00:00.000000001+00:00",
                Some((1_767_225_600, 1)),
            ),
            ("2080-07-28T11:22:33X", None),
            ("2080-07-28t11:22:33Z", None),
            ("2080-07-28T11:22:33z", None),
            ("2080-07-28 11:22:33Z", None),
            ("2080-07-28T11:22:33", None),
            ("2080-07-28T11:22:33.Z", None),
            ("2080-07-28T24:00:00Z", None),
            ("2080-07-28T11:60:00Z", None),
            ("2080-07-28T11:22:60Z", None),
            ("2001-02-29T00:00:00Z", None),
            ("2080-13-01T00:00:00Z", None),
            ("2080-00-01T00:00:00Z", None),
            ("2080-07-28T11:22:33+0100", None),
            (
                "2080-07-28T11:22:33+24:00",
                Some((3_489_391_353 - 86_400, 0)),
            ),
            ("2080-07-28T11:22:33-00:60", Some((3_489_391_353 + 3600, 0))),
            ("2080-07-28T11:22:33+25:00", None),
            ("2080-07-28T11:22:33+00:61", None),
            ("2080-07-28T1:22:33Z", Some((3_489_391_353 - 36_000, 0))),
            ("2080-07-28T:22:33Z", None),
            ("2080-07-28T11:2:33Z", None),
            ("2080-07-28T11:22:3Z", None),
            ("2080-07-2T11:22:33Z", None),
            ("2080-7-28T11:22:33Z", None),
            ("+080-07-28T11:22:33Z", None),
            ("2080-07-28T11:22:33Zjunk", None),
        ];
        for (input, want) in cases {
            let got = Timestamp::parse_rfc3339(input).map(|t| (t.secs, t.nanos));
            assert_eq!(got, *want, "{input}");
        }
    }

    #[test]
    fn system_time_round_trip() {
        use std::time::Duration;
        let after = UNIX_EPOCH + Duration::new(5, 7);
        assert_eq!(Timestamp::from_system_time(after), Timestamp::new(5, 7));
        let before = UNIX_EPOCH - Duration::new(1, 500_000_000);
        assert_eq!(
            Timestamp::from_system_time(before),
            Timestamp::new(-2, 500_000_000)
        );
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
        let out = testing::discover(&Local, "minimal-container");
        assert_eq!(out.warnings, []);
        assert_eq!(
            testing::features_json(&out)["attributes"],
            serde_json::json!({"local.feature": {"elements": {}}, "local.label": {"elements": {}}})
        );
    }
}

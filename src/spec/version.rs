//! Versions as NFD compares them for `type: version` (Masterminds/semver v3 with coercion).
//!
//! NFD parses with `semver.NewVersion`: an optional `v`, one to three dot-separated numbers
//! (missing parts are 0, leading zeros allowed), an optional `-prerelease` and `+metadata`.
//! It then drops the prerelease and compares major.minor.patch only, so `6.8.0-45-generic`
//! equals `6.8.0`.

use std::cmp::Ordering;
use std::fmt;

/// A parsed version: only the numeric core takes part in comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Version {
    /// Major number.
    pub(crate) major: u64,
    /// Minor number (0 when absent).
    pub(crate) minor: u64,
    /// Patch number (0 when absent).
    pub(crate) patch: u64,
}

impl Version {
    /// Parses `s` exactly as NFD does; `None` where NFD reports `not a version`.
    pub(crate) fn parse(s: &str) -> Option<Version> {
        let rest = s.strip_prefix('v').unwrap_or(s);
        // Split off `+metadata`, then `-prerelease` (the first `-` after the numeric core).
        let (rest, metadata) = match rest.split_once('+') {
            Some((r, m)) => (r, Some(m)),
            None => (rest, None),
        };
        let (core, prerelease) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let mut parts = core.split('.');
        let major = number(parts.next()?)?;
        let minor = parts.next().map_or(Some(0), number)?;
        let patch = parts.next().map_or(Some(0), number)?;
        if parts.next().is_some() {
            return None;
        }
        if prerelease.is_some_and(|p| !identifiers(p, true))
            || metadata.is_some_and(|m| !identifiers(m, false))
        {
            return None;
        }
        Some(Version {
            major,
            minor,
            patch,
        })
    }
}

/// A run of ASCII digits (leading zeros allowed) that fits in 64 bits.
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Dot-separated non-empty `[0-9A-Za-z-]` identifiers. In a prerelease, a purely numeric
/// identifier must not have a leading zero.
fn identifiers(s: &str, prerelease: bool) -> bool {
    s.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !(prerelease
                && id.len() > 1
                && id.starts_with('0')
                && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn parses_as_nfd() {
        let ok = [
            ("22.04", (22, 4, 0)),
            ("v1.2", (1, 2, 0)),
            ("1", (1, 0, 0)),
            ("01", (1, 0, 0)),
            ("6.8.0-45-generic", (6, 8, 0)),
            ("5.15.0-1019-aws", (5, 15, 0)),
            ("1.2.3+meta", (1, 2, 3)),
            ("6.0.0-beta", (6, 0, 0)),
            ("1.2.3-rc.1+build.5", (1, 2, 3)),
        ];
        for (input, (major, minor, patch)) in ok {
            assert_eq!(
                Version::parse(input),
                Some(Version {
                    major,
                    minor,
                    patch
                }),
                "{input}"
            );
        }
        let bad = [
            "4.18.0-305.el8.x86_64",
            "6.0.10-100_123.x86_64",
            "1.2.3.4",
            " 1.2",
            "-11",
            "0x10",
            "",
            "v",
            "1..2",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3+",
        ];
        for input in bad {
            assert_eq!(Version::parse(input), None, "{input}");
        }
    }

    #[test]
    fn compares_numeric_core_only() {
        let a = Version::parse("6.8.0-45-generic").unwrap();
        let b = Version::parse("6.8").unwrap();
        assert_eq!(a, b);
        assert!(Version::parse("6.10").unwrap() > Version::parse("6.9.99").unwrap());
    }
}

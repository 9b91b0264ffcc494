//! `--platform os[/arch[/variant]][:os_version]`, parsed and matched as NFD (oras) does.

use std::fmt;

/// A target platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Platform {
    /// `linux`, `windows`, ...
    pub os: String,
    /// `amd64`, `arm64`, ...
    pub architecture: String,
    /// `v8`, `v7`, ... (matched only when given).
    pub variant: Option<String>,
    /// The OS version (matched only when given).
    pub os_version: Option<String>,
}

/// Why `--platform` could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid --platform `{input}`: {reason}")]
pub(crate) struct PlatformError {
    /// What was given.
    pub input: String,
    /// What is wrong.
    pub reason: String,
}

impl Platform {
    /// Parses as NFD: the first `:` starts the OS version; one part means this binary's
    /// architecture; more than three parts is an error.
    pub(crate) fn parse(input: &str) -> Result<Platform, PlatformError> {
        let fail = |reason: &str| PlatformError {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        let (platform, os_version) = match input.split_once(':') {
            Some((p, v)) => (p, Some(v.to_owned()).filter(|v| !v.is_empty())),
            None => (input, None),
        };
        let parts: Vec<&str> = platform.split('/').collect();
        let (os, architecture, variant) = match parts.as_slice() {
            [os] => (*os, go_arch(), None),
            [os, arch] => (*os, *arch, None),
            [os, arch, variant] => (*os, *arch, Some((*variant).to_owned())),
            _ => return Err(fail("expected format os[/arch[/variant]][:os_version]")),
        };
        if os.is_empty() {
            return Err(fail("OS cannot be empty"));
        }
        if architecture.is_empty() {
            return Err(fail("architecture cannot be empty"));
        }
        Ok(Platform {
            os: os.to_owned(),
            architecture: architecture.to_owned(),
            variant,
            os_version,
        })
    }

    /// The platform this binary runs on (`linux/amd64`).
    pub(crate) fn host() -> Platform {
        Platform {
            os: std::env::consts::OS.to_owned(),
            architecture: go_arch().to_owned(),
            variant: None,
            os_version: None,
        }
    }

    /// Whether an image's platform satisfies this one (oras' rule: os and architecture
    /// equal; variant and os version equal only when this one gives them).
    pub(crate) fn matches(
        &self,
        os: &str,
        architecture: &str,
        variant: Option<&str>,
        os_version: Option<&str>,
    ) -> bool {
        self.os == os
            && self.architecture == architecture
            && self.variant.as_deref().is_none_or(|v| Some(v) == variant)
            && self
                .os_version
                .as_deref()
                .is_none_or(|v| Some(v) == os_version)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        if let Some(v) = &self.os_version {
            write!(f, ":{v}")?;
        }
        Ok(())
    }
}

/// Go's `GOARCH` for the architecture this binary was built for.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_nfd() {
        let p = Platform::parse("linux/arm64/v8:1.0").unwrap();
        assert_eq!(
            (
                p.os.as_str(),
                p.architecture.as_str(),
                p.variant.as_deref(),
                p.os_version.as_deref()
            ),
            ("linux", "arm64", Some("v8"), Some("1.0"))
        );
        let p = Platform::parse("windows/amd64:10.0.17763.1").unwrap();
        assert_eq!(p.os_version.as_deref(), Some("10.0.17763.1"));
        assert_eq!(Platform::parse("linux").unwrap().architecture, go_arch());
        for (input, want) in [
            ("linux/a/b/c", "expected format"),
            ("/amd64", "OS cannot be empty"),
            ("linux/", "architecture cannot be empty"),
            ("", "OS cannot be empty"),
        ] {
            assert!(
                Platform::parse(input)
                    .unwrap_err()
                    .to_string()
                    .contains(want),
                "{input}"
            );
        }
    }

    #[test]
    fn matches_like_oras() {
        let p = Platform::parse("linux/arm64").unwrap();
        assert!(p.matches("linux", "arm64", Some("v8"), None));
        assert!(!p.matches("linux", "amd64", None, None));
        let p = Platform::parse("linux/arm/v7").unwrap();
        assert!(p.matches("linux", "arm", Some("v7"), None));
        assert!(!p.matches("linux", "arm", Some("v6"), None));
        assert!(!p.matches("linux", "arm", None, None));
    }
}

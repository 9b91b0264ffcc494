//! One warning type, from where a warning is found to where it is shown.
//!
//! Modules return warnings next to their results (`Vec<Warning>` in a result struct, or pushed
//! into a `&mut Vec<Warning>` they are given); `app` hands them to the printer, which shows
//! them on stderr (`warning: ...`) unless `--quiet`, and the reports list them (`warnings` in
//! JSON and YAML, a section in the table).

use std::fmt;

/// What a warning is about; renderers may group or colour by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    /// The command line: an option that does less than it says.
    Usage,
    /// The spec: something NFD reads differently, or a lint finding.
    Spec,
    /// Feature discovery on a host; the feature source is named.
    Discovery(&'static str),
    /// Credentials: a file or helper that was skipped.
    Credentials,
    /// A registry or an image layout.
    Registry,
}

/// Something the user should know that does not stop the command.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// What it is about.
    pub topic: Topic,
    /// What happened, in one line, without a `warning:` prefix.
    pub message: String,
    /// The features it leaves undiscovered or incomplete (a discovery source that failed): a
    /// rule on them that fails cannot tell whether the node has what it needs. Empty for
    /// every other warning.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub lost: &'static [&'static str],
}

impl Warning {
    /// A warning about `topic`.
    pub fn new(topic: Topic, message: impl Into<String>) -> Self {
        Self {
            topic,
            message: message.into(),
            lost: &[],
        }
    }

    /// A warning about `err`, with its cause chain in one line.
    pub fn from_error(topic: Topic, err: &dyn std::error::Error) -> Self {
        let mut message = err.to_string();
        let mut cause = err.source();
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        Self {
            topic,
            message,
            lost: &[],
        }
    }

    /// The same warning, leaving `features` undiscovered or incomplete.
    #[must_use]
    pub fn losing(self, features: &'static [&'static str]) -> Self {
        Self {
            lost: features,
            ..self
        }
    }

    /// The feature source of a discovery warning.
    pub fn source(&self) -> Option<&'static str> {
        match self.topic {
            Topic::Discovery(source) => Some(source),
            _ => None,
        }
    }
}

impl fmt::Display for Warning {
    /// The one-line form shown on stderr and in reports: discovery warnings name their
    /// source (`discovery (pci): ...`), the others are their message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.topic {
            Topic::Discovery(source) => write!(f, "discovery ({source}): {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_warnings_name_their_source_and_others_are_their_message() {
        let io = std::io::Error::other("permission denied");
        let w = Warning::from_error(Topic::Discovery("pci"), &io);
        assert_eq!(w.to_string(), "discovery (pci): permission denied");
        let w = Warning::new(Topic::Credentials, "`auth.json`: not JSON; skipped");
        assert_eq!(w.to_string(), "`auth.json`: not JSON; skipped");
    }
}

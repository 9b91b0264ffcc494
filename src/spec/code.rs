//! Every diagnostic code about a spec, in one table: the loader's warnings (which every command
//! that loads a spec reports) and the lint's advice. Text output, JSON and docs/LINT.md all
//! read the name, severity and description from here.

use std::fmt;

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// Worth knowing; never fails a lint, not even with `--strict`.
    Note,
    /// Loads, but likely does not do what was meant; fails with `--strict`.
    Warning,
    /// The spec does not load.
    Error,
}

impl Severity {
    /// The word used in text output.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One thing found about a spec: a loader warning, a lint advice or (as `invalid-spec`) a
/// load error. The one diagnostic type of the loader and the lint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious it is (the code's severity).
    pub(crate) severity: Severity,
    /// What kind of finding it is.
    pub(crate) code: Code,
    /// The path in the spec (`compatibilities[0].rules[1].matchFeatures[0].feature`); empty
    /// for the whole document.
    pub(crate) path: String,
    /// The line, from 1, when the text gives one.
    pub(crate) line: Option<usize>,
    /// The column, from 1, when the text gives one.
    pub(crate) column: Option<usize>,
    /// What is wrong and how to fix it.
    pub(crate) message: String,
}

/// `LINE:COL: `path`: message`, each part when known.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, "{line}:{column}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "`{}`: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// Which step reports a code (docs/LINT.md's "reported by").
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The loader: every command that reads a spec (validate-node, attach, lint...).
    Loader,
    /// Only `lint` (and `attach`, which lints before pushing).
    Lint,
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $origin:ident, $severity:ident, $description:literal;)*) => {
        /// A stable identifier of one kind of finding about a spec.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum Code {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in table order.
            #[cfg(test)]
            pub(crate) const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The stable name (`unknown-feature`), as text and JSON show it.
            pub(crate) const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// Which step reports it.
            #[cfg(test)]
            pub(crate) const fn origin(self) -> Origin {
                match self {
                    $(Code::$variant => Origin::$origin,)*
                }
            }

            /// How serious it is.
            pub(crate) const fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// What it means, in one line.
            #[cfg(test)]
            pub(crate) const fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
            }
        }
    };
}

codes! {
    InvalidSpec = "invalid-spec", Lint, Error, "the spec does not load";
    MultipleDocuments = "multiple-documents", Loader, Warning,
        "a file with several YAML documents, of which only the first is read";
    FieldCase = "field-case", Loader, Warning, "a field name in another case";
    LegacyField = "legacy-field", Loader, Warning,
        "a NodeFeatureRule field that image-compatibility rules ignore";
    Yaml11 = "yaml11", Loader, Warning, "a plain value that NFD's YAML 1.1 reads differently";
    NoSets = "no-sets", Loader, Warning, "a spec without `compatibilities`";
    NoRules = "no-rules", Loader, Warning, "a set without `rules`, which matches every node";
    NoName = "no-name", Loader, Warning, "a rule without a `name`";
    EmptyAny = "empty-any", Loader, Warning, "a matchAny element without terms";
    FeatureName = "feature-name", Loader, Warning, "a feature name without `.`";
    MatchAnyOp = "match-any-op", Loader, Warning,
        "an expression without `op`, which matches anything";
    TypeIgnored = "type-ignored", Loader, Warning, "`type` on an op that does not read it";
    UnknownFeature = "unknown-feature", Lint, Warning, "a feature no NFD source produces";
    FeatureCase = "feature-case", Lint, Warning, "a feature name not in NFD's spelling";
    FakeFeature = "fake-feature", Lint, Warning, "a feature of NFD's test-only fake source";
    UnknownElement = "unknown-element", Lint, Warning, "an element name the feature never has";
    CpuidFlag = "cpuid-flag", Lint, Warning, "a CPU flag not in NFD's spelling";
    ModuleDash = "module-dash", Lint, Warning, "a kernel module name with `-`";
    ModuleName = "module-name", Lint, Warning, "a kernel module name in another form";
    ValueFormat = "value-format", Lint, Warning, "a value the element never has in that form";
    ConfigValue = "config-value", Lint, Warning, "`true`/`false` tested on a kernel config value";
    NotANumber = "not-a-number", Lint, Warning, "an integer comparison on a non-integer element";
    FlagOp = "flag-op", Lint, Warning, "an op other than Exists/DoesNotExist on a flag";
    NeverMatches = "never-matches", Lint, Warning, "expressions that no node can satisfy";
    BoundsOrder = "bounds-order", Lint, Warning, "`type: version` bounds out of order";
    InstanceNegation = "instance-negation", Lint, Warning,
        "only NotIn/DoesNotExist on an instance feature";
    DuplicateRule = "duplicate-rule", Lint, Warning, "two rules of one set with the same name";
    DuplicateRuleAcrossSets = "duplicate-rule-across-sets", Lint, Note,
        "a rule name used in several sets";
    SplitVersion = "split-version", Lint, Warning,
        "major and minor version numbers bounded separately";
    TemplateLimit = "template-limit", Lint, Warning,
        "a `varsTemplate` that runs into an execution limit on every node";
    EmptySet = "empty-set", Lint, Warning, "a set with `rules: []`";
    AlwaysMatches = "always-matches", Lint, Warning, "a rule with no matchFeatures and no matchAny";
    DuplicateTag = "duplicate-tag", Lint, Warning, "two sets with the same tag";
    SameWeight = "same-weight", Lint, Note, "every set has the same positive weight";
    NoDescription = "no-description", Lint, Note, "a set without a description";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The table as Markdown, the body of docs/LINT.md's code list (checked by a test).
#[cfg(test)]
pub(crate) fn markdown_table() -> String {
    let mut out =
        String::from("| code | severity | reported by | meaning |\n| --- | --- | --- | --- |\n");
    for code in Code::ALL {
        let origin = match code.origin() {
            Origin::Loader => "every command",
            Origin::Lint => "`lint`, `attach`",
        };
        out.push_str(&format!(
            "| `{}` | {} | {origin} | {} |\n",
            code.as_str(),
            code.severity().as_str(),
            code.description()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "`{name}` twice");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "`{name}`"
            );
        }
        assert_eq!(
            serde_json::to_string(&Code::DuplicateRuleAcrossSets).unwrap(),
            "\"duplicate-rule-across-sets\""
        );
    }

    #[test]
    fn findings_print_position_path_and_message() {
        let text = "version: v1alpha1\ncompatibilities:\n- rules:\n  - matchFeatures: []\n";
        let loaded = crate::spec::load(text.as_bytes()).unwrap();
        let [w] = loaded.warnings.as_slice() else {
            panic!("{:?}", loaded.warnings)
        };
        assert_eq!(
            w.to_string(),
            "4:5: `compatibilities[0].rules[0]`: the rule has no `name`; reports will show it without one"
        );
        assert_eq!((w.code, w.severity), (Code::NoName, Severity::Warning));
        let whole = Finding {
            line: None,
            column: None,
            path: String::new(),
            ..w.clone()
        };
        assert_eq!(whole.to_string(), whole.message);
    }

    #[test]
    fn the_loader_only_warns() {
        for code in Code::ALL {
            if code.origin() == Origin::Loader {
                assert_eq!(code.severity(), Severity::Warning, "{code}");
            }
        }
    }

    #[test]
    fn docs_list_every_code() {
        let doc = include_str!("../../docs/LINT.md");
        let table = markdown_table();
        assert!(
            doc.contains(&table),
            "docs/LINT.md's code table is out of date; it should hold:\n{table}"
        );
    }
}

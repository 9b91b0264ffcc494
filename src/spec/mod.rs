//! The image-compatibility spec (`v1alpha1`): its model, checked when loaded.
//!
//! The wire format is NFD's (`api/image-compatibility/v1alpha1`): a `version`, and a list of
//! compatibility sets, each a list of `GroupRule`s. [`load`] parses YAML (1.2) or JSON, checks
//! everything that can be checked without a node, and returns a [`Spec`] whose expressions are
//! compiled ([`Expr`]), together with warnings about what NFD would read differently.

use std::borrow::Cow;
use std::collections::BTreeMap;

pub(crate) mod code;
mod expr;
mod load;
mod nearest;
mod path;
pub(crate) mod schema;
mod template;
mod version;
pub(crate) mod yaml;

pub(crate) use code::{Code, Finding, Severity};
pub(crate) use expr::{
    Compiled, Expr, MAX_VALUES, Op, ValueType, expression_text, go_quote, nfd_text, parse_go_int,
    shorten,
};
pub(crate) use load::{Checked, MAX_SPEC_BYTES, Positions, YAML_LIMITS, load_all};
pub use load::{LoadError, Loaded, load};
pub(crate) use nearest::{Names, nearest_name};
pub(crate) use path::Path;
pub(crate) use template::VarsTemplate;
pub(crate) use version::Version;
pub(crate) use yaml::Pos;

/// The OCI artifact type of a compatibility artifact.
pub(crate) const ARTIFACT_TYPE: &str = "application/vnd.nfd.image-compatibility.v1alpha1";
/// The media type of the spec layer inside the artifact.
pub(crate) const SPEC_MEDIA_TYPE: &str =
    "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml";
/// The only spec version.
pub(crate) const VERSION: &str = "v1alpha1";

/// A loaded, checked spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The compatibility sets, in spec order.
    pub compatibilities: Vec<Compatibility>,
}

/// One compatibility set.
#[derive(Debug, Clone)]
pub struct Compatibility {
    /// The rules; `None` when the spec had no `rules` key (NFD reports `"rules": null`).
    pub rules: Option<Vec<GroupRule>>,
    /// The set's weight (priority); 0 when absent.
    pub(crate) weight: i64,
    /// The set's tag; empty when absent.
    pub(crate) tag: String,
    /// The set's description; empty when absent.
    pub(crate) description: String,
}

/// One rule (NFD's `GroupRule`).
#[derive(Debug, Clone)]
pub struct GroupRule {
    /// The rule's name.
    pub(crate) name: String,
    /// Static vars, merged into `rule.matched` when the rule matches.
    pub(crate) vars: BTreeMap<String, String>,
    /// The parsed `varsTemplate`, when present and non-empty.
    pub(crate) vars_template: Option<VarsTemplate>,
    /// Terms that must all match (empty: no constraint).
    pub match_features: Vec<Term>,
    /// Alternatives of which one must match (empty: no constraint).
    pub match_any: Vec<MatchAnyElem>,
}

/// One `matchAny` alternative.
#[derive(Debug, Clone)]
pub struct MatchAnyElem {
    /// Its terms, all of which must match.
    pub match_features: Vec<Term>,
}

/// One term: a feature and what must hold for it (NFD's `FeatureMatcherTerm`).
#[derive(Debug, Clone)]
pub struct Term {
    /// The feature as written in the spec (`kernel.loadedmodule`); looked up lower-cased.
    pub feature: String,
    /// Expressions by element name (sorted); `None` when absent, `Some(empty)` for `{}`.
    pub match_expressions: Option<Expressions>,
    /// The `matchName` expression, when present (boxed: most terms have none, and a term is
    /// 56 bytes rather than 184 without it inline).
    pub(crate) match_name: Option<Box<Expr>>,
}

/// A term's `matchExpressions`: its expressions by element name, sorted by name, each name once
/// (a name written twice is a load error; the later expression is the one kept).
///
/// A sorted list, not a map: a term has a few expressions, and a B-tree's first node has room
/// for eleven. Those nodes were 45% of the loaded 1,000-rule stress spec (3.7 of 8.3 MB), and
/// every page of them was a page fault.
#[derive(Debug, Clone, Default)]
pub struct Expressions(Vec<(String, Expr)>);

impl Expressions {
    /// The expression for element `name`.
    pub fn get(&self, name: &str) -> Option<&Expr> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// The expressions with their element names, by name.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&String, &Expr)> {
        self.into_iter()
    }

    /// The element names, sorted.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The expressions, by element name.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &Expr> {
        self.0.iter().map(|(_, e)| e)
    }

    /// How many expressions there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (`matchExpressions: {}`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<BTreeMap<String, Expr>> for Expressions {
    fn from(map: BTreeMap<String, Expr>) -> Self {
        Self(map.into_iter().collect())
    }
}

impl FromIterator<(String, Expr)> for Expressions {
    fn from_iter<I: IntoIterator<Item = (String, Expr)>>(iter: I) -> Self {
        iter.into_iter().collect::<BTreeMap<_, _>>().into()
    }
}

impl<'a> IntoIterator for &'a Expressions {
    type Item = (&'a String, &'a Expr);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Expr)>,
        fn(&'a (String, Expr)) -> (&'a String, &'a Expr),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, e)| (k, e))
    }
}

impl Spec {
    /// Every term of the sets `selected` picks, in spec order.
    pub(crate) fn terms<'a>(
        &'a self,
        selected: impl Fn(&Compatibility) -> bool + 'a,
    ) -> impl Iterator<Item = &'a Term> + 'a {
        self.compatibilities
            .iter()
            .filter(move |set| selected(set))
            .flat_map(|set| set.rules.iter().flatten())
            .flat_map(GroupRule::terms)
    }
}

impl GroupRule {
    /// Every term of the rule: `matchFeatures`, then those of each `matchAny` alternative.
    pub(crate) fn terms(&self) -> impl Iterator<Item = &Term> {
        self.match_features
            .iter()
            .chain(self.match_any.iter().flat_map(|a| &a.match_features))
    }
}

impl Term {
    /// The key under which the feature is looked up: lower-cased as NFD does, borrowed when
    /// already so.
    pub(crate) fn feature_key(&self) -> Cow<'_, str> {
        if self.feature.chars().any(char::is_uppercase) {
            Cow::Owned(self.feature.to_lowercase())
        } else {
            Cow::Borrowed(&self.feature)
        }
    }
}

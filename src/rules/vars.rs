//! Template data for `varsTemplate`: the elements matched by a matcher's terms, shaped as
//! NFD's `{ <domain>: { <feature>: [element...] } }`.

use std::collections::HashMap;

use gtmpl_value::Value;

/// One matched element, borrowed from the node's features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Element<'a> {
    /// A flag: `{Name}`.
    Flag(&'a str),
    /// An attribute: `{Name, Value}` (`Value` is empty for a `DoesNotExist` match).
    Attribute(&'a str, &'a str),
    /// An instance: its attribute map.
    Instance(&'a crate::features::Attributes),
}

impl Element<'_> {
    fn to_value(self) -> Value {
        let map: HashMap<String, Value> = match self {
            Element::Flag(name) => HashMap::from([("Name".to_owned(), Value::from(name))]),
            Element::Attribute(name, value) => HashMap::from([
                ("Name".to_owned(), Value::from(name)),
                ("Value".to_owned(), Value::from(value)),
            ]),
            Element::Instance(attributes) => attributes
                .iter()
                .map(|(k, v)| (k.to_owned(), Value::from(v)))
                .collect(),
        };
        // Objects, not maps: a missing field is an error, as with Go's `missingkey=error`.
        Value::Object(map)
    }
}

/// The matched elements of one matcher, per term feature as written in the spec.
#[derive(Debug, Default)]
pub(super) struct MatchedFeatures<'a> {
    features: Vec<(&'a str, Vec<Element<'a>>)>,
}

impl<'a> MatchedFeatures<'a> {
    /// Records the elements a matched term contributed.
    pub(super) fn push(&mut self, feature: &'a str, elements: Vec<Element<'a>>) {
        self.features.push((feature, elements));
    }

    /// The template data: the feature split at its first `.` into domain and name (a feature
    /// without a `.` cannot be templated and is left out, as in NFD); elements of terms with
    /// the same feature are concatenated in term order.
    pub(super) fn to_value(&self) -> Value {
        let mut domains: HashMap<String, HashMap<String, Vec<Value>>> = HashMap::new();
        for (feature, elements) in &self.features {
            let Some((domain, name)) = feature.split_once('.') else {
                continue;
            };
            domains
                .entry(domain.to_owned())
                .or_default()
                .entry(name.to_owned())
                .or_default()
                .extend(elements.iter().map(|e| e.to_value()));
        }
        Value::Object(
            domains
                .into_iter()
                .map(|(domain, features)| {
                    let features = features
                        .into_iter()
                        .map(|(k, v)| (k, Value::Array(v)))
                        .collect();
                    (domain, Value::Object(features))
                })
                .collect(),
        )
    }
}

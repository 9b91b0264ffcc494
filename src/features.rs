//! The node's features: the contract between discovery (`sources`), snapshots and the rule
//! engine (`rules`).
//!
//! The shape is NFD's `Features` type (`api/nfd/v1alpha1`): three maps from a feature key
//! (`<source>.<feature>`, e.g. `kernel.loadedmodule`) to a set of elements. Maps are ordered so
//! that every rendering is reproducible. An `elements` value of JSON `null` is kept apart from an
//! empty set because NFD treats the two differently (a `null` set counts as absent for its type).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// All features of one node, as NFD's `Features` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    /// Flag features: a set of element names.
    #[serde(default)]
    pub flags: BTreeMap<String, FlagSet>,
    /// Attribute features: element name to value.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSet>,
    /// Instance features: a list of instances, each a map of attributes.
    #[serde(default)]
    pub instances: BTreeMap<String, InstanceSet>,
}

/// The elements of a flag feature (`{"elements": {"AVX": {}}}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagSet {
    /// `None` when the snapshot said `"elements": null`.
    #[serde(with = "flag_elements")]
    pub elements: Option<BTreeSet<String>>,
}

/// The elements of an attribute feature (`{"elements": {"vendor_id": "Intel"}}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeSet {
    /// `None` when the snapshot said `"elements": null`.
    pub elements: Option<BTreeMap<String, String>>,
}

/// The instances of an instance feature (`{"elements": [{"attributes": {...}}]}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSet {
    /// `None` when the snapshot said `"elements": null`.
    pub elements: Option<Vec<Instance>>,
}

/// One instance (a PCI device, a network interface, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// The instance's attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

impl Instance {
    /// An instance from `(name, value)` pairs.
    pub fn new<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        Self {
            attributes: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl FlagSet {
    /// A present flag set with these names.
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        Self {
            elements: Some(names.into_iter().map(Into::into).collect()),
        }
    }
}

impl AttributeSet {
    /// A present attribute set with these pairs.
    pub fn new<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        Self {
            elements: Some(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
        }
    }
}

impl InstanceSet {
    /// A present instance set.
    pub fn new(instances: Vec<Instance>) -> Self {
        Self {
            elements: Some(instances),
        }
    }
}

impl Features {
    /// Inserts (or replaces) a flag feature.
    pub fn insert_flags<S: Into<String>>(&mut self, key: &str, names: impl IntoIterator<Item = S>) {
        self.flags.insert(key.to_owned(), FlagSet::new(names));
    }

    /// Inserts (or replaces) an attribute feature.
    pub fn insert_attributes<K: Into<String>, V: Into<String>>(
        &mut self,
        key: &str,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) {
        self.attributes
            .insert(key.to_owned(), AttributeSet::new(pairs));
    }

    /// Inserts (or replaces) an instance feature.
    pub fn insert_instances(&mut self, key: &str, instances: Vec<Instance>) {
        self.instances
            .insert(key.to_owned(), InstanceSet::new(instances));
    }

    /// Moves every feature of `other` into `self` (a later source wins on a clash).
    pub(crate) fn extend(&mut self, other: Features) {
        self.flags.extend(other.flags);
        self.attributes.extend(other.attributes);
        self.instances.extend(other.instances);
    }

    /// Every feature key, sorted and without duplicates.
    pub(crate) fn keys(&self) -> BTreeSet<&str> {
        self.flags
            .keys()
            .chain(self.attributes.keys())
            .chain(self.instances.keys())
            .map(String::as_str)
            .collect()
    }
}

/// Flags serialize as `{"NAME": {}}` (Go's `map[string]Nil`).
mod flag_elements {
    use std::collections::{BTreeMap, BTreeSet};

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Nil {}

    #[expect(clippy::ref_option, reason = "the signature serde's `with` requires")]
    pub(super) fn serialize<S: Serializer>(
        value: &Option<BTreeSet<String>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            None => serializer.serialize_none(),
            Some(names) => {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(names.len()))?;
                for name in names {
                    map.serialize_entry(name, &Nil {})?;
                }
                map.end()
            }
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<BTreeSet<String>>, D::Error> {
        // A flag element's value is `{}` in NFD's output; accept any value (`null`, `true`) the
        // way Go's decoder ignores the content of an empty struct.
        #[expect(
            clippy::zero_sized_map_values,
            reason = "values are ignored, as Go's Nil"
        )]
        let map: Option<BTreeMap<String, serde::de::IgnoredAny>> =
            Option::deserialize(deserializer)?;
        Ok(map.map(|m| m.into_keys().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_nfd_json_shape() {
        let mut f = Features::default();
        f.insert_flags("cpu.cpuid", ["AVX", "AVX2"]);
        f.insert_attributes("cpu.model", [("vendor_id", "Intel")]);
        f.insert_instances("pci.device", vec![Instance::new([("class", "0200")])]);
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"{"flags":{"cpu.cpuid":{"elements":{"AVX":{},"AVX2":{}}}},"attributes":{"cpu.model":{"elements":{"vendor_id":"Intel"}}},"instances":{"pci.device":{"elements":[{"attributes":{"class":"0200"}}]}}}"#
        );
        let back: Features = serde_json::from_str(&json).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn keeps_null_elements_apart_from_empty() {
        let f: Features = serde_json::from_str(
            r#"{"flags":{"a.b":{"elements":null},"a.c":{"elements":{}}},"instances":{"x.y":{"elements":null}}}"#,
        )
        .unwrap();
        assert_eq!(f.flags["a.b"].elements, None);
        assert_eq!(f.flags["a.c"].elements, Some(BTreeSet::new()));
        assert_eq!(f.instances["x.y"].elements, None);
        assert!(f.attributes.is_empty());
    }
}

//! The node's features: the contract between discovery (`sources`), snapshots and the rule
//! engine (`rules`).
//!
//! The shape is NFD's `Features` type (`api/nfd/v1alpha1`): three maps from a feature key
//! (`<source>.<feature>`, e.g. `kernel.loadedmodule`) to a set of elements. Maps are ordered so
//! that every rendering is reproducible. An `elements` value of JSON `null` is kept apart from an
//! empty set because NFD treats the two differently (a `null` set counts as absent for its type).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
    pub attributes: Attributes,
}

impl Instance {
    /// An instance from `(name, value)` pairs (a later pair wins over an earlier one with the
    /// same name).
    pub fn new<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        Self {
            attributes: pairs.into_iter().collect(),
        }
    }
}

impl From<BTreeMap<String, String>> for Instance {
    fn from(attributes: BTreeMap<String, String>) -> Self {
        Self {
            attributes: attributes.into_iter().collect(),
        }
    }
}

/// The attributes of one instance: a read-only map from name to value, stored compactly.
///
/// A node has thousands of instances with the same few attribute names and short values, so a
/// map per instance (two strings per attribute plus tree nodes) costs several times the
/// snapshot's text. Here an instance holds its sorted names as a shared list (the instances
/// a reader reads with the same names share one, see [`Interner`]), where each value ends
/// and one string of all its values. Iteration is in name order, as with a `BTreeMap`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// The names, sorted and distinct.
    names: Arc<[Name]>,
    /// Where each name's value ends in `values`.
    ends: Box<[u32]>,
    /// The values, concatenated in name order.
    values: Box<str>,
}

/// An attribute name, shared between the instances of one snapshot.
pub type Name = Arc<str>;

impl Attributes {
    /// Builds the attributes from `(name, value)` pairs in any order; of two pairs with the
    /// same name the later wins.
    pub fn from_pairs<S: AsRef<str>>(pairs: Vec<(Name, S)>) -> Self {
        Self::build(pairs, None)
    }

    /// [`Attributes::from_pairs`], sharing the list of names through `interner`.
    pub fn from_pairs_in<S: AsRef<str>>(pairs: Vec<(Name, S)>, interner: &mut Interner) -> Self {
        Self::build(pairs, Some(interner))
    }

    fn build<S: AsRef<str>>(mut pairs: Vec<(Name, S)>, interner: Option<&mut Interner>) -> Self {
        if !pairs.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable: among equal names the later stays last, and is the one kept.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut kept: Vec<(Name, S)> = Vec::with_capacity(pairs.len());
            for pair in pairs {
                match kept.last_mut() {
                    Some(last) if last.0 == pair.0 => *last = pair,
                    _ => kept.push(pair),
                }
            }
            pairs = kept;
        }
        let mut values = String::with_capacity(pairs.iter().map(|p| p.1.as_ref().len()).sum());
        let mut ends = Vec::with_capacity(pairs.len());
        let mut names = Vec::with_capacity(pairs.len());
        for (name, value) in pairs {
            values.push_str(value.as_ref());
            // A snapshot is far below 4 GiB (see `snapshot::MAX_SNAPSHOT_BYTES`).
            ends.push(u32::try_from(values.len()).unwrap_or(u32::MAX));
            names.push(name);
        }
        let names = match interner {
            Some(interner) => interner.names(names),
            None => names.into(),
        };
        Attributes {
            names,
            ends: ends.into_boxed_slice(),
            values: values.into_boxed_str(),
        }
    }

    /// The value of attribute `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        let i = self.names.binary_search_by(|n| (**n).cmp(name)).ok()?;
        Some(self.value(i))
    }

    /// Whether attribute `name` exists.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The `i`th value (in name order).
    fn value(&self, i: usize) -> &str {
        let end = |i: usize| self.ends.get(i).map_or(0, |&e| e as usize);
        let start = i.checked_sub(1).map_or(0, end);
        self.values.get(start..end(i)).unwrap_or_default()
    }

    /// `(name, value)` pairs in name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        (0..self.names.len()).map(|i| (&*self.names[i], self.value(i)))
    }

    /// The names, in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.names.iter().map(|n| &**n)
    }

    /// The number of attributes.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// As an ordinary map.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        Attributes::from_pairs(
            pairs
                .into_iter()
                .map(|(k, v)| (Name::from(k.as_ref()), v))
                .collect(),
        )
    }
}

#[cfg(test)]
impl std::ops::Index<&str> for Attributes {
    type Output = str;
    /// The value of `name`; panics when there is none (as a map's index does). For tests.
    fn index(&self, name: &str) -> &str {
        self.get(name).expect("no such attribute")
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(deserializer)?;
        Ok(map.into_iter().collect())
    }
}

/// Shares attribute names, and lists of them, between the instances read from one snapshot:
/// a node's thousands of PCI devices have the same few attributes. At most
/// [`Interner::MAX_NAMES`] distinct names and as many lists are kept; further ones are
/// allocated each time (a hostile snapshot of unique names costs no more than without
/// sharing).
#[derive(Debug, Default)]
pub struct Interner {
    names: HashSet<Name>,
    lists: HashSet<Arc<[Name]>>,
    /// The list given last (instances with the same names usually come in a row).
    last: Option<Arc<[Name]>>,
    /// The instance being read ([`Interner::push`]): its names, value ends and values.
    pending: (Vec<Name>, Vec<u32>, String),
    /// Whether every name pushed since [`Interner::begin`] is the one in the same place of
    /// `last` (then, with as many names, the instance's list is `last`, sorted and shared).
    like_last: bool,
}

impl Interner {
    /// The most names (and lists of names) kept.
    pub const MAX_NAMES: usize = 4096;

    /// The shared copy of `name`.
    pub fn name(&mut self, name: &str) -> Name {
        if let Some(shared) = self.names.get(name) {
            return Arc::clone(shared);
        }
        let shared = Name::from(name);
        if self.names.len() < Self::MAX_NAMES {
            self.names.insert(Arc::clone(&shared));
        }
        shared
    }

    /// Starts reading an instance (dropping what an instance whose reading failed left).
    pub fn begin(&mut self) {
        let (names, ends, values) = &mut self.pending;
        names.clear();
        ends.clear();
        values.clear();
        self.like_last = true;
    }

    /// Adds an attribute to the instance being read ([`Interner::begin`]);
    /// [`Interner::finish`] makes it.
    pub fn push(&mut self, name: &str, value: &str) {
        let (names, ends, values) = &mut self.pending;
        // Instances in a row have the same names: the name in the same place of the last
        // list is the likely one, found without hashing.
        let name = match self.last.as_ref().and_then(|l| l.get(names.len())) {
            Some(known) if **known == *name => Arc::clone(known),
            _ => {
                self.like_last = false;
                if let Some(shared) = self.names.get(name) {
                    Arc::clone(shared)
                } else {
                    let shared = Name::from(name);
                    if self.names.len() < Self::MAX_NAMES {
                        self.names.insert(Arc::clone(&shared));
                    }
                    shared
                }
            }
        };
        names.push(name);
        values.push_str(value);
        ends.push(u32::try_from(values.len()).unwrap_or(u32::MAX));
    }

    /// The attributes pushed since the last call.
    pub fn finish(&mut self) -> Attributes {
        let (names, ends, values) = &mut self.pending;
        if self.like_last
            && let Some(last) = &self.last
            && last.len() == names.len()
        {
            // The names of the instance before, in the same order: no sorting, no lookup.
            let attributes = Attributes {
                names: Arc::clone(last),
                ends: Box::from(ends.as_slice()),
                values: Box::from(values.as_str()),
            };
            names.clear();
            ends.clear();
            values.clear();
            return attributes;
        }
        if !names.is_sorted_by(|a, b| a < b) {
            // Out of order or repeated: sorted (the later of two equal names kept) the slow way.
            let mut start = 0;
            let pairs: Vec<(Name, String)> = names
                .drain(..)
                .zip(ends.drain(..))
                .map(|(name, end)| {
                    let end = end as usize;
                    let value = values.get(start..end).unwrap_or_default().to_owned();
                    start = end;
                    (name, value)
                })
                .collect();
            values.clear();
            return Attributes::from_pairs_in(pairs, self);
        }
        let attributes = Attributes {
            names: Arc::from([]),
            ends: Box::from(ends.as_slice()),
            values: Box::from(values.as_str()),
        };
        ends.clear();
        values.clear();
        let names = std::mem::take(&mut self.pending.0);
        let (list, mut scratch) = self.list(names);
        scratch.clear();
        self.pending.0 = scratch;
        Attributes {
            names: list,
            ..attributes
        }
    }

    /// The shared copy of a list of names.
    fn names(&mut self, names: Vec<Name>) -> Arc<[Name]> {
        self.list(names).0
    }

    /// The shared copy of a list of names, and the vector given when it was not needed.
    fn list(&mut self, names: Vec<Name>) -> (Arc<[Name]>, Vec<Name>) {
        if let Some(last) = &self.last
            && **last == *names
        {
            return (Arc::clone(last), names);
        }
        let (list, names) = match self.lists.get(names.as_slice()) {
            Some(shared) => (Arc::clone(shared), names),
            None => {
                let list: Arc<[Name]> = Arc::from(names.as_slice());
                if self.lists.len() < Self::MAX_NAMES {
                    self.lists.insert(Arc::clone(&list));
                }
                (list, names)
            }
        };
        self.last = Some(Arc::clone(&list));
        (list, names)
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

    #[test]
    fn attributes_are_a_sorted_map() {
        let a: Attributes = [
            ("vendor", "8086"),
            ("class", "0200"),
            ("vendor", "10de"),
            ("x", ""),
        ]
        .into_iter()
        .collect();
        let map = BTreeMap::from([
            ("class".to_owned(), "0200".to_owned()),
            ("vendor".to_owned(), "10de".to_owned()),
            ("x".to_owned(), String::new()),
        ]);
        assert_eq!(a.to_map(), map);
        assert_eq!(a.len(), 3);
        assert_eq!(a.keys().collect::<Vec<_>>(), ["class", "vendor", "x"]);
        assert_eq!(
            (a.get("vendor"), a.get("x"), a.get("nope")),
            (Some("10de"), Some(""), None)
        );
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert_eq!(format!("{a:?}"), format!("{map:?}"));
        assert_eq!(map.clone().into_iter().collect::<Attributes>(), a);
        assert!(Attributes::default().is_empty());
        assert_eq!(Instance::from(map), Instance { attributes: a });
    }

    #[test]
    fn the_interner_shares_names_and_lists() {
        fn read(interner: &mut Interner, pairs: &[(&str, &str)]) -> Attributes {
            interner.begin();
            for (k, v) in pairs {
                interner.push(k, v);
            }
            interner.finish()
        }
        let mut interner = Interner::default();
        let first = read(&mut interner, &[("class", "0200"), ("vendor", "8086")]);
        let swapped = read(&mut interner, &[("vendor", "10de"), ("class", "0300")]);
        let class_only = read(&mut interner, &[("class", "0300")]);
        let again = read(&mut interner, &[("class", "0200"), ("vendor", "8086")]);
        assert!(
            Arc::ptr_eq(&first.names, &swapped.names) && Arc::ptr_eq(&first.names, &again.names)
        );
        assert!(Arc::ptr_eq(&first.names[0], &class_only.names[0]));
        assert_eq!(
            (swapped.get("class"), swapped.get("vendor")),
            (Some("0300"), Some("10de"))
        );
        assert_eq!(first, again);
        assert_ne!(first, swapped);
        // The same names as the instance before: its list, with this instance's values.
        let next = read(&mut interner, &[("class", "0300"), ("vendor", "10de")]);
        assert!(Arc::ptr_eq(&again.names, &next.names));
        assert_eq!(next, swapped);
        // Repeated names: the later value wins, as in a map.
        let repeated = read(
            &mut interner,
            &[("vendor", "1"), ("class", "0200"), ("vendor", "8086")],
        );
        assert_eq!(repeated, first);
        assert!(Arc::ptr_eq(&first.names, &repeated.names));
        // What a failed instance left is dropped by the next `begin`.
        interner.push("stale", "x");
        assert_eq!(read(&mut interner, &[("class", "0300")]), class_only);
    }
}

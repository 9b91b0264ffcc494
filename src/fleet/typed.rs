//! Typed deserialization of one NodeFeature, keeping only what the spec can look at.
//!
//! Most of a NodeFeature is never consulted by a given spec: whole features (`usb.device`,
//! `kernel.config`), most of the 200 cpuid flags and most attributes of each PCI instance.
//! [`Needed`] lists the features the spec's terms name and, per feature, the names their
//! `matchExpressions` use (flag and attribute element names, instance attribute names);
//! [`parse`] skips everything else without allocating (serde's `IgnoredAny`). The evaluation
//! is unchanged: a term only ever reads its own feature, and an expression only its own
//! element (a kept set that ends up empty is still present, `null` stays `null`). A feature
//! with a `matchName` term, or used by a rule with a `varsTemplate` (whose data holds the
//! matched elements whole), is kept whole.
//!
//! It accepts what the generic conversion ([`snapshot::from_value`]) accepts: numbers and
//! booleans where NFD writes strings, `null` sections, sets and instances, an instance that is
//! not a mapping (one without attributes). Anything else (a wrong `apiVersion`, a list where a
//! string belongs) makes the caller fall back to the generic conversion, which names the
//! fault. Instance attributes are stored compactly, their names shared ([`Interner`]).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::features::{
    AttributeSet, Attributes, Features, FlagSet, Instance, InstanceSet, Interner,
};
use crate::rules;
use crate::snapshot;
use crate::spec::Spec;
use std::collections::BTreeSet;

/// The features (lower-case keys, as evaluation looks them up) and instance attributes a spec
/// can read; `None` attributes: all.
#[derive(Debug, Clone, Default)]
pub(crate) struct Needed {
    /// Keep everything (for full reports, whose hints look at other features).
    all: bool,
    features: HashMap<String, Option<Names>>,
}

impl Needed {
    /// Everything.
    pub(crate) fn all() -> Needed {
        Needed {
            all: true,
            features: HashMap::new(),
        }
    }

    /// What the selected sets of `spec` can read.
    pub(crate) fn of(spec: &Spec, options: &rules::Options) -> Needed {
        let mut features: HashMap<String, Option<Names>> = HashMap::new();
        let selected = spec.compatibilities.iter().filter(|c| options.selects(c));
        for rule in selected.flat_map(|c| c.rules.iter().flatten()) {
            for term in rule.terms() {
                let whole = term.match_name.is_some() || rule.vars_template.is_some();
                let entry = features
                    .entry(term.feature_key().into_owned())
                    .or_insert_with(|| Some(Names::default()));
                if whole {
                    *entry = None;
                } else if let (Some(set), Some(exprs)) = (entry.as_mut(), &term.match_expressions) {
                    for k in exprs.keys() {
                        if !set.contains(k) {
                            set.0.push(k.clone());
                        }
                    }
                }
            }
        }
        Needed {
            all: false,
            features,
        }
    }

    /// Adds a feature, with the names kept of it (`None`: all).
    pub(crate) fn add(&mut self, feature: &str, names: Option<&[&str]>) {
        let names = names.map(|n| Names(n.iter().map(|&s| s.to_owned()).collect()));
        self.features.insert(feature.to_owned(), names);
    }
}

/// A few names, searched linearly: for the handful of names a spec uses per feature this
/// beats hashing each of a node's 200 flag names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names(Vec<String>);

impl Names {
    fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|n| n == name)
    }
}

/// A NodeFeature read with [`Needed`]: its `apiVersion`, `kind`, name and features.
#[derive(Debug, Default)]
pub(crate) struct Item {
    /// `apiVersion`.
    pub(crate) api_version: Option<String>,
    /// `kind`.
    pub(crate) kind: Option<String>,
    /// The node-name label, else `metadata.name`.
    pub(crate) name: Option<String>,
    /// `spec.features`, reduced.
    pub(crate) features: Option<Features>,
}

/// Reads one NodeFeature from JSON bytes.
pub(crate) fn parse(bytes: &[u8], needed: &Needed) -> serde_json::Result<Item> {
    // UTF-8 checked once for the whole item rather than string by string (which costs more
    // than the check); bytes that are not UTF-8 are read as bytes, for serde_json's message.
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_from(serde_json::Deserializer::from_str(text), needed),
        Err(_) => parse_from(serde_json::Deserializer::from_slice(bytes), needed),
    }
}

fn parse_from<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    needed: &Needed,
) -> serde_json::Result<Item> {
    let item = ItemSeed(needed).deserialize(&mut de)?;
    de.end()?;
    Ok(item)
}

/// A whole snapshot document, read with everything kept and without building a generic
/// tree first (a tree costs about ten times the text).
#[derive(Debug)]
pub(crate) enum Document {
    /// A bare Features object.
    Features(Features),
    /// A NodeFeature.
    Node(Item),
    /// A `NodeFeatureList` or `List` of NodeFeature objects.
    List(Vec<Item>),
}

/// Reads a snapshot document: a Features object, a NodeFeature or a list of them. Anything
/// else, or anything mixed, is an error (the caller then names the fault precisely).
pub(crate) fn document<'de, D: Deserializer<'de>>(d: D) -> Result<Document, D::Error> {
    d.deserialize_map(DocumentVisitor(&Needed::all()))
}

struct DocumentVisitor<'a>(&'a Needed);

impl<'de> Visitor<'de> for DocumentVisitor<'_> {
    type Value = Document;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Features object, a NodeFeature or a NodeFeatureList")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let (mut item, mut meta) = (Item::default(), Meta::default());
        let mut items: Option<Vec<Item>> = None;
        let mut bare = Features::default();
        let (mut object_keys, mut feature_keys) = (false, false);
        while let Some(Key(key)) = map.next_key()? {
            let section = match &*key {
                "flags" => Some(Kind::Flags),
                "attributes" => Some(Kind::Attributes),
                "instances" => Some(Kind::Instances),
                _ => None,
            };
            if let Some(kind) = section {
                feature_keys = true;
                map.next_value_seed(Section {
                    needed: self.0,
                    out: &mut bare,
                    kind,
                })?;
                continue;
            }
            object_keys = true;
            if key == "items" {
                items = Some(map.next_value_seed(ItemsSeed(self.0))?);
            } else if !item_field(&key, &mut map, self.0, &mut item, &mut meta)? {
                map.next_value::<IgnoredAny>()?;
            }
        }
        item.name = meta.labels.remove(snapshot::NODE_NAME_LABEL).or(meta.name);
        match (item.kind.take(), items) {
            (None, None) if !object_keys => Ok(Document::Features(bare)),
            (Some(kind), _) if feature_keys => Err(de::Error::custom(format!(
                "a `{kind}` with Features fields"
            ))),
            (Some(kind), Some(items)) if kind == "NodeFeatureList" || kind == "List" => {
                Ok(Document::List(items))
            }
            (Some(kind), None) if kind == "NodeFeature" => {
                item.kind = Some(kind);
                Ok(Document::Node(item))
            }
            _ => Err(de::Error::custom("not a snapshot document")),
        }
    }
}

/// Reads the value of `key` into `item` or `meta` when it is a NodeFeature field the readers
/// keep; false (the value not read) otherwise.
fn item_field<'de, A: MapAccess<'de>>(
    key: &str,
    map: &mut A,
    needed: &Needed,
    item: &mut Item,
    meta: &mut Meta,
) -> Result<bool, A::Error> {
    match key {
        "apiVersion" => item.api_version = map.next_value()?,
        "kind" => item.kind = map.next_value()?,
        "metadata" => *meta = map.next_value()?,
        "spec" => item.features = map.next_value_seed(SpecSeed(needed))?,
        _ => return Ok(false),
    }
    Ok(true)
}

struct ItemsSeed<'a>(&'a Needed);

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = Vec<Item>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Item>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = Vec<Item>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of NodeFeature objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Item>, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(ItemSeed(self.0))? {
            out.push(item);
        }
        Ok(out)
    }
}

/// Reads one NodeFeature with [`Needed`] (for [`super::fast`]).
pub(super) struct ItemSeed<'a>(&'a Needed);

pub(super) fn item_seed(needed: &Needed) -> ItemSeed<'_> {
    ItemSeed(needed)
}

#[derive(serde::Deserialize, Default)]
struct Meta {
    name: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = Item;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Item, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_> {
    type Value = Item;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a NodeFeature")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
        let (mut item, mut meta) = (Item::default(), Meta::default());
        while let Some(Key(key)) = map.next_key()? {
            if !item_field(&key, &mut map, self.0, &mut item, &mut meta)? {
                map.next_value::<IgnoredAny>()?;
            }
        }
        item.name = meta.labels.remove(snapshot::NODE_NAME_LABEL).or(meta.name);
        Ok(item)
    }
}

struct SpecSeed<'a>(&'a Needed);

impl<'de> DeserializeSeed<'de> for SpecSeed<'_> {
    type Value = Option<Features>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SpecSeed<'_> {
    type Value = Option<Features>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a NodeFeature spec")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut features = None;
        while let Some(Key(key)) = map.next_key()? {
            if key == "features" {
                features = Some(map.next_value_seed(FeaturesSeed(self.0))?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(features)
    }
}

struct FeaturesSeed<'a>(&'a Needed);

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_> {
    type Value = Features;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Features, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_> {
    type Value = Features;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Features object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Features, A::Error> {
        let mut out = Features::default();
        while let Some(Key(key)) = map.next_key()? {
            match &*key {
                "flags" => map.next_value_seed(Section {
                    needed: self.0,
                    out: &mut out,
                    kind: Kind::Flags,
                })?,
                "attributes" => map.next_value_seed(Section {
                    needed: self.0,
                    out: &mut out,
                    kind: Kind::Attributes,
                })?,
                "instances" => map.next_value_seed(Section {
                    needed: self.0,
                    out: &mut out,
                    kind: Kind::Instances,
                })?,
                other => {
                    return Err(de::Error::unknown_field(
                        other,
                        &["flags", "attributes", "instances"],
                    ));
                }
            }
        }
        Ok(out)
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Flags,
    Attributes,
    Instances,
}

struct Section<'a> {
    needed: &'a Needed,
    out: &'a mut Features,
    kind: Kind,
}

impl<'de> DeserializeSeed<'de> for Section<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // `null` is an empty section.
        d.deserialize_option(OptionalMap(self)).map(drop)
    }
}

impl<'de> Visitor<'de> for Section<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of feature names")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key()? {
            let attrs = match self.needed.features.get(&*key) {
                Some(attrs) => attrs.as_ref(),
                None if self.needed.all => None,
                None => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            match self.kind {
                Kind::Flags => {
                    let elements = map.next_value_seed(ElementSetSeed {
                        keep: attrs,
                        flags: true,
                    })?;
                    let elements = match elements {
                        Elements::Flags(e) => e,
                        _ => None,
                    };
                    self.out
                        .flags
                        .insert(key.into_owned(), FlagSet { elements });
                }
                Kind::Attributes => {
                    let elements = map.next_value_seed(ElementSetSeed {
                        keep: attrs,
                        flags: false,
                    })?;
                    let elements = match elements {
                        Elements::Attributes(e) => e,
                        _ => None,
                    };
                    self.out
                        .attributes
                        .insert(key.into_owned(), AttributeSet { elements });
                }
                Kind::Instances => {
                    let set = map.next_value_seed(InstanceSetSeed(attrs))?;
                    self.out.instances.insert(key.into_owned(), set);
                }
            }
        }
        Ok(())
    }
}

struct InstanceSetSeed<'a>(Option<&'a Names>);

impl<'de> DeserializeSeed<'de> for InstanceSetSeed<'_> {
    type Value = InstanceSet;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<InstanceSet, D::Error> {
        // A `null` set has `null` elements.
        d.deserialize_option(OptionalMap(self))
            .map(Option::unwrap_or_default)
    }
}

impl<'de> Visitor<'de> for InstanceSetSeed<'_> {
    type Value = InstanceSet;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an instance feature set")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InstanceSet, A::Error> {
        let mut set = InstanceSet::default();
        while let Some(Key(key)) = map.next_key()? {
            if key == "elements" {
                set.elements = map.next_value_seed(ElementsSeed(self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(set)
    }
}

struct ElementsSeed<'a>(Option<&'a Names>);

impl<'de> DeserializeSeed<'de> for ElementsSeed<'_> {
    type Value = Option<Vec<Instance>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ElementsSeed<'_> {
    type Value = Option<Vec<Instance>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of instances or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(i) = seq.next_element_seed(InstanceSeed(self.0))? {
            out.push(i);
        }
        Ok(Some(out))
    }
}

struct InstanceSeed<'a>(Option<&'a Names>);

impl<'de> DeserializeSeed<'de> for InstanceSeed<'_> {
    type Value = Instance;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Instance, D::Error> {
        // The generic reader takes an instance that is not a mapping (`null`, a string) as
        // one without attributes; so does this one.
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for InstanceSeed<'_> {
    type Value = Instance;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an instance")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Instance, A::Error> {
        let mut instance = Instance::default();
        while let Some(Key(key)) = map.next_key()? {
            if key == "attributes" {
                instance.attributes = map
                    .next_value_seed(OptionalMap(InstanceAttributesSeed(self.0)))?
                    .unwrap_or_default();
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(instance)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Instance, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Instance::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Instance, E> {
        Ok(Instance::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Instance, E> {
        Ok(Instance::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Instance, E> {
        Ok(Instance::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Instance, E> {
        Ok(Instance::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Instance, E> {
        Ok(Instance::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Instance, E> {
        Ok(Instance::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<Instance, E> {
        Ok(Instance::default())
    }
}

thread_local! {
    /// The attribute names read on this thread, shared between instances (and the nodes a
    /// fleet worker reads one after another; the interner bounds how many it keeps).
    static NAMES: RefCell<Interner> = RefCell::new(Interner::default());
}

/// An instance's attributes, stored compactly with shared names (see [`Attributes`]).
struct InstanceAttributesSeed<'a>(Option<&'a Names>);

impl<'de> Visitor<'de> for InstanceAttributesSeed<'_> {
    type Value = Attributes;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of attribute names to strings")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
        NAMES.with(|names| names.borrow_mut().begin());
        while let Some(Key(key)) = map.next_key()? {
            if self.0.is_none_or(|keep| keep.contains(&key)) {
                let Scalar(value) = map.next_value()?;
                NAMES.with(|names| names.borrow_mut().push(&key, &value));
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(NAMES.with(|names| names.borrow_mut().finish()))
    }
}

struct AttributesSeed<'a>(Option<&'a Names>);

impl<'de> Visitor<'de> for AttributesSeed<'_> {
    type Value = BTreeMap<String, String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of attribute names to strings")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(Key(key)) = map.next_key()? {
            if self.0.is_none_or(|keep| keep.contains(&key)) {
                let Scalar(value) = map.next_value()?;
                out.insert(key.into_owned(), value.into_owned());
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

/// The elements of a flag or attribute set, kept where `keep` says.
enum Elements {
    /// No `elements` key.
    Missing,
    /// Flag names (`None`: `null`).
    Flags(Option<BTreeSet<String>>),
    /// Attribute values (`None`: `null`).
    Attributes(Option<BTreeMap<String, String>>),
}

struct ElementSetSeed<'a> {
    keep: Option<&'a Names>,
    flags: bool,
}

impl<'de> DeserializeSeed<'de> for ElementSetSeed<'_> {
    type Value = Elements;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Elements, D::Error> {
        // A `null` set has `null` elements.
        d.deserialize_option(OptionalMap(self))
            .map(|e| e.unwrap_or(Elements::Missing))
    }
}

impl<'de> Visitor<'de> for ElementSetSeed<'_> {
    type Value = Elements;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a feature set")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Elements, A::Error> {
        let mut out = Elements::Missing;
        while let Some(Key(key)) = map.next_key()? {
            if key != "elements" {
                map.next_value::<IgnoredAny>()?;
            } else if self.flags {
                let names = map.next_value_seed(OptionalMap(FlagNames(self.keep)))?;
                out = Elements::Flags(names);
            } else {
                let values = map.next_value_seed(OptionalMap(AttributesSeed(self.keep)))?;
                out = Elements::Attributes(values);
            }
        }
        Ok(out)
    }
}

/// `null` or a mapping read by the inner visitor.
struct OptionalMap<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for OptionalMap<V> {
    type Value = Option<V::Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for OptionalMap<V> {
    type Value = Option<V::Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self.0).map(Some)
    }
}

/// Flag names; values are ignored (NFD writes `{}`).
struct FlagNames<'a>(Option<&'a Names>);

impl<'de> Visitor<'de> for FlagNames<'_> {
    type Value = BTreeSet<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of flag names")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeSet::new();
        while let Some(Key(key)) = map.next_key()? {
            map.next_value::<IgnoredAny>()?;
            if self.0.is_none_or(|keep| keep.contains(&key)) {
                out.insert(key.into_owned());
            }
        }
        Ok(out)
    }
}

/// A mapping key, borrowed from the input where the format allows (JSON without escapes) and
/// owned otherwise (YAML, escaped JSON).
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a name")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

/// An element value: a string, or a number, boolean or null read as the string kubectl would
/// have quoted (as [`snapshot::parse`] reads them); borrowed from the input where it can be.
struct Scalar<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Cow::Owned(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Cow::Borrowed(if v { "true" } else { "false" })))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Cow::Owned(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Cow::Owned(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar<'de>, E> {
        // As `serde_json::Number` prints it (what the generic reader does).
        serde_json::Number::from_f64(v)
            .map(|n| Scalar(Cow::Owned(n.to_string())))
            .ok_or_else(|| E::custom("a number that is not finite"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Cow::Borrowed("")))
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar(Cow::Borrowed("")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_read_as_text_or_as_bytes_alike() {
        let good = br#"{"apiVersion":"v","metadata":{"name":"n"},"spec":{"features":{"instances":{"a.b":{"elements":[{"attributes":{"k":"\u00e9"}}]}}}}}"#;
        let item = parse(good, &Needed::all()).unwrap();
        let features = item.features.unwrap();
        let elements = features.instances["a.b"].elements.as_ref().unwrap();
        assert_eq!(elements[0].attributes.get("k"), Some("é"));
        // Not UTF-8: serde_json's own message (with its place).
        let bad = b"{\"apiVersion\": \"\xff\"}";
        let err = parse(bad, &Needed::all()).unwrap_err().to_string();
        let want = serde_json::from_slice::<serde_json::Value>(bad)
            .unwrap_err()
            .to_string();
        assert_eq!(err, want);
    }
}

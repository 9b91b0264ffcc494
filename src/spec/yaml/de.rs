//! A serde [`Deserializer`] over a tree read by the fast reader, for YAML snapshots: a
//! NodeFeature in YAML reads in a fraction of what libyaml (`yaml_serde`) takes, which was
//! half of a single-node run.
//!
//! It gives a visitor what `yaml_serde` gives it for the same text, method by method: quoted
//! and block scalars are strings; a plain scalar that YAML could resolve to null, a boolean
//! or a number is resolved by `yaml_serde` itself. Whatever this cannot promise (a tag, an
//! alias, a very long number, a shape the fast reader does not read) is an error, and the
//! caller reads the text with `yaml_serde` instead, so errors are always `yaml_serde`'s.
//! The snapshot fuzz target checks that both readings agree.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Kind, Node, Style};

/// Why the tree cannot be read here; the caller falls back to `yaml_serde`.
#[derive(Debug)]
pub(crate) struct Fallback(String);

impl fmt::Display for Fallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Fallback {}

impl de::Error for Fallback {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

/// Deserializes one node.
pub(crate) struct NodeDeserializer<'t, 'de>(pub(crate) &'t Node<'de>);

/// The longest plain scalar that looks like a number and is resolved here; a longer one
/// (beyond 64 bits) is left to `yaml_serde`.
const MAX_NUMBER: usize = 18;

/// A plain scalar as YAML resolves it: null, a boolean, a number (resolved by `yaml_serde`
/// itself, on the scalar alone), else a string.
fn plain<'de, V: Visitor<'de>>(text: &Cow<'de, str>, visitor: V) -> Result<V::Value, Fallback> {
    match &**text {
        "" | "~" | "null" | "Null" | "NULL" => return visitor.visit_unit(),
        "true" | "True" | "TRUE" => return visitor.visit_bool(true),
        "false" | "False" | "FALSE" => return visitor.visit_bool(false),
        _ => {}
    }
    // Every YAML number (`12`, `-0x1F`, `+.5`, `1e3`, `.inf`) starts with one of these and
    // is made of these; any other text is a string.
    let bytes = text.as_bytes();
    let number_like = matches!(bytes[0], b'0'..=b'9' | b'+' | b'-' | b'.')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.' | b'_'));
    if !number_like {
        return string(text, visitor);
    }
    if text.len() > MAX_NUMBER {
        return Err(Fallback("a long number".into()));
    }
    let value: yaml_serde::Value =
        yaml_serde::from_str(text).map_err(|e| Fallback(e.to_string()))?;
    match value {
        yaml_serde::Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                visitor.visit_u64(u)
            } else if let Some(i) = n.as_i64() {
                visitor.visit_i64(i)
            } else if let Some(f) = n.as_f64() {
                visitor.visit_f64(f)
            } else {
                Err(Fallback("a number".into()))
            }
        }
        yaml_serde::Value::String(_) => string(text, visitor),
        _ => Err(Fallback(
            "a plain scalar that reads as more than a scalar".into(),
        )),
    }
}

fn string<'de, V: Visitor<'de>>(text: &Cow<'de, str>, visitor: V) -> Result<V::Value, Fallback> {
    match text {
        Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
        Cow::Owned(s) => visitor.visit_str(s),
    }
}

impl<'de> Deserializer<'de> for NodeDeserializer<'_, 'de> {
    type Error = Fallback;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fallback> {
        match &self.0.kind {
            Kind::Scalar(text, Style::Plain) => plain(text, visitor),
            Kind::Scalar(text, Style::Literal) => string(text, visitor),
            Kind::Seq(items) => visitor.visit_seq(Items(items.iter())),
            Kind::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fallback> {
        match &self.0.kind {
            Kind::Scalar(text, _) => string(text, visitor),
            _ => Err(Fallback("not a scalar".into())),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fallback> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fallback> {
        match &self.0.kind {
            Kind::Scalar(text, Style::Plain)
                if matches!(&**text, "" | "~" | "null" | "Null" | "NULL") =>
            {
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fallback> {
        match &self.0.kind {
            Kind::Seq(items) => visitor.visit_seq(Items(items.iter())),
            Kind::Scalar(text, Style::Plain) if text.is_empty() => {
                visitor.visit_seq(Items(<&[Node<'de>]>::default().iter()))
            }
            _ => Err(Fallback("not a sequence".into())),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fallback> {
        match &self.0.kind {
            Kind::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
            Kind::Scalar(text, Style::Plain) if text.is_empty() => visitor.visit_map(Entries {
                entries: <&[(Node<'de>, Node<'de>)]>::default().iter(),
                value: None,
            }),
            _ => Err(Fallback("not a mapping".into())),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fallback> {
        self.deserialize_str(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Fallback> {
        self.deserialize_map(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fallback> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct newtype_struct tuple tuple_struct enum
    }
}

struct Items<'t, 'de>(std::slice::Iter<'t, Node<'de>>);

impl<'de> SeqAccess<'de> for Items<'_, 'de> {
    type Error = Fallback;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Fallback> {
        self.0
            .next()
            .map(|node| seed.deserialize(NodeDeserializer(node)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'t, 'de> {
    entries: std::slice::Iter<'t, (Node<'de>, Node<'de>)>,
    value: Option<&'t Node<'de>>,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Fallback;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Fallback> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(NodeDeserializer(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Fallback> {
        let value = self
            .value
            .take()
            .ok_or_else(|| Fallback("a value without a key".into()))?;
        seed.deserialize(NodeDeserializer(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

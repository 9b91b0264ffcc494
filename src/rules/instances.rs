//! A column index over one instance feature, built once per evaluation, so that an expression
//! is evaluated once per distinct attribute value instead of once per instance.
//!
//! NFD evaluates a term's whole expression set on every instance. The report needs, for every
//! expression, the instances it holds on by itself, and the rule needs the instances on which
//! all expressions hold. Both come out of per-expression bitsets over the instances: an
//! expression is evaluated on each distinct value of its attribute (a node with 2,000 PCI
//! devices has a few dozen classes and vendors), the postings of the values it holds on are set,
//! and the term is the AND of its expressions' bitsets. This is exact (no short-circuit that
//! would hide which instances an expression holds on) and much cheaper than a per-instance scan.

use std::collections::HashMap;

use super::matcher::{match_absent, match_value};
use crate::features::{Attributes, Instance};
use crate::spec::{Compiled, Expr, Op};

/// A set of instance indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// No instance of `len`.
    pub(super) fn zeros(len: usize) -> Bits {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// Every instance of `len`.
    pub(super) fn ones(len: usize) -> Bits {
        let mut bits = Bits {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        bits.clear_tail();
        bits
    }

    fn clear_tail(&mut self) {
        let rem = self.len % 64;
        if rem != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << rem) - 1;
        }
    }

    /// Adds instance `i`.
    pub(super) fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    /// Keeps only the instances also in `other`.
    pub(super) fn and_assign(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// Adds the instances of `other`.
    pub(super) fn or_assign(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// The instances not in `self`.
    pub(super) fn not(&self) -> Bits {
        let mut bits = Bits {
            words: self.words.iter().map(|w| !w).collect(),
            len: self.len,
        };
        bits.clear_tail();
        bits
    }

    /// Whether any instance is in the set.
    pub(super) fn any(&self) -> bool {
        self.words.iter().any(|w| *w != 0)
    }

    /// The instance indexes in the set, ascending.
    pub(super) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + bit)
            })
        })
    }
}

/// One attribute across all instances.
#[derive(Debug)]
struct Column<'f> {
    /// The instances that have the attribute.
    present: Bits,
    /// Distinct values in first-seen order, with the instances that have each.
    values: Vec<(&'f str, Vec<u32>)>,
    /// Position of a value in `values`.
    by_value: HashMap<&'f str, usize>,
}

/// The column index of one instance feature.
#[derive(Debug)]
pub(super) struct InstanceIndex<'f> {
    /// The instances, in snapshot order.
    pub(super) instances: &'f [Instance],
    columns: HashMap<&'f str, Column<'f>>,
    /// Attribute names, sorted (for `matchName`).
    names: Vec<&'f str>,
}

impl<'f> InstanceIndex<'f> {
    /// Indexes `instances`.
    pub(super) fn new(instances: &'f [Instance]) -> InstanceIndex<'f> {
        let n = instances.len();
        let mut columns: HashMap<&'f str, Column<'f>> = HashMap::new();
        for (i, instance) in instances.iter().enumerate() {
            // Instance counts are far below u32::MAX (the snapshot would not fit in memory).
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            for (name, value) in instance.attributes.iter() {
                let column = columns.entry(name).or_insert_with(|| Column {
                    present: Bits::zeros(n),
                    values: Vec::new(),
                    by_value: HashMap::new(),
                });
                column.present.set(i);
                let next = column.values.len();
                let slot = *column.by_value.entry(value).or_insert(next);
                if slot == next {
                    column.values.push((value, Vec::new()));
                }
                column.values[slot].1.push(index);
            }
        }
        let mut names: Vec<&'f str> = columns.keys().copied().collect();
        names.sort_unstable();
        InstanceIndex {
            instances,
            columns,
            names,
        }
    }

    /// Number of instances.
    pub(super) fn len(&self) -> usize {
        self.instances.len()
    }

    /// The instances on which `expr` holds for attribute `name`, or the message of the first
    /// value (in instance order) it cannot be evaluated on.
    pub(super) fn eval(&self, name: &str, expr: &Expr) -> Result<Bits, String> {
        let n = self.len();
        let Some(column) = self.columns.get(name) else {
            return Ok(if match_absent(expr) {
                Bits::ones(n)
            } else {
                Bits::zeros(n)
            });
        };
        let mut bits = Bits::zeros(n);
        match (expr.op, &expr.compiled) {
            (Op::Any, _) => return Ok(Bits::ones(n)),
            (Op::Exists, _) => return Ok(column.present.clone()),
            (Op::DoesNotExist, _) => return Ok(column.present.not()),
            (Op::In, Compiled::Strings(_)) => {
                // A lookup per listed value beats a scan of the distinct values.
                for value in &expr.value {
                    if let Some(&slot) = column.by_value.get(value.as_str()) {
                        set_all(&mut bits, &column.values[slot].1);
                    }
                }
            }
            _ => {
                for (value, postings) in &column.values {
                    if match_value(expr, value)? {
                        set_all(&mut bits, postings);
                    }
                }
            }
        }
        Ok(bits)
    }

    /// `matchName` over the attribute names: the instances having a matching name, and the
    /// matching names (sorted); or the first name the expression cannot be evaluated on.
    pub(super) fn eval_names(&self, expr: &Expr) -> Result<(Bits, Vec<&'f str>), String> {
        let mut bits = Bits::zeros(self.len());
        let mut names = Vec::new();
        for name in &self.names {
            if match_value(expr, name)? {
                if let Some(column) = self.columns.get(name) {
                    bits.or_assign(&column.present);
                }
                names.push(*name);
            }
        }
        Ok((bits, names))
    }

    /// The attributes of instance `i`.
    pub(super) fn attributes(&self, i: usize) -> &'f Attributes {
        &self.instances[i].attributes
    }
}

fn set_all(bits: &mut Bits, postings: &[u32]) {
    for &i in postings {
        bits.set(i as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(op: &str, values: &[&str]) -> Expr {
        Expr::new(op, values.iter().map(|s| (*s).to_owned()).collect(), None).unwrap()
    }

    #[test]
    fn bits() {
        let mut b = Bits::zeros(130);
        b.set(0);
        b.set(64);
        b.set(129);
        assert_eq!(b.iter().collect::<Vec<_>>(), [0, 64, 129]);
        assert_eq!(b.not().iter().count(), 127);
        assert_eq!(Bits::ones(130).iter().count(), 130);
        assert_eq!(Bits::ones(0).iter().count(), 0);
        assert!(!Bits::ones(0).any());
        let mut a = Bits::ones(130);
        a.and_assign(&b);
        assert_eq!(a, b);
        let mut z = Bits::zeros(130);
        z.or_assign(&b);
        assert_eq!(z, b);
    }

    #[test]
    fn columns() {
        let instances = vec![
            Instance::new([("class", "0200"), ("vendor", "8086")]),
            Instance::new([("class", "0300"), ("vendor", "8086")]),
            Instance::new([("class", "0200")]),
            Instance::new([("class", "x"), ("vendor", "10de")]),
        ];
        let index = InstanceIndex::new(&instances);
        let ids = |name: &str, e: Expr| index.eval(name, &e).map(|b| b.iter().collect::<Vec<_>>());
        assert_eq!(ids("class", expr("In", &["0200", "nope"])), Ok(vec![0, 2]));
        assert_eq!(ids("vendor", expr("NotIn", &["8086"])), Ok(vec![3]));
        assert_eq!(ids("vendor", expr("Exists", &[])), Ok(vec![0, 1, 3]));
        assert_eq!(ids("vendor", expr("DoesNotExist", &[])), Ok(vec![2]));
        assert_eq!(ids("vendor", expr("", &[])), Ok(vec![0, 1, 2, 3]));
        assert_eq!(
            ids("nosuch", expr("DoesNotExist", &[])),
            Ok(vec![0, 1, 2, 3])
        );
        assert_eq!(ids("nosuch", expr("NotIn", &["a"])), Ok(vec![]));
        assert_eq!(ids("vendor", expr("InRegexp", &["^80"])), Ok(vec![0, 1]));
        assert_eq!(
            ids("class", expr("Gt", &["100"])),
            Err(r#"not a number "x""#.to_owned())
        );
        assert_eq!(
            ids("vendor", expr("Gt", &["8000"])),
            Err(r#"not a number "10de""#.to_owned())
        );
        let (bits, names) = index.eval_names(&expr("In", &["vendor"])).unwrap();
        assert_eq!(
            (bits.iter().collect::<Vec<_>>(), names),
            (vec![0, 1, 3], vec!["vendor"])
        );
        assert_eq!(
            index.eval_names(&expr("Gt", &["1"])).unwrap_err(),
            r#"not a number "class""#
        );
    }
}

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

use std::cell::RefCell;
use std::collections::HashMap;

use super::matcher::{match_absent, match_value};
use crate::features::{Attributes, Instance};
use crate::spec::{Compiled, Expr, Op, ValueType};

/// A set of instance indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bits {
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

    /// How many instances are in the set.
    pub(crate) fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The instance indexes in the set, ascending.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
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
    /// The attribute's name.
    name: &'f str,
    /// Distinct values in first-seen order.
    values: Vec<&'f str>,
    /// Position of a value in `values`.
    by_value: HashMap<&'f str, u32>,
    /// The instances having each value, ascending: those of `values[v]` are
    /// `postings[starts[v]..starts[v + 1]]` (one list for all values, where a list per value
    /// cost an allocation for each of thousands of distinct device ids). Memory is in
    /// proportion to the attributes read and their distinct values, whatever the number of
    /// instances and names.
    postings: Vec<u32>,
    starts: Vec<u32>,
}

impl<'f> Column<'f> {
    fn new(name: &'f str) -> Self {
        Column {
            name,
            values: Vec::new(),
            by_value: HashMap::new(),
            postings: Vec::new(),
            starts: Vec::new(),
        }
    }

    /// The position of `value` in `values`, added when new.
    fn slot(&mut self, value: &'f str) -> u32 {
        let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let slot = *self.by_value.entry(value).or_insert(next);
        if slot == next {
            self.values.push(value);
        }
        slot
    }

    /// Builds the postings from the column's `(instance, value slot)` pairs, given in
    /// instance order: a counting sort by value, each value's instances in instance order.
    fn post(&mut self, pairs: &[(u32, u32)]) {
        let mut starts = vec![0u32; self.values.len() + 1];
        for &(_, slot) in pairs {
            starts[slot as usize + 1] += 1;
        }
        for v in 1..starts.len() {
            starts[v] += starts[v - 1];
        }
        let mut next = starts.clone();
        let mut postings = vec![0u32; pairs.len()];
        for &(instance, slot) in pairs {
            postings[next[slot as usize] as usize] = instance;
            next[slot as usize] += 1;
        }
        self.postings = postings;
        self.starts = starts;
    }

    /// The instances having the value at `slot`.
    fn postings(&self, slot: usize) -> &[u32] {
        &self.postings[self.starts[slot] as usize..self.starts[slot + 1] as usize]
    }
}

/// The most bitset words [`InstanceIndex::eval`] keeps (32 MiB).
const MEMO_WORDS: usize = 1 << 22;

/// An expression on one attribute, as the memo of [`InstanceIndex::eval`] knows it:
/// everything its result depends on.
type ExprKey = (String, Op, Vec<String>, ValueType);

/// The column index of one instance feature.
#[derive(Debug)]
pub(super) struct InstanceIndex<'f> {
    /// The instances, in snapshot order.
    pub(super) instances: &'f [Instance],
    /// The columns, by first appearance.
    columns: Vec<Column<'f>>,
    /// Position of a column in `columns`, by name.
    by_name: HashMap<&'f str, usize>,
    /// Attribute names, sorted (for `matchName`).
    names: Vec<&'f str>,
    /// Results of [`InstanceIndex::eval`] so far: a spec of many rules asks about the same
    /// attribute with the same expression again and again.
    memo: RefCell<HashMap<ExprKey, Result<Bits, String>>>,
    /// The most bitset words `memo` may hold.
    memo_words: usize,
}

impl<'f> InstanceIndex<'f> {
    /// Indexes `instances`.
    pub(super) fn new(instances: &'f [Instance]) -> InstanceIndex<'f> {
        let mut columns: Vec<Column<'f>> = Vec::new();
        let mut by_name: HashMap<&'f str, usize> = HashMap::new();
        // Each column's (instance, value slot) pairs, in instance order.
        let mut pairs: Vec<Vec<(u32, u32)>> = Vec::new();
        for (i, instance) in instances.iter().enumerate() {
            // Instance counts are far below u32::MAX (the snapshot would not fit in memory).
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            for (position, (name, value)) in instance.attributes.iter().enumerate() {
                // Instances mostly have the same names in the same order: the column of the
                // same position in the previous instance is usually the one.
                let c = match columns.get(position) {
                    Some(column) if column.name == name => position,
                    _ => *by_name.entry(name).or_insert_with(|| {
                        columns.push(Column::new(name));
                        pairs.push(Vec::new());
                        columns.len() - 1
                    }),
                };
                let slot = columns[c].slot(value);
                pairs[c].push((index, slot));
            }
        }
        for (column, pairs) in columns.iter_mut().zip(&pairs) {
            column.post(pairs);
        }
        let mut names: Vec<&'f str> = by_name.keys().copied().collect();
        names.sort_unstable();
        InstanceIndex {
            instances,
            columns,
            by_name,
            names,
            memo: RefCell::default(),
            memo_words: MEMO_WORDS,
        }
    }

    /// Number of instances.
    pub(super) fn len(&self) -> usize {
        self.instances.len()
    }

    fn column(&self, name: &str) -> Option<&Column<'f>> {
        self.by_name.get(name).map(|&c| &self.columns[c])
    }

    /// The instances on which `expr` holds for attribute `name`, or the message of the first
    /// value (in instance order) it cannot be evaluated on.
    pub(super) fn eval(&self, name: &str, expr: &Expr) -> Result<Bits, String> {
        let key = (
            name.to_owned(),
            expr.op,
            expr.value.clone(),
            expr.value_type,
        );
        if let Some(known) = self.memo.borrow().get(&key) {
            return known.clone();
        }
        let result = self.eval_column(name, expr);
        let mut memo = self.memo.borrow_mut();
        // Bounded: a huge spec on a node of many instances keeps at most this much.
        if (memo.len() + 1) * self.len().div_ceil(64) <= self.memo_words {
            memo.insert(key, result.clone());
        }
        result
    }

    fn eval_column(&self, name: &str, expr: &Expr) -> Result<Bits, String> {
        let n = self.len();
        let Some(column) = self.column(name) else {
            return Ok(if match_absent(expr) {
                Bits::ones(n)
            } else {
                Bits::zeros(n)
            });
        };
        let mut bits = Bits::zeros(n);
        match (expr.op, &expr.compiled) {
            (Op::Any, _) => return Ok(Bits::ones(n)),
            (Op::Exists, _) => set_all(&mut bits, &column.postings),
            (Op::DoesNotExist, _) => {
                set_all(&mut bits, &column.postings);
                return Ok(bits.not());
            }
            (Op::In, Compiled::Strings(_)) => {
                // A lookup per listed value beats a scan of the distinct values.
                for value in &expr.value {
                    if let Some(&slot) = column.by_value.get(value.as_str()) {
                        set_all(&mut bits, column.postings(slot as usize));
                    }
                }
            }
            _ => {
                // In instance order, the first value that cannot be evaluated is the one
                // named (values are in first-seen order).
                for (slot, value) in column.values.iter().enumerate() {
                    if match_value(expr, value)? {
                        set_all(&mut bits, column.postings(slot));
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
                if let Some(column) = self.column(name) {
                    set_all(&mut bits, &column.postings);
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
        assert_eq!(
            (b.count(), Bits::ones(130).count(), Bits::zeros(0).count()),
            (3, 130, 0)
        );
    }

    #[test]
    fn columns() {
        let instances = vec![
            Instance::new([("class", "0200"), ("vendor", "8086")]),
            Instance::new([("class", "0300"), ("vendor", "8086")]),
            Instance::new([("class", "0200")]),
            Instance::new([("class", "x"), ("vendor", "10de")]),
            // Other names at the same positions.
            Instance::new([("a", "1"), ("class", "0200"), ("vendor", "8086")]),
            Instance::new([("vendor", "8086")]),
        ];
        let index = InstanceIndex::new(&instances);
        let ids = |name: &str, e: Expr| index.eval(name, &e).map(|b| b.iter().collect::<Vec<_>>());
        // Twice: the second time from the memo.
        for _ in 0..2 {
            assert_eq!(
                ids("class", expr("In", &["0200", "nope"])),
                Ok(vec![0, 2, 4])
            );
            assert_eq!(ids("vendor", expr("NotIn", &["8086"])), Ok(vec![3]));
            assert_eq!(ids("vendor", expr("Exists", &[])), Ok(vec![0, 1, 3, 4, 5]));
            assert_eq!(ids("vendor", expr("DoesNotExist", &[])), Ok(vec![2]));
            assert_eq!(ids("vendor", expr("", &[])), Ok(vec![0, 1, 2, 3, 4, 5]));
            assert_eq!(
                ids("nosuch", expr("DoesNotExist", &[])),
                Ok(vec![0, 1, 2, 3, 4, 5])
            );
            assert_eq!(ids("nosuch", expr("NotIn", &["a"])), Ok(vec![]));
            assert_eq!(
                ids("vendor", expr("InRegexp", &["^80"])),
                Ok(vec![0, 1, 4, 5])
            );
            assert_eq!(
                ids("class", expr("Gt", &["100"])),
                Err(r#"not a number "x""#.to_owned())
            );
            assert_eq!(
                ids("vendor", expr("Gt", &["8000"])),
                Err(r#"not a number "10de""#.to_owned())
            );
        }
        assert_eq!(index.memo.borrow().len(), 10);
        // The same op and values with another type.
        let version = Expr::new("Gt", vec!["100".to_owned()], Some("version".to_owned())).unwrap();
        assert_eq!(
            ids("class", version),
            Err(r#"not a version "x""#.to_owned())
        );
        let (bits, names) = index.eval_names(&expr("In", &["vendor"])).unwrap();
        assert_eq!(
            (bits.iter().collect::<Vec<_>>(), names),
            (vec![0, 1, 3, 4, 5], vec!["vendor"])
        );
        assert_eq!(
            index.eval_names(&expr("Gt", &["1"])).unwrap_err(),
            r#"not a number "a""#
        );
    }

    #[test]
    fn the_memo_is_bounded() {
        let instances = vec![
            Instance::new([("class", "0200")]),
            Instance::new([("class", "0300")]),
        ];
        let mut index = InstanceIndex::new(&instances);
        // One word per result: room for one.
        index.memo_words = 1;
        for _ in 0..2 {
            let ids = |e: Expr| {
                index
                    .eval("class", &e)
                    .map(|b| b.iter().collect::<Vec<_>>())
            };
            assert_eq!(ids(expr("In", &["0200"])), Ok(vec![0]));
            assert_eq!(ids(expr("In", &["0300"])), Ok(vec![1]));
            assert_eq!(index.memo.borrow().len(), 1);
        }
    }
}

//! Whether some element state can satisfy a list of expressions at once.
//!
//! An element is absent, a flag (present without a value), or present with a string value.
//! Instead of reasoning about ops pairwise, the check tries a finite set of candidate states
//! that together stand for every possible state: every string the expressions mention (and
//! `true`/`false`), for every integer bound the points just below, at and above it (in a
//! spelling no expression mentions), and one string nothing mentions. Two values in the same
//! class answer every `In`, `NotIn`, `IsTrue`, `IsFalse` and integer comparison alike; only a
//! regex can tell them apart, so on a class representative a regex answers "maybe". The
//! answer "cannot be satisfied" is therefore never wrong, which is what a lint needs.

use std::borrow::Cow;

use crate::rules::matcher;
use crate::spec::{Compiled, Expr, Op};

/// A state the element may be in.
#[derive(Debug)]
enum Candidate<'a> {
    /// The element is absent.
    Absent,
    /// The element is a flag (present, no value).
    Flag,
    /// The element has this value; `exact` when it stands only for itself (not for a class
    /// of values no expression mentions).
    Value { value: &'a str, exact: bool },
}

/// Whether some state of one element satisfies every expression. `flag`: the element is a
/// flag; `may_be_absent`: the element can be missing while its feature is present.
///
/// The candidates are tried as they are made, the cheap ones first, and the values the
/// expressions list are borrowed: most lists are satisfied by the first few.
pub(super) fn satisfiable(flag: bool, may_be_absent: bool, exprs: &[&Expr]) -> bool {
    let all = |c: &Candidate<'_>| exprs.iter().all(|e| eval(e, c) != Some(false));
    if may_be_absent && all(&Candidate::Absent) {
        return true;
    }
    if flag {
        return all(&Candidate::Flag);
    }
    let mut listed: Vec<&str> = vec!["true", "false"];
    let mut points: Vec<i64> = Vec::new();
    for e in exprs {
        match (&e.op, &e.compiled) {
            (Op::In | Op::NotIn, _) => listed.extend(e.value.iter().map(String::as_str)),
            (_, Compiled::Ints(bounds)) => {
                for b in bounds {
                    points.extend(
                        [b.checked_sub(1), Some(*b), b.checked_add(1)]
                            .into_iter()
                            .flatten(),
                    );
                }
            }
            _ => {}
        }
    }
    listed.sort_unstable();
    listed.dedup();
    if listed
        .iter()
        .any(|value| all(&Candidate::Value { value, exact: true }))
    {
        return true;
    }
    let is_listed = |s: &str| listed.binary_search(&s).is_ok();
    points.sort_unstable();
    points.dedup();
    let unlisted = |p: &i64| {
        let value = unlisted_spelling(*p, is_listed);
        all(&Candidate::Value {
            value: &value,
            exact: false,
        })
    };
    if points.iter().any(unlisted) {
        return true;
    }
    let mut fresh = Cow::Borrowed("\u{1}");
    while is_listed(&fresh) {
        fresh.to_mut().push('\u{1}');
    }
    all(&Candidate::Value {
        value: &fresh,
        exact: false,
    })
}

/// A spelling of `n` that Go's `Atoi` reads as `n` and no expression lists (`5`, `05`, ...).
fn unlisted_spelling(n: i64, is_listed: impl Fn(&str) -> bool) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let digits = n.unsigned_abs().to_string();
    let mut zeros = String::new();
    loop {
        let s = format!("{sign}{zeros}{digits}");
        if !is_listed(&s) {
            return s;
        }
        zeros.push('0');
    }
}

/// An expression on a candidate: `Some` when certain, `None` for "maybe". Certain answers
/// are the rule engine's own.
fn eval(e: &Expr, c: &Candidate<'_>) -> Option<bool> {
    match c {
        Candidate::Absent => Some(matcher::match_absent(e)),
        Candidate::Flag => Some(matcher::match_flag(e, true)),
        // Which versions would satisfy version bounds, or whether a regex matches the values a
        // stand-in value represents, is not worked out here.
        Candidate::Value { .. } if matches!(e.compiled, Compiled::Versions(_)) => None,
        Candidate::Value { exact: false, .. } if e.op == Op::InRegexp => None,
        // A value that is not a number makes NFD fail the expression: never a match.
        Candidate::Value { value, .. } => Some(matcher::match_value(e, value).unwrap_or(false)),
    }
}

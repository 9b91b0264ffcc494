//! One expression on one input: NFD's `evaluateMatchExpression`, minus the checks that the
//! spec loader already made (op, number of values, regexes, bounds).
//!
//! What is left depends on the node's data: whether the element is present, and whether its
//! value is a number or a version when an ordering op needs one.

use std::cmp::Ordering;

use crate::spec::{Compiled, Expr, Op, Version, go_quote, parse_go_int};

/// The expression on an absent element (NFD's `valid == false`): only `""` (any) and
/// `DoesNotExist` hold; every other op is false without error (`NotIn` too).
pub(crate) fn match_absent(expr: &Expr) -> bool {
    matches!(expr.op, Op::Any | Op::DoesNotExist)
}

/// The expression on a flag element, which has no value: only `""`, `Exists` and
/// `DoesNotExist` can hold; every other op is false without error (NFD PR #1670).
pub(crate) fn match_flag(expr: &Expr, present: bool) -> bool {
    match expr.op {
        Op::Any => true,
        Op::Exists => present,
        Op::DoesNotExist => !present,
        _ => false,
    }
}

/// Whether the op can fail on the data (an ordering op on a value that is not a number or a
/// version). Every other op only answers true or false.
pub(super) fn can_error(expr: &Expr) -> bool {
    expr.op.is_ordering()
}

/// The expression on a present element with this value. `Err` carries NFD's message
/// (`not a number "x"`, `not a version "x"`).
pub(crate) fn match_value(expr: &Expr, value: &str) -> Result<bool, String> {
    Ok(match (expr.op, &expr.compiled) {
        (Op::Any | Op::Exists, _) => true,
        (Op::DoesNotExist, _) => false,
        (Op::In, Compiled::Strings(set)) => set.contains(&expr.value, value),
        (Op::NotIn, Compiled::Strings(set)) => !set.contains(&expr.value, value),
        (Op::InRegexp, Compiled::Regexes(patterns)) => patterns.iter().any(|p| p.is_match(value)),
        (Op::IsTrue, _) => value == "true",
        (Op::IsFalse, _) => value == "false",
        (op, Compiled::Ints(bounds)) => {
            let x =
                parse_go_int(value).ok_or_else(|| format!("not a number {}", go_quote(value)))?;
            ordered(op, &x, bounds)
        }
        (op, Compiled::Versions(bounds)) => {
            let x = Version::parse(value)
                .ok_or_else(|| format!("not a version {}", go_quote(value)))?;
            ordered(op, &x, bounds)
        }
        // The loader pairs every op with its compiled form; anything else cannot match.
        _ => false,
    })
}

/// An ordering op on `x` against one or two bounds.
fn ordered<T: Ord>(op: Op, x: &T, bounds: &[T]) -> bool {
    match (op, bounds) {
        (Op::Gt, [b]) => x.cmp(b) == Ordering::Greater,
        (Op::Ge, [b]) => x.cmp(b) != Ordering::Less,
        (Op::Lt, [b]) => x.cmp(b) == Ordering::Less,
        (Op::Le, [b]) => x.cmp(b) != Ordering::Greater,
        (Op::GtLt, [lo, hi]) => x > lo && x < hi,
        (Op::GeLe, [lo, hi]) => x >= lo && x <= hi,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn expr(op: &str, values: &[&str], ty: Option<&str>) -> Expr {
        Expr::new(
            op,
            values.iter().map(|s| (*s).to_owned()).collect(),
            ty.map(str::to_owned),
        )
        .unwrap()
    }

    #[test]
    fn values() {
        type Case<'a> = (
            &'a str,
            &'a [&'a str],
            Option<&'a str>,
            &'a str,
            Result<bool, &'a str>,
        );
        let cases: &[Case] = &[
            ("", &[], None, "x", Ok(true)),
            ("Exists", &[], None, "", Ok(true)),
            ("DoesNotExist", &[], None, "x", Ok(false)),
            ("In", &["a", "b"], None, "b", Ok(true)),
            ("In", &["a", "b"], None, "B", Ok(false)),
            ("In", &["a"], None, "a ", Ok(false)),
            ("NotIn", &["a", "b"], None, "c", Ok(true)),
            ("NotIn", &["a", "b"], None, "a", Ok(false)),
            ("InRegexp", &["^AV", "X$"], None, "AVX", Ok(true)),
            ("InRegexp", &["VX"], None, "AVX2", Ok(true)),
            ("InRegexp", &["^VX"], None, "AVX2", Ok(false)),
            ("Gt", &["5"], None, "6", Ok(true)),
            ("Gt", &["5"], None, "5", Ok(false)),
            ("Gt", &["-5"], None, "+0", Ok(true)),
            ("Ge", &["5"], None, "5", Ok(true)),
            ("Ge", &["5"], None, "4", Ok(false)),
            ("Lt", &["5"], None, "4", Ok(true)),
            ("Lt", &["5"], None, "5", Ok(false)),
            ("Le", &["5"], None, "5", Ok(true)),
            ("Le", &["5"], None, "6", Ok(false)),
            ("GtLt", &["1", "3"], None, "2", Ok(true)),
            ("GtLt", &["1", "3"], None, "3", Ok(false)),
            ("GtLt", &["1", "3"], None, "1", Ok(false)),
            ("GeLe", &["1", "3"], None, "3", Ok(true)),
            ("GeLe", &["1", "3"], None, "1", Ok(true)),
            ("GeLe", &["1", "3"], None, "4", Ok(false)),
            ("Gt", &["5"], None, "1.0", Err(r#"not a number "1.0""#)),
            ("Gt", &["5"], None, "0b40", Err(r#"not a number "0b40""#)),
            ("Lt", &["5"], None, "", Err(r#"not a number """#)),
            ("GtLt", &["1", "3"], None, "x", Err(r#"not a number "x""#)),
            (
                "Gt",
                &["5.4"],
                Some("version"),
                "6.8.0-45-generic",
                Ok(true),
            ),
            (
                "Gt",
                &["6.8"],
                Some("version"),
                "6.8.0-45-generic",
                Ok(false),
            ),
            (
                "Ge",
                &["6.8"],
                Some("version"),
                "6.8.0-45-generic",
                Ok(true),
            ),
            ("Lt", &["6.10"], Some("version"), "6.9", Ok(true)),
            ("Le", &["v1"], Some("version"), "1.0.0", Ok(true)),
            ("GtLt", &["5", "4"], Some("version"), "4.5", Ok(false)),
            ("GtLt", &["4", "5"], Some("version"), "4.5", Ok(true)),
            ("GeLe", &["4", "5"], Some("version"), "5.0.0", Ok(true)),
            (
                "Gt",
                &["5"],
                Some("version"),
                "4.18.0-305.el8.x86_64",
                Err(r#"not a version "4.18.0-305.el8.x86_64""#),
            ),
            ("IsTrue", &[], None, "true", Ok(true)),
            ("IsTrue", &[], None, "True", Ok(false)),
            ("IsFalse", &[], None, "false", Ok(true)),
            ("IsFalse", &[], None, "true", Ok(false)),
        ];
        for (op, values, ty, input, want) in cases {
            let got = match_value(&expr(op, values, *ty), input);
            assert_eq!(
                got,
                want.map_err(str::to_owned),
                "{op} {values:?} {ty:?} on {input:?}"
            );
        }
    }

    #[test]
    fn absent_and_flags() {
        let cases: &[(&str, &[&str], bool, bool, bool)] = &[
            // op, values, absent result, flag present, flag absent
            ("", &[], true, true, true),
            ("Exists", &[], false, true, false),
            ("DoesNotExist", &[], true, false, true),
            ("In", &["a"], false, false, false),
            ("NotIn", &["a"], false, false, false),
            ("InRegexp", &["."], false, false, false),
            ("Gt", &["1"], false, false, false),
            ("GtLt", &["1", "2"], false, false, false),
            ("Gt", &["1"], false, false, false),
            ("IsTrue", &[], false, false, false),
            ("IsFalse", &[], false, false, false),
        ];
        for (op, values, absent, present_flag, absent_flag) in cases {
            let e = expr(op, values, None);
            assert_eq!(match_absent(&e), *absent, "{op} absent");
            assert_eq!(match_flag(&e, true), *present_flag, "{op} flag present");
            assert_eq!(match_flag(&e, false), *absent_flag, "{op} flag absent");
        }
        assert!(can_error(&expr("Gt", &["1"], None)));
        assert!(!can_error(&expr("InRegexp", &["1"], None)));
    }
}

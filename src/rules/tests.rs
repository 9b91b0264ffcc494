//! Tests of the rule engine against NFD's semantics (docs/DECISIONS.md, *Same answers*), built on
//! model types directly (no loader).

use std::collections::BTreeMap;

use super::*;
use crate::features::{AttributeSet, FlagSet, Instance, InstanceSet};
use crate::spec::{Compatibility, Expr, GroupRule, MatchAnyElem, Term, VarsTemplate};

use Outcome::{Match as M, NoMatch as N};

fn ex(op: &str, values: &[&str]) -> Expr {
    Expr::new(op, values.iter().map(|s| (*s).to_owned()).collect(), None).unwrap()
}

fn exv(op: &str, values: &[&str]) -> Expr {
    Expr::new(
        op,
        values.iter().map(|s| (*s).to_owned()).collect(),
        Some("version".to_owned()),
    )
    .unwrap()
}

fn term(feature: &str, expressions: Vec<(&str, Expr)>) -> Term {
    Term {
        feature: feature.to_owned(),
        match_expressions: Some(
            expressions
                .into_iter()
                .map(|(k, e)| (k.to_owned(), e))
                .collect(),
        ),
        match_name: None,
    }
}

fn name_term(feature: &str, expr: Expr) -> Term {
    Term {
        feature: feature.to_owned(),
        match_expressions: None,
        match_name: Some(Box::new(expr)),
    }
}

fn bare_term(feature: &str) -> Term {
    Term {
        feature: feature.to_owned(),
        match_expressions: None,
        match_name: None,
    }
}

fn rule(match_features: Vec<Term>, match_any: Vec<Vec<Term>>) -> GroupRule {
    GroupRule {
        name: "r".to_owned(),
        vars: BTreeMap::new(),
        vars_template: None,
        match_features,
        match_any: match_any
            .into_iter()
            .map(|t| MatchAnyElem { match_features: t })
            .collect(),
    }
}

fn with_vars(mut r: GroupRule, vars: &[(&str, &str)]) -> GroupRule {
    r.vars = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    r
}

fn with_template(mut r: GroupRule, template: &str) -> GroupRule {
    r.vars_template = Some(VarsTemplate::parse(template).unwrap());
    r
}

fn set(rules: Vec<GroupRule>, tag: &str) -> Compatibility {
    Compatibility {
        rules: Some(rules),
        weight: 0,
        tag: tag.to_owned(),
        description: String::new(),
    }
}

fn spec(sets: Vec<Compatibility>) -> Spec {
    Spec {
        compatibilities: sets,
    }
}

fn run_rules(features: &Features, rules: Vec<GroupRule>) -> Vec<RuleEvaluation> {
    let mut e = evaluate(&spec(vec![set(rules, "")]), features, &Options::default());
    e.sets.remove(0).rules
}

fn run_rule(features: &Features, r: GroupRule) -> RuleEvaluation {
    run_rules(features, vec![r]).remove(0)
}

/// NFD's fake source (`source/fake`), plus a few extras.
fn fake() -> Features {
    let mut f = Features::default();
    f.insert_flags("fake.flag", ["flag_1", "flag_2", "flag_3"]);
    f.insert_attributes(
        "fake.attribute",
        [("attr_1", "true"), ("attr_2", "false"), ("attr_3", "10")],
    );
    f.insert_instances(
        "fake.instance",
        vec![
            Instance::new([
                ("attr_1", "true"),
                ("attr_2", "false"),
                ("attr_3", "10"),
                ("attr_4", "foobar"),
                ("name", "instance_1"),
            ]),
            Instance::new([
                ("attr_1", "true"),
                ("attr_2", "true"),
                ("attr_3", "100"),
                ("name", "instance_2"),
            ]),
            Instance::new([("name", "instance_3")]),
        ],
    );
    f.insert_attributes(
        "test.values",
        [
            ("num", "10"),
            ("str", "foo"),
            ("ver", "5.15.0-1019-aws"),
            ("rhel", "4.18.0-305.el8.x86_64"),
            ("t", "true"),
            ("f", "false"),
        ],
    );
    f.insert_instances("test.none", vec![]);
    f.flags
        .insert("test.nullflags".to_owned(), FlagSet { elements: None });
    f.attributes
        .insert("test.nullattrs".to_owned(), AttributeSet { elements: None });
    f.instances.insert(
        "test.nullinstances".to_owned(),
        InstanceSet { elements: None },
    );
    f.insert_attributes("test.emptyattrs", Vec::<(String, String)>::new());
    f
}

/// Evaluates one single-expression term and returns (term matched, outcome, observed).
fn one(features: &Features, feature: &str, key: &str, expr: Expr) -> (bool, Outcome, Observed) {
    let r = run_rule(
        features,
        rule(vec![term(feature, vec![(key, expr)])], vec![]),
    );
    assert_eq!(r.match_features.len(), 1);
    let e = &r.match_features[0];
    assert_eq!(e.key.as_deref(), Some(key));
    assert_eq!(r.is_match, e.term_matched);
    (r.is_match, e.outcome.clone(), e.observed.clone())
}

/// An instance feature's observation: `matching` of `total` instances.
fn on_instances(total: usize, matching: &[usize]) -> Observed {
    let mut bits = Bits::zeros(total);
    for &i in matching {
        bits.set(i);
    }
    Observed::Instances {
        total,
        matching: bits,
    }
}

fn err(s: &str) -> Outcome {
    Outcome::Error(s.to_owned())
}

#[test]
fn attribute_ops() {
    let f = fake();
    let cases: Vec<(&str, Expr, Outcome)> = vec![
        ("str", ex("In", &["foo", "bar"]), M),
        ("str", ex("In", &["bar"]), N),
        ("absent", ex("In", &["x"]), N),
        ("str", ex("NotIn", &["bar"]), M),
        ("str", ex("NotIn", &["foo"]), N),
        // Q7 (docs/DECISIONS.md): NotIn on an absent attribute is false.
        ("absent", ex("NotIn", &["x"]), N),
        ("str", ex("InRegexp", &["^f", "zzz"]), M),
        ("str", ex("InRegexp", &["o$"]), M),
        ("str", ex("InRegexp", &["^o"]), N),
        ("absent", ex("InRegexp", &["."]), N),
        ("str", ex("Exists", &[]), M),
        ("absent", ex("Exists", &[]), N),
        ("str", ex("DoesNotExist", &[]), N),
        ("absent", ex("DoesNotExist", &[]), M),
        ("str", ex("", &[]), M),
        ("absent", ex("", &[]), M),
        ("num", ex("Gt", &["5"]), M),
        ("num", ex("Gt", &["10"]), N),
        ("num", ex("Ge", &["10"]), M),
        ("num", ex("Lt", &["11"]), M),
        ("num", ex("Le", &["9"]), N),
        ("num", ex("GtLt", &["9", "11"]), M),
        ("num", ex("GtLt", &["10", "11"]), N),
        ("num", ex("GeLe", &["11", "12"]), N),
        ("num", ex("GeLe", &["10", "12"]), M),
        ("str", ex("Gt", &["1"]), err(r#"not a number "foo""#)),
        (
            "ver",
            ex("Lt", &["1"]),
            err(r#"not a number "5.15.0-1019-aws""#),
        ),
        ("absent", ex("Gt", &["1"]), N),
        ("ver", exv("Gt", &["5.4"]), M),
        ("ver", exv("Lt", &["5.15"]), N),
        ("ver", exv("Le", &["5.15"]), M),
        ("ver", exv("GtLt", &["5", "6"]), M),
        ("num", exv("GeLe", &["10", "10.0.0"]), M),
        (
            "rhel",
            exv("Gt", &["1"]),
            err(r#"not a version "4.18.0-305.el8.x86_64""#),
        ),
        ("t", ex("IsTrue", &[]), M),
        ("f", ex("IsTrue", &[]), N),
        ("f", ex("IsFalse", &[]), M),
        ("str", ex("IsTrue", &[]), N),
        ("absent", ex("IsFalse", &[]), N),
    ];
    for (key, expr, want) in cases {
        let label = format!("{key} {}", expr.nfd_string());
        let (matched, outcome, observed) = one(&f, "test.values", key, expr);
        assert_eq!(outcome, want, "{label}");
        assert_eq!(matched, want == M, "{label}");
        let value = fake().attributes["test.values"]
            .elements
            .as_ref()
            .unwrap()
            .get(key)
            .cloned();
        assert_eq!(
            observed,
            Observed::Element { flag: false, value },
            "{label}"
        );
    }
}

#[test]
fn flag_ops() {
    let f = fake();
    // Flags only answer "", Exists and DoesNotExist; everything else is false, never an error.
    let cases: Vec<(&str, Expr, Outcome)> = vec![
        ("flag_1", ex("Exists", &[]), M),
        ("nope", ex("Exists", &[]), N),
        ("flag_1", ex("DoesNotExist", &[]), N),
        ("nope", ex("DoesNotExist", &[]), M),
        ("flag_1", ex("", &[]), M),
        ("nope", ex("", &[]), M),
        ("flag_1", ex("In", &["flag_1"]), N),
        ("flag_1", ex("NotIn", &["x"]), N),
        ("flag_1", ex("InRegexp", &["."]), N),
        ("flag_1", ex("Gt", &["1"]), N),
        ("flag_1", exv("Gt", &["1"]), N),
        ("flag_1", ex("IsTrue", &[]), N),
        ("flag_1", ex("IsFalse", &[]), N),
    ];
    for (key, expr, want) in cases {
        let label = format!("{key} {}", expr.nfd_string());
        let (matched, outcome, observed) = one(&f, "fake.flag", key, expr);
        assert_eq!(outcome, want, "{label}");
        assert_eq!(matched, want == M, "{label}");
        assert_eq!(
            observed,
            Observed::Element {
                flag: key == "flag_1",
                value: None
            },
            "{label}"
        );
    }
}

#[test]
fn instance_ops() {
    let f = fake();
    let cases: Vec<(&str, Expr, Outcome, Vec<usize>)> = vec![
        (
            "name",
            ex("In", &["instance_1", "instance_3"]),
            M,
            vec![0, 2],
        ),
        ("name", ex("In", &["nope"]), N, vec![]),
        ("attr_1", ex("NotIn", &["false"]), M, vec![0, 1]),
        ("attr_1", ex("NotIn", &["true"]), N, vec![]),
        ("attr_3", ex("Gt", &["50"]), M, vec![1]),
        ("attr_3", ex("GeLe", &["10", "100"]), M, vec![0, 1]),
        (
            "attr_4",
            ex("Gt", &["1"]),
            err(r#"not a number "foobar""#),
            vec![],
        ),
        ("attr_4", ex("Exists", &[]), M, vec![0]),
        ("attr_4", ex("DoesNotExist", &[]), M, vec![1, 2]),
        ("absent", ex("Exists", &[]), N, vec![]),
        ("absent", ex("DoesNotExist", &[]), M, vec![0, 1, 2]),
        ("absent", ex("NotIn", &["x"]), N, vec![]),
        ("name", ex("", &[]), M, vec![0, 1, 2]),
        ("name", ex("InRegexp", &["_[12]$"]), M, vec![0, 1]),
        ("attr_2", ex("IsTrue", &[]), M, vec![1]),
        ("attr_2", ex("IsFalse", &[]), M, vec![0]),
        ("attr_3", exv("Gt", &["11"]), M, vec![1]),
    ];
    for (key, expr, want, matching) in cases {
        let label = format!("{key} {}", expr.nfd_string());
        let (matched, outcome, observed) = one(&f, "fake.instance", key, expr);
        assert_eq!(outcome, want, "{label}");
        assert_eq!(matched, want == M, "{label}");
        assert_eq!(observed, on_instances(3, &matching), "{label}");
    }
}

#[test]
fn empty_expression_sets_and_null_elements() {
    let f = fake();
    let cases = [
        // An empty set matches any flag/attribute feature, even without elements...
        ("fake.flag", true),
        ("fake.attribute", true),
        ("test.emptyattrs", true),
        // ...needs at least one instance...
        ("fake.instance", true),
        ("test.none", false),
        // ...and `elements: null` counts as absent for its type.
        ("test.nullflags", false),
        ("test.nullattrs", false),
        ("test.nullinstances", false),
        ("no.such", false),
    ];
    for (feature, want) in cases {
        let r = run_rule(&f, rule(vec![term(feature, vec![])], vec![]));
        assert_eq!(r.is_match, want, "{feature}");
        assert!(r.match_features.is_empty(), "{feature}");
    }
    // A term with neither matchExpressions nor matchName matches iff the feature exists.
    for (feature, want) in [
        ("test.none", true),
        ("test.nullflags", true),
        ("test.nullinstances", true),
        ("no.such", false),
    ] {
        assert_eq!(
            run_rule(&f, rule(vec![bare_term(feature)], vec![])).is_match,
            want,
            "{feature}"
        );
    }
    // Zero instances: even DoesNotExist/"" fail.
    for expr in [ex("DoesNotExist", &[]), ex("", &[])] {
        let (matched, outcome, observed) = one(&f, "test.none", "x", expr.clone());
        assert!(!matched);
        assert_eq!(outcome, N);
        assert_eq!(observed, on_instances(0, &[]));
        let (matched, outcome, _) = one(&f, "test.nullattrs", "x", expr);
        assert!(!matched);
        assert_eq!(outcome, N);
    }
}

#[test]
fn unknown_feature_fails_without_error() {
    let f = fake();
    for expr in [
        ex("DoesNotExist", &[]),
        ex("", &[]),
        ex("Gt", &["1"]),
        ex("NotIn", &["a"]),
    ] {
        let (matched, outcome, observed) = one(&f, "no.such", "x", expr);
        assert!(!matched);
        assert_eq!(outcome, N);
        assert_eq!(observed, Observed::FeatureMissing);
    }
    let r = run_rule(
        &f,
        rule(vec![name_term("no.such", ex("Exists", &[]))], vec![]),
    );
    assert!(!r.is_match);
    assert_eq!(r.match_features[0].observed, Observed::FeatureMissing);
    assert!(!r.has_errors());
}

#[test]
fn match_name_ops() {
    let mut f = fake();
    f.insert_flags("cpu.cpuid", ["AVX", "AVX512F", "SSE4", "true"]);
    f.insert_flags("test.emptyflags", Vec::<String>::new());
    let cases: Vec<(&str, Expr, Outcome, Vec<&str>)> = vec![
        ("cpu.cpuid", ex("In", &["AVX", "nope"]), M, vec!["AVX"]),
        ("cpu.cpuid", ex("In", &["nope"]), N, vec![]),
        (
            "cpu.cpuid",
            ex("InRegexp", &["^AVX"]),
            M,
            vec!["AVX", "AVX512F"],
        ),
        (
            "cpu.cpuid",
            ex("NotIn", &["AVX", "AVX512F", "SSE4"]),
            M,
            vec!["true"],
        ),
        (
            "cpu.cpuid",
            ex("Exists", &[]),
            M,
            vec!["AVX", "AVX512F", "SSE4", "true"],
        ),
        (
            "cpu.cpuid",
            ex("", &[]),
            M,
            vec!["AVX", "AVX512F", "SSE4", "true"],
        ),
        ("cpu.cpuid", ex("DoesNotExist", &[]), N, vec![]),
        ("cpu.cpuid", ex("IsTrue", &[]), M, vec!["true"]),
        (
            "cpu.cpuid",
            ex("Gt", &["1"]),
            err(r#"not a number "AVX""#),
            vec![],
        ),
        ("test.emptyflags", ex("Exists", &[]), N, vec![]),
        ("test.emptyflags", ex("Gt", &["1"]), N, vec![]),
        ("fake.attribute", ex("In", &["attr_2"]), M, vec!["attr_2"]),
        (
            "fake.attribute",
            ex("InRegexp", &["_[13]$"]),
            M,
            vec!["attr_1", "attr_3"],
        ),
        ("fake.instance", ex("In", &["attr_4"]), M, vec!["attr_4"]),
        (
            "fake.instance",
            ex("InRegexp", &["^attr"]),
            M,
            vec!["attr_1", "attr_2", "attr_3", "attr_4"],
        ),
        (
            "fake.instance",
            ex("Lt", &["1"]),
            err(r#"not a number "attr_1""#),
            vec![],
        ),
        ("test.none", ex("Exists", &[]), N, vec![]),
    ];
    for (feature, expr, want, names) in cases {
        let label = format!("{feature} {}", expr.nfd_string());
        let r = run_rule(&f, rule(vec![name_term(feature, expr)], vec![]));
        let e = &r.match_features[0];
        assert_eq!(e.key, None, "{label}");
        assert_eq!(e.outcome, want, "{label}");
        assert_eq!(r.is_match, want == M, "{label}");
        let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
        assert_eq!(e.observed, Observed::Names { matching: names }, "{label}");
    }
}

#[test]
fn match_name_lists_at_most_a_few_names() {
    let mut f = Features::default();
    f.insert_flags("cpu.cpuid", (0..100).map(|i| format!("F{i:03}")));
    let r = run_rule(
        &f,
        rule(
            vec![name_term("cpu.cpuid", ex("InRegexp", &["^F"]))],
            vec![],
        ),
    );
    assert!(r.is_match);
    let Observed::Names { matching } = &r.match_features[0].observed else {
        panic!()
    };
    assert_eq!(matching.len(), eval::MAX_OBSERVED_NAMES);
    assert_eq!(matching[0], "F000");
}

#[test]
fn repeated_match_names_give_what_each_alone_gives() {
    let mut f = fake();
    f.insert_flags("cpu.cpuid", ["AVX", "AVX512F", "FMA3", "SSE4"]);
    let by_name = |feature: &str, e: Expr| rule(vec![name_term(feature, e)], vec![]);
    let rules = vec![
        by_name("cpu.cpuid", ex("InRegexp", &["FMA"])),
        by_name("cpu.cpuid", ex("Gt", &["1"])),
        rule(
            vec![name_term("cpu.cpuid", exv("Gt", &["1"]))],
            vec![vec![name_term("cpu.cpuid", ex("InRegexp", &["FMA"]))]],
        ),
        by_name("cpu.cpuid", ex("InRegexp", &["FMA"])),
        by_name("CPU.cpuid", ex("InRegexp", &["^AVX"])),
        by_name("fake.flag", ex("InRegexp", &["FMA"])),
        by_name("cpu.cpuid", ex("InRegexp", &["^AVX"])),
        by_name("cpu.cpuid", ex("In", &["FMA"])),
    ];
    let together = run_rules(&f, rules.clone());
    assert!(together[0].is_match && !together[1].is_match && !together[2].is_match);
    assert_eq!(
        together[1].match_features[0].outcome,
        err(r#"not a number "AVX""#)
    );
    assert_eq!(
        together[2].match_features[0].outcome,
        err(r#"not a version "AVX""#)
    );
    assert!(together[2].match_any[0].is_match);
    assert!(together[4].is_match && !together[5].is_match && !together[7].is_match);
    for (n, (r, together)) in rules.into_iter().zip(together).enumerate() {
        let alone = RuleEvaluation {
            index: n,
            ..run_rule(&f, r)
        };
        assert_eq!(alone, together, "rule {n}");
    }
}

#[test]
fn match_name_on_rule_matched_sees_the_vars_so_far() {
    let f = fake();
    let backref = || rule(vec![name_term("rule.matched", ex("In", &["v1"]))], vec![]);
    let rules = run_rules(
        &f,
        vec![
            rule(vec![], vec![]),
            backref(),
            with_vars(rule(vec![], vec![]), &[("v1", "true")]),
            backref(),
        ],
    );
    assert!(!rules[1].is_match);
    assert!(rules[3].is_match);
}

#[test]
fn match_name_with_and_without_expressions() {
    let f = fake();
    // Expressions fail: matchName is not evaluated (NFD), reported NoMatch/NotEvaluated.
    let mut t = term("fake.attribute", vec![("attr_1", ex("In", &["false"]))]);
    t.match_name = Some(Box::new(ex("InRegexp", &["^attr"])));
    let r = run_rule(&f, rule(vec![t], vec![]));
    assert!(!r.is_match);
    assert_eq!(r.match_features.len(), 2);
    assert_eq!(r.match_features[0].outcome, N);
    assert_eq!(r.match_features[1].key, None);
    assert_eq!(r.match_features[1].outcome, N);
    assert_eq!(r.match_features[1].observed, Observed::NotEvaluated);
    // Expressions match: matchName decides.
    for (name_expr, want) in [
        (ex("InRegexp", &["^attr"]), true),
        (ex("In", &["nope"]), false),
    ] {
        let mut t = term("fake.attribute", vec![("attr_1", ex("In", &["true"]))]);
        t.match_name = Some(Box::new(name_expr));
        let r = run_rule(&f, rule(vec![t], vec![]));
        assert_eq!(r.is_match, want);
        assert_eq!(r.match_features[0].outcome, M);
        assert_eq!(r.match_features[1].outcome, if want { M } else { N });
        assert!(r.match_features.iter().all(|e| e.term_matched == want));
    }
}

#[test]
fn q1_every_term_is_evaluated() {
    let f = fake();
    let r = run_rule(
        &f,
        rule(
            vec![
                term("fake.attribute", vec![("attr_1", ex("In", &["false"]))]),
                name_term("fake.flag", ex("InRegexp", &["^flag"])),
            ],
            vec![],
        ),
    );
    assert!(!r.is_match);
    assert_eq!(r.match_features[0].outcome, N);
    assert!(!r.match_features[0].term_matched);
    assert_eq!(r.match_features[1].term, 1);
    assert_eq!(r.match_features[1].outcome, M);
    assert!(r.match_features[1].term_matched);
}

#[test]
fn fake_7_match_any_and_match_features() {
    let f = fake();
    let r = run_rule(
        &f,
        rule(
            vec![term(
                "fake.attribute",
                vec![
                    ("attr_1", ex("In", &["true"])),
                    ("attr_unknown", ex("In", &["true"])),
                ],
            )],
            vec![
                vec![term(
                    "fake.instance",
                    vec![("name", ex("In", &["instance_1"]))],
                )],
                vec![term(
                    "fake.instance",
                    vec![
                        ("id", ex("In", &["unknown"])),
                        ("name", ex("In", &["instance_unknown"])),
                    ],
                )],
            ],
        ),
    );
    assert!(!r.is_match, "a matchFeatures entry failed");
    let outcomes = |entries: &[ExprResult]| {
        entries
            .iter()
            .map(|e| (e.key.clone().unwrap_or_default(), e.outcome.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        outcomes(&r.match_features),
        [("attr_1".to_owned(), M), ("attr_unknown".to_owned(), N)]
    );
    assert_eq!(r.match_any.len(), 2);
    assert!(r.match_any[0].is_match);
    assert_eq!(outcomes(&r.match_any[0].entries), [("name".to_owned(), M)]);
    assert!(!r.match_any[1].is_match);
    assert_eq!(
        outcomes(&r.match_any[1].entries),
        [("id".to_owned(), N), ("name".to_owned(), N)]
    );
    assert!(r.vars.is_empty());
}

#[test]
fn match_any_alone_and_empty_rules() {
    let f = fake();
    let any = |elems: Vec<Vec<Term>>| run_rule(&f, rule(vec![], elems)).is_match;
    assert!(any(vec![
        vec![term("fake.flag", vec![("nope", ex("Exists", &[]))])],
        vec![term("fake.flag", vec![("flag_2", ex("Exists", &[]))])],
    ]));
    assert!(!any(vec![vec![term(
        "fake.flag",
        vec![("nope", ex("Exists", &[]))]
    )]]));
    // A matchAny element without terms matches.
    assert!(any(vec![
        vec![term("fake.flag", vec![("nope", ex("Exists", &[]))])],
        vec![]
    ]));
    // An empty rule matches.
    let r = run_rule(&f, rule(vec![], vec![]));
    assert!(r.is_match);
    assert!(r.match_features.is_empty() && r.match_any.is_empty());
}

#[test]
fn multi_type_features() {
    let mut f = Features::default();
    f.insert_flags("cpu.cpuid", ["k-1"]);
    f.insert_attributes("cpu.cpuid", [("a-1", "v")]);
    let t = |exprs: Vec<(&str, Expr)>| run_rule(&f, rule(vec![term("cpu.cpuid", exprs)], vec![]));
    // Union: a flag and an attribute in one expression set.
    let r = t(vec![("k-1", ex("Exists", &[])), ("a-1", ex("In", &["v"]))]);
    assert!(r.is_match);
    assert_eq!(
        r.match_features[0].observed,
        Observed::Element {
            flag: false,
            value: Some("v".to_owned())
        }
    );
    assert_eq!(
        r.match_features[1].observed,
        Observed::Element {
            flag: true,
            value: None
        }
    );
    // Q4 fixed: DoesNotExist on a key present among the attributes fails and is reported so.
    let r = t(vec![("a-1", ex("DoesNotExist", &[]))]);
    assert!(!r.is_match);
    assert_eq!(r.match_features[0].outcome, N);
    let r = t(vec![("k-1", ex("DoesNotExist", &[]))]);
    assert!(!r.is_match);
    assert_eq!(r.match_features[0].outcome, N);
    let r = t(vec![("x", ex("DoesNotExist", &[]))]);
    assert!(r.is_match);
    // NotIn on a key that is only a flag: false in both passes.
    assert!(!t(vec![("k-1", ex("NotIn", &["x"]))]).is_match);
    // matchName sees both kinds of names.
    for name in ["k-1", "a-1"] {
        let r = run_rule(
            &f,
            rule(vec![name_term("cpu.cpuid", ex("In", &[name]))], vec![]),
        );
        assert!(r.is_match, "{name}");
    }
    // Instances are evaluated separately: result = flag/attribute match || instance match.
    f.insert_instances("cpu.cpuid", vec![Instance::new([("i-1", "x")])]);
    let t = |exprs: Vec<(&str, Expr)>| run_rule(&f, rule(vec![term("cpu.cpuid", exprs)], vec![]));
    let r = t(vec![("i-1", ex("In", &["x"]))]);
    assert!(r.is_match);
    assert_eq!(r.match_features[0].outcome, M);
    assert!(!t(vec![("i-1", ex("In", &["y"]))]).is_match);
    assert!(t(vec![("a-1", ex("In", &["v"]))]).is_match);
}

#[test]
fn instance_union_semantics() {
    let f = fake();
    let r = run_rule(
        &f,
        rule(
            vec![term(
                "fake.instance",
                vec![
                    ("name", ex("In", &["instance_1"])),
                    ("attr_3", ex("In", &["100"])),
                ],
            )],
            vec![],
        ),
    );
    assert!(!r.is_match, "no single instance satisfies both");
    assert_eq!(r.match_features[0].key.as_deref(), Some("attr_3"));
    assert_eq!(r.match_features[0].outcome, M);
    assert_eq!(r.match_features[0].observed, on_instances(3, &[1]));
    assert_eq!(r.match_features[1].outcome, M);
    assert_eq!(r.match_features[1].observed, on_instances(3, &[0]));
    assert!(r.match_features.iter().all(|e| !e.term_matched));
    // Both on one instance.
    let r = run_rule(
        &f,
        rule(
            vec![term(
                "fake.instance",
                vec![
                    ("name", ex("In", &["instance_2"])),
                    ("attr_3", ex("In", &["100"])),
                ],
            )],
            vec![],
        ),
    );
    assert!(r.is_match);
}

#[test]
fn errors_are_reported_and_evaluation_continues() {
    let f = fake();
    let rules = run_rules(
        &f,
        vec![
            rule(
                vec![term(
                    "test.values",
                    vec![("str", ex("Gt", &["1"])), ("num", ex("Gt", &["1"]))],
                )],
                vec![],
            ),
            rule(
                vec![term("test.values", vec![("num", ex("Gt", &["1"]))])],
                vec![],
            ),
        ],
    );
    assert!(!rules[0].is_match);
    assert!(rules[0].has_errors());
    assert_eq!(rules[0].match_features[0].outcome, M);
    assert_eq!(
        rules[0].match_features[1].outcome,
        err(r#"not a number "foo""#)
    );
    assert!(rules[1].is_match);
    assert!(!rules[1].has_errors());
}

#[test]
fn mixed_case_feature_names_are_looked_up_lower_cased() {
    let f = fake();
    let r = run_rule(
        &f,
        rule(
            vec![term("Fake.Flag", vec![("flag_1", ex("Exists", &[]))])],
            vec![],
        ),
    );
    assert!(r.is_match);
    assert_eq!(r.match_features[0].outcome, M);
    // Element names are case-sensitive.
    let r = run_rule(
        &f,
        rule(
            vec![term("FAKE.FLAG", vec![("FLAG_1", ex("Exists", &[]))])],
            vec![],
        ),
    );
    assert!(!r.is_match);
}

#[test]
fn backrefs_via_rule_matched_across_sets() {
    let f = fake();
    let backref = || {
        rule(
            vec![term("rule.matched", vec![("v1", ex("IsTrue", &[]))])],
            vec![],
        )
    };
    let s = spec(vec![
        set(
            vec![
                // rule.matched does not exist before the first rule.
                rule(vec![bare_term("rule.matched")], vec![]),
                with_vars(
                    rule(
                        vec![term("fake.flag", vec![("flag_1", ex("Exists", &[]))])],
                        vec![],
                    ),
                    &[("v1", "true")],
                ),
                // It exists (empty or not) from then on.
                rule(vec![bare_term("rule.matched")], vec![]),
            ],
            "",
        ),
        set(vec![backref()], ""),
    ]);
    let e = evaluate(&s, &f, &Options::default());
    assert!(!e.sets[0].rules[0].is_match);
    assert!(e.sets[0].rules[1].is_match);
    assert_eq!(
        e.sets[0].rules[1].vars,
        BTreeMap::from([("v1".to_owned(), "true".to_owned())])
    );
    assert!(e.sets[0].rules[2].is_match);
    assert!(e.sets[1].rules[0].is_match);
    assert!(e.sets[1].is_match());
    assert!(!e.sets[0].is_match());
    // The features themselves are left alone.
    assert!(!f.attributes.contains_key("rule.matched"));
}

#[test]
fn snapshot_rule_matched_is_kept_and_merged() {
    let mut f = fake();
    f.insert_attributes("rule.matched", [("old", "true")]);
    let rules = run_rules(
        &f,
        vec![
            with_vars(rule(vec![], vec![]), &[("new", "true")]),
            rule(
                vec![term(
                    "rule.matched",
                    vec![("old", ex("IsTrue", &[])), ("new", ex("IsTrue", &[]))],
                )],
                vec![],
            ),
        ],
    );
    assert!(rules[1].is_match);
}

#[test]
fn q2_vars_of_a_failing_rule_are_not_visible() {
    let f = fake();
    let failing = with_vars(
        rule(
            vec![term("fake.flag", vec![("flag_1", ex("Exists", &[]))])],
            vec![vec![term("fake.flag", vec![("nope", ex("Exists", &[]))])]],
        ),
        &[("v2", "true")],
    );
    let rules = run_rules(
        &f,
        vec![
            failing,
            rule(
                vec![term("rule.matched", vec![("v2", ex("Exists", &[]))])],
                vec![],
            ),
        ],
    );
    assert!(!rules[0].is_match);
    assert!(rules[0].vars.is_empty());
    assert!(!rules[1].is_match);
    assert_eq!(
        rules[1].match_features[0].observed,
        Observed::Element {
            flag: false,
            value: None
        }
    );
}

#[test]
fn tags_select_sets() {
    let f = fake();
    let s = spec(vec![
        set(
            vec![with_vars(rule(vec![], vec![]), &[("a", "1")])],
            "skipped",
        ),
        set(
            vec![rule(
                vec![term("rule.matched", vec![("a", ex("Exists", &[]))])],
                vec![],
            )],
            "kept",
        ),
    ]);
    let e = evaluate(
        &s,
        &f,
        &Options {
            tags: vec!["kept".to_owned()],
            ..Options::default()
        },
    );
    assert_eq!(e.sets.len(), 1);
    assert_eq!(e.sets[0].index, 1);
    assert!(!e.sets[0].rules[0].is_match);
    let e = evaluate(&s, &f, &Options::default());
    assert_eq!(e.sets.len(), 2);
    assert!(e.sets[1].rules[0].is_match);
    // A set without rules matches.
    let e = evaluate(
        &spec(vec![Compatibility {
            rules: None,
            weight: 1,
            tag: String::new(),
            description: String::new(),
        }]),
        &f,
        &Options::default(),
    );
    assert!(e.sets[0].rules.is_empty() && e.sets[0].is_match());
}

fn kernel() -> Features {
    let mut f = Features::default();
    f.insert_flags("kernel.loadedmodule", ["vfio_pci", "ip_tables", "nvme"]);
    f.insert_attributes(
        "kernel.version",
        [("major", "6"), ("full", "6.8.0-45-generic")],
    );
    f.insert_instances(
        "pci.device",
        vec![
            Instance::new([("class", "0200"), ("vendor", "8086")]),
            Instance::new([("class", "0300"), ("vendor", "10de")]),
            Instance::new([("class", "0200"), ("vendor", "15b3")]),
        ],
    );
    f
}

#[test]
fn vars_template_over_matched_elements() {
    let f = kernel();
    let r = run_rule(
        &f,
        with_vars(
            with_template(
                rule(
                    vec![
                        name_term("Kernel.LoadedModule", ex("InRegexp", &["^(vfio|nvme)"])),
                        term(
                            "kernel.version",
                            vec![("major", ex("Ge", &["5"])), ("rc", ex("DoesNotExist", &[]))],
                        ),
                        term("pci.device", vec![("class", ex("In", &["0200"]))]),
                    ],
                    vec![],
                ),
                "{{ range .Kernel.LoadedModule }}mod-{{ .Name }}=yes\n{{ end }}\
                 {{ range .kernel.version }}kv-{{ .Name }}={{ .Value }}\n{{ end }}\
                 {{ range .pci.device }}nic-{{ .vendor }}=true\n{{ end }}\
                 static=template",
            ),
            &[("static", "wins")],
        ),
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert!(r.is_match);
    let want: BTreeMap<String, String> = [
        ("mod-vfio_pci", "yes"),
        ("mod-nvme", "yes"),
        ("kv-major", "6"),
        ("kv-rc", ""),
        ("nic-8086", "true"),
        ("nic-15b3", "true"),
        ("static", "wins"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(r.vars, want);
}

#[test]
fn vars_template_with_match_any_expands_per_matched_element() {
    let f = kernel();
    let r = run_rule(
        &f,
        with_template(
            rule(
                vec![term(
                    "kernel.loadedmodule",
                    vec![("nvme", ex("Exists", &[]))],
                )],
                vec![
                    vec![term("pci.device", vec![("vendor", ex("In", &["8086"]))])],
                    vec![term("pci.device", vec![("vendor", ex("In", &["nope"]))])],
                    vec![term("pci.device", vec![("vendor", ex("In", &["10de"]))])],
                ],
            ),
            "{{ range .pci.device }}v-{{ .vendor }}={{ .class }}\n{{ end }}\
             {{ range .kernel.loadedmodule }}m-{{ .Name }}=1{{ end }}",
        ),
    );
    // Each matched element expands alone; `.kernel` only exists for matchFeatures' data, so the
    // matchAny expansions fail on the missing key.
    assert!(r.is_match);
    assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
    assert!(r.errors[0].contains("kernel"), "{:?}", r.errors);
    assert!(r.vars.is_empty());

    let r = run_rule(
        &f,
        with_template(
            rule(
                vec![],
                vec![
                    vec![term("pci.device", vec![("vendor", ex("In", &["8086"]))])],
                    vec![term("pci.device", vec![("vendor", ex("In", &["nope"]))])],
                    vec![term("pci.device", vec![("vendor", ex("In", &["10de"]))])],
                ],
            ),
            "{{ range .pci.device }}v-{{ .vendor }}={{ .class }}\n{{ end }}",
        ),
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let want: BTreeMap<String, String> = [("v-8086", "0200"), ("v-10de", "0300")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(r.vars, want);
}

#[test]
fn vars_template_errors() {
    let f = kernel();
    let base = || {
        rule(
            vec![term(
                "kernel.loadedmodule",
                vec![("nvme", ex("Exists", &[]))],
            )],
            vec![],
        )
    };
    for (template, want) in [
        (
            "no equals sign",
            "missing value in expanded template line \"no equals sign\"",
        ),
        ("{{ .kernel.nosuch }}", "nosuch"),
        (
            "{{ range .kernel.loadedmodule }}{{ .Value }}{{ end }}",
            "Value",
        ),
    ] {
        let r = run_rule(
            &f,
            with_vars(with_template(base(), template), &[("a", "b")]),
        );
        assert!(r.is_match, "{template}");
        assert_eq!(r.errors.len(), 1, "{template}");
        assert!(r.errors[0].contains(want), "{template}: {:?}", r.errors);
        assert!(r.vars.is_empty(), "{template}");
        assert!(r.has_errors());
    }
    // A rule that does not match does not run its template.
    let mut r = base();
    r.match_features[0] = term("kernel.loadedmodule", vec![("nope", ex("Exists", &[]))]);
    let r = run_rule(&f, with_template(r, "broken"));
    assert!(!r.is_match);
    assert!(r.errors.is_empty());
    // Template vars reach rule.matched.
    let rules = run_rules(
        &f,
        vec![
            with_template(
                base(),
                "{{ range .kernel.loadedmodule }}has-{{ .Name }}=true{{ end }}",
            ),
            rule(
                vec![term("rule.matched", vec![("has-nvme", ex("IsTrue", &[]))])],
                vec![],
            ),
        ],
    );
    assert!(rules[1].is_match);
}

/// `kernel.loadedmodule` could not be read on this node.
fn unavailable_modules() -> Options {
    Options {
        unavailable: BTreeMap::from([(
            "kernel.loadedmodule".to_owned(),
            "the `kernel` source failed: cannot read `/proc/modules`".to_owned(),
        )]),
        ..Options::default()
    }
}

fn modules_term() -> Term {
    term("kernel.loadedmodule", vec![("vfio_pci", ex("Exists", &[]))])
}

#[test]
fn a_term_on_an_unavailable_feature_cannot_tell_but_reports_nfd_results() {
    let s = spec(vec![set(vec![rule(vec![modules_term()], vec![])], "")]);
    let e = evaluate(&s, &fake(), &unavailable_modules());
    let r = &e.sets[0].rules[0];
    // NFD's answer is unchanged: the term does not match and its expression is FAIL.
    assert!(!r.is_match);
    assert_eq!(r.match_features[0].outcome, N);
    assert_eq!(r.match_features[0].observed, Observed::FeatureMissing);
    // But the result is not certain, and says why.
    assert_eq!(r.truth, Truth::Unknown);
    assert_eq!(e.sets[0].truth(), Truth::Unknown);
    assert!(
        r.match_features[0]
            .unavailable
            .as_deref()
            .is_some_and(|w| w.contains("/proc/modules")),
        "{:?}",
        r.match_features[0]
    );
    // Without the unavailable feature the same failure is certain.
    let e = evaluate(&s, &fake(), &Options::default());
    assert_eq!(e.sets[0].rules[0].truth, Truth::False);
    assert_eq!(e.sets[0].rules[0].match_features[0].unavailable, None);
}

#[test]
fn a_certain_failure_in_the_same_set_decides_over_an_unavailable_feature() {
    let certain = rule(
        vec![term("fake.attribute", vec![("attr_1", ex("IsFalse", &[]))])],
        vec![],
    );
    let s = spec(vec![set(
        vec![rule(vec![modules_term()], vec![]), certain.clone()],
        "",
    )]);
    let e = evaluate(&s, &fake(), &unavailable_modules());
    assert_eq!(e.sets[0].rules[0].truth, Truth::Unknown);
    assert_eq!(e.sets[0].rules[1].truth, Truth::False);
    assert_eq!(e.sets[0].truth(), Truth::False);
    // In one term list too: the certain failure wins over the unknown term.
    let s = spec(vec![set(
        vec![rule(
            vec![modules_term(), certain.match_features[0].clone()],
            vec![],
        )],
        "",
    )]);
    let e = evaluate(&s, &fake(), &unavailable_modules());
    assert_eq!(e.sets[0].rules[0].truth, Truth::False);
}

#[test]
fn match_any_is_true_when_one_alternative_matches_whatever_the_unknown_one() {
    let ok = vec![term("fake.attribute", vec![("attr_1", ex("IsTrue", &[]))])];
    let bad = vec![term("fake.attribute", vec![("attr_1", ex("IsFalse", &[]))])];
    let unknown = vec![modules_term()];
    let cases = [
        (vec![unknown.clone(), ok], Truth::True),
        (vec![unknown.clone(), bad.clone()], Truth::Unknown),
        (vec![bad.clone(), bad], Truth::False),
    ];
    for (alternatives, want) in cases {
        let s = spec(vec![set(vec![rule(vec![], alternatives)], "")]);
        let e = evaluate(&s, &fake(), &unavailable_modules());
        assert_eq!(e.sets[0].rules[0].truth, want);
    }
}

#[test]
fn an_expression_that_cannot_be_evaluated_leaves_its_term_unknown_unless_another_fails() {
    // `Gt` on `foo` cannot be evaluated.
    let error = ("str", ex("Gt", &["1"]));
    let cases = [
        (vec![error.clone()], Truth::Unknown),
        (
            vec![error.clone(), ("num", ex("Gt", &["5"]))],
            Truth::Unknown,
        ),
        (
            vec![error.clone(), ("num", ex("Gt", &["50"]))],
            Truth::False,
        ),
    ];
    for (expressions, want) in cases {
        let r = run_rule(
            &fake(),
            rule(vec![term("test.values", expressions)], vec![]),
        );
        assert!(!r.is_match);
        assert!(r.has_errors());
        assert_eq!(r.truth, want, "{r:?}");
    }
    // The same on an instance feature: `attr_4` is `foobar` on the first instance.
    let cases = [
        (vec![("attr_4", ex("Gt", &["1"]))], Truth::Unknown),
        (
            vec![("attr_4", ex("Gt", &["1"])), ("attr_1", ex("IsFalse", &[]))],
            Truth::False,
        ),
    ];
    for (expressions, want) in cases {
        let r = run_rule(
            &fake(),
            rule(vec![term("fake.instance", expressions)], vec![]),
        );
        assert_eq!(r.truth, want, "{r:?}");
    }
}

#[test]
fn a_matched_rule_whose_template_failed_is_unknown() {
    let r = run_rule(
        &fake(),
        with_template(
            rule(
                vec![term("fake.attribute", vec![("attr_1", ex("IsTrue", &[]))])],
                vec![],
            ),
            "{{ .fake.nosuch }}",
        ),
    );
    assert!(r.is_match);
    assert_eq!(r.errors.len(), 1, "{r:?}");
    assert_eq!(r.truth, Truth::Unknown);
}

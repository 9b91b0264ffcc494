//! Linting a spec: every load-time check plus advice about what loads but cannot do what its
//! author meant (a feature no NFD source produces, `vfio-pci` for the loaded `vfio_pci`, a
//! term that can never match, duplicate rule names...).
//!
//! Pure: [`lint`] reads a [`Loaded`] spec and returns [`Finding`]s; [`check`] loads the bytes
//! first, turning every load error into an error finding. Each finding has a stable `code`;
//! the codes and what they mean are listed in [`Code`] (and docs/LINT.md).

mod names;
mod never;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use crate::spec::{
    Checked, Compiled, Expr, Expressions, LoadError, Loaded, Op, Path, Pos, Term, ValueType,
    nearest_name,
};
pub(crate) use crate::spec::{Code, Finding, Severity};
use names::{Elements, Feature, Kind};

/// Loads `bytes` and lints the spec: every load error (the loader goes on after each one), the
/// loader's warnings, and the advice about the parts that loaded.
#[cfg(test)]
pub(crate) fn check(bytes: &[u8]) -> Vec<Finding> {
    findings(&crate::spec::load_all(bytes))
}

/// [`check`] of a spec already loaded, for a caller that decides what becomes of it.
pub(crate) fn findings(checked: &Checked) -> Vec<Finding> {
    let mut findings: Vec<Finding> = checked.errors.iter().map(load_error).collect();
    if let Some(loaded) = &checked.loaded {
        // A part that holds an error was read without it: advice about the part (an empty
        // set, say) may only be about what is missing.
        let holds_error = |path: &str| {
            !path.is_empty()
                && checked.errors.iter().any(|e| {
                    e.path
                        .strip_prefix(path)
                        .is_some_and(|rest| rest.starts_with(['.', '[']))
                })
        };
        findings.extend(lint(loaded).into_iter().filter(|f| !holds_error(&f.path)));
    }
    // In document order; an error about the whole document (the loader stopped) last.
    findings.sort_by_key(|f| (f.line.is_none(), f.line, f.column));
    findings
}

/// A load error as a finding.
pub(crate) fn load_error(e: &LoadError) -> Finding {
    Finding {
        severity: Code::InvalidSpec.severity(),
        code: Code::InvalidSpec,
        path: e.path.clone(),
        line: e.pos.map(|p| p.line),
        column: e.pos.map(|p| p.col),
        message: e.message.clone(),
    }
}

/// Lints a loaded spec: its load warnings plus every advice check, in document order.
pub(crate) fn lint(loaded: &Loaded) -> Vec<Finding> {
    let mut linter = Linter {
        loaded,
        findings: Vec::new(),
    };
    linter.findings.extend(loaded.warnings.iter().cloned());
    linter.sets();
    let mut findings = linter.findings;
    findings.sort_by_key(|f| (f.line, f.column));
    // A term reused through a YAML alias is reported once per use; identical findings are not.
    findings.dedup();
    findings
}

struct Linter<'a> {
    loaded: &'a Loaded,
    findings: Vec<Finding>,
}

/// Expressions on one element of one conjunction, with the index of the term of each.
type ElementExprs<'a> = Vec<(usize, &'a Expr)>;

impl<'a> Linter<'a> {
    /// The position of `path`, or of the nearest enclosing path the loader recorded.
    fn position(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.loaded.positions.at(p) {
                return Some(pos);
            }
            let cut = if p.ends_with(']') {
                p.rfind('[')
            } else {
                p.rfind('.')
            };
            p = &p[..cut?];
        }
    }

    fn push(&mut self, code: Code, path: Path<'_>, message: String) {
        let path = path.render();
        let pos = self.position(&path);
        self.findings.push(Finding {
            severity: code.severity(),
            code,
            path,
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.col),
            message,
        });
    }

    fn line_of(&self, path: Path<'_>) -> String {
        let path = path.render();
        self.position(&path)
            .map_or_else(|| format!("`{path}`"), |p| format!("line {}", p.line))
    }

    fn sets(&mut self) {
        let sets = &self.loaded.spec.compatibilities;
        // The first set with each tag, and the first rule (set, rule) with each name: their
        // paths are written out only for a finding.
        let mut tags: HashMap<&str, usize> = HashMap::new();
        let mut rule_names: HashMap<&str, (usize, usize)> = HashMap::new();
        let root = Path::Root;
        let sets_path = root.field("compatibilities");
        for (i, set) in sets.iter().enumerate() {
            let path = sets_path.index(i);
            if set.description.is_empty() {
                self.push(Code::NoDescription,
                    path,
                    "the set has no `description`; add one saying what it requires (reports show it)".into(),
                );
            }
            if !set.tag.is_empty() {
                if let Some(&first) = tags.get(set.tag.as_str()) {
                    let first = sets_path.index(first);
                    self.push(Code::DuplicateTag,
                        path.field("tag"),
                        format!(
                            "tag `{}` is also the tag of `{first}`; `--tags {}` selects both sets: give each set its own tag",
                            set.tag, set.tag
                        ),
                    );
                } else {
                    tags.insert(&set.tag, i);
                }
            }
            let Some(rules) = &set.rules else {
                continue;
            };
            if rules.is_empty() {
                self.push(Code::EmptySet,
                    path.field("rules"),
                    "the set has no rules (`rules: []`), so it matches every node: add rules or remove the set".into(),
                );
            }
            let mut in_set: HashMap<&str, usize> = HashMap::new();
            let mut noted_across: Vec<&str> = Vec::new();
            let rules_path = path.field("rules");
            for (j, rule) in rules.iter().enumerate() {
                let rule_path = rules_path.index(j);
                let name = rule.name.as_str();
                if !name.is_empty() {
                    if let Some(&first) = in_set.get(name) {
                        let first = rules_path.index(first);
                        self.push(Code::DuplicateRule,
                            rule_path,
                            format!("rule name `{name}` is also used by `{first}` in this set; reports cannot tell them apart: rename one"),
                        );
                    } else {
                        in_set.insert(name, j);
                    }
                    match rule_names.get(name) {
                        Some(&(other, first)) if other != i => {
                            let other_set = sets_path.index(other);
                            let other_rules = other_set.field("rules");
                            let first = other_rules.index(first);
                            if !noted_across.contains(&name) {
                                noted_across.push(name);
                                self.push(Code::DuplicateRuleAcrossSets,
                                    rule_path,
                                    format!("rule name `{name}` is also used by `{first}` in another set"),
                                );
                            }
                        }
                        Some(_) => {}
                        None => {
                            rule_names.insert(name, (i, j));
                        }
                    }
                }
                if rule.match_features.is_empty() && rule.match_any.is_empty() {
                    self.push(Code::AlwaysMatches,
                        rule_path,
                        "the rule has neither `matchFeatures` nor `matchAny`, so it matches every node: add the features it needs".into(),
                    );
                }
                let any_path = rule_path.field("matchAny");
                for (a, elem) in rule.match_any.iter().enumerate() {
                    if !elem.match_features.is_empty() {
                        continue;
                    }
                    let elem_path = any_path.index(a);
                    let written = elem_path.render();
                    let loader_said = self
                        .loaded
                        .warnings
                        .iter()
                        .any(|w| w.code == Code::EmptyAny && w.path == written);
                    if !loader_said {
                        self.push(Code::EmptyAny,
                            elem_path,
                            "a matchAny element with no terms always matches, and so does the whole `matchAny`: add terms or remove it".into(),
                        );
                    }
                }
                if let Some(template) = &rule.vars_template {
                    for danger in template.dangers() {
                        self.push(Code::TemplateLimit, rule_path.field("varsTemplate"), danger);
                    }
                }
                self.conjunction(rule_path.field("matchFeatures"), &rule.match_features);
                for (a, elem) in rule.match_any.iter().enumerate() {
                    let elem_path = any_path.index(a);
                    self.conjunction(elem_path.field("matchFeatures"), &elem.match_features);
                }
            }
        }
        if sets.len() >= 2 && sets[0].weight > 0 && sets.iter().all(|s| s.weight == sets[0].weight)
        {
            self.push(Code::SameWeight,
                sets_path.index(0).field("weight"),
                format!(
                    "every set has weight {}: weights only rank the sets (the report names the highest-weight set that matches), so equal weights rank nothing; give the preferred set a higher weight",
                    sets[0].weight
                ),
            );
        }
    }

    /// Terms that must all match (a rule's `matchFeatures` or one `matchAny` element's).
    fn conjunction(&mut self, list_path: Path<'_>, terms: &'a [Term]) {
        // Expressions on one element of one flag or attribute feature, across terms: they
        // must hold together. Instance terms are independent (each may match another
        // instance), so they are checked one term at a time.
        let mut together: BTreeMap<(&'static str, &'a str), ElementExprs<'a>> = BTreeMap::new();
        for (k, term) in terms.iter().enumerate() {
            let term_path = list_path.index(k);
            let Some(feature) = self.term(term, term_path) else {
                continue;
            };
            let Some(exprs) = &term.match_expressions else {
                continue;
            };
            for (name, expr) in exprs {
                if feature.kind == Kind::Instance {
                    self.never(feature, name, list_path, &[(k, expr)]);
                } else {
                    together
                        .entry((feature.name, name.as_str()))
                        .or_default()
                        .push((k, expr));
                }
            }
        }
        self.split_version(list_path, &together);
        for ((feature, name), exprs) in together {
            if let Some(f) = names::find_feature(feature) {
                self.never(f, name, list_path, &exprs);
            }
        }
    }

    /// `major Ge 4` with `minor Ge 18` (in one conjunction) is checked number by number, so
    /// `5.4` fails (4 < 18): the version has to be compared whole.
    fn split_version(
        &mut self,
        list_path: Path<'_>,
        together: &BTreeMap<(&'static str, &'a str), ElementExprs<'a>>,
    ) {
        // (feature, major element, minor element, the whole version's element, when the
        // whole version may not read as one)
        const SPLIT: [(&str, &str, &str, &str, &str); 2] = [
            (
                "kernel.version",
                "major",
                "minor",
                "full",
                "; NFD cannot read RHEL's releases (`4.18.0-513.el8_9.x86_64`: the `_`) as versions, so for those use a `matchAny`: `major` above the bound, or `major` equal to it and `minor` within it",
            ),
            (
                "system.osrelease",
                "VERSION_ID.major",
                "VERSION_ID.minor",
                "VERSION_ID",
                "",
            ),
        ];
        let bounds = |exprs: Option<&ElementExprs<'a>>| {
            let (mut lower, mut upper) = (false, false);
            for (_, e) in exprs.into_iter().flatten() {
                if e.value_type != ValueType::Int {
                    continue;
                }
                lower |= matches!(e.op, Op::Gt | Op::Ge | Op::GtLt | Op::GeLe);
                upper |= matches!(e.op, Op::Lt | Op::Le | Op::GtLt | Op::GeLe);
            }
            (lower, upper)
        };
        for (feature, major, minor, whole, caveat) in SPLIT {
            let (major_lower, major_upper) = bounds(together.get(&(feature, major)));
            let minor_exprs = together.get(&(feature, minor));
            let (minor_lower, minor_upper) = bounds(minor_exprs);
            let Some((k, _)) = minor_exprs.and_then(|e| e.first()) else {
                continue;
            };
            let (op, example) = if major_lower && minor_lower {
                (
                    "Ge",
                    "a newer version with a smaller minor number fails: 5.4 against 4.18",
                )
            } else if major_upper && minor_upper {
                (
                    "Le",
                    "an older version with a larger minor number fails: 4.19 against 5.10",
                )
            } else {
                continue;
            };
            let term_path = list_path.index(*k);
            let exprs_path = term_path.field("matchExpressions");
            self.push(Code::SplitVersion,
                exprs_path.field(minor),
                format!(
                    "`{major}` and `{minor}` are bounded separately, so {example}; compare the whole version: `{whole}: {{op: {op}, value: [\"X.Y\"], type: version}}`{caveat}"
                ),
            );
        }
    }

    /// Checks one term; returns its feature when NFD produces it.
    fn term(&mut self, term: &Term, term_path: Path<'_>) -> Option<&'static Feature> {
        let key = term.feature_key();
        let feature_path = term_path.field("feature");
        if !key.contains('.') {
            // The loader already warns (`feature-name`).
            return None;
        }
        if key.starts_with("fake.") {
            self.push(Code::FakeFeature,
                feature_path,
                format!("`{}` comes from NFD's test-only `fake` source, which validate-node never runs: the term never matches on a real node", term.feature),
            );
            return None;
        }
        let Some(feature) = names::find_feature(&key) else {
            self.push(
                Code::UnknownFeature,
                feature_path,
                format!(
                    "no NFD source produces feature `{}`, so the term never matches{}",
                    term.feature,
                    feature_hint(&key)
                ),
            );
            return None;
        };
        if term.feature != feature.name {
            self.push(Code::FeatureCase,
                feature_path,
                format!(
                    "NFD looks features up lower-cased, so `{}` works, but NFD's own report shows its expressions as FAIL: write `{}`",
                    term.feature, feature.name
                ),
            );
        }
        if let Some(exprs) = &term.match_expressions {
            let exprs_path = term_path.field("matchExpressions");
            for (name, expr) in exprs {
                let path = exprs_path.field(name);
                self.element_name(feature, name, path);
                self.expression(feature, name, expr, path);
            }
            self.instance_negation(feature, exprs, term, term_path);
        }
        if let Some(expr) = &term.match_name {
            self.match_name(feature, expr, term_path.field("matchName"));
        }
        Some(feature)
    }

    /// An element name the feature never has.
    fn element_name(&mut self, f: &Feature, name: &str, path: Path<'_>) {
        match f.elements {
            Elements::Open => {}
            Elements::Fixed(known) => {
                if !known.contains(&name) {
                    let hint = name_hint(name, known);
                    let list = known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.push(
                        Code::UnknownElement,
                        path,
                        format!(
                            "`{}` has no element `{name}`{hint}; its elements are {list}",
                            f.name
                        ),
                    );
                }
            }
            Elements::CpuFlags => self.cpu_flag(name, path),
            Elements::Modules => self.module(f, name, path),
            Elements::Hugepages => {
                if !names::is_hugepages_element(name) {
                    let hint = names::hugepages_spelling(name)
                        .map(|s| format!(": write `{s}`"))
                        .unwrap_or_default();
                    self.push(Code::UnknownElement,
                        path,
                        format!("`memory.hugepages` has no element `{name}`; its elements are `enabled` and `hugepages-<size>` with the size as a Kubernetes quantity (`hugepages-2Mi`, `hugepages-1Gi`){hint}"),
                    );
                }
            }
            Elements::OsRelease => self.os_release(name, path),
            Elements::KernelConfig => {
                if let Some(symbol) = name.strip_prefix("CONFIG_") {
                    self.push(Code::UnknownElement,
                        path,
                        format!("NFD strips the `CONFIG_` prefix from kernel config keys, so `{name}` never exists: write `{symbol}`"),
                    );
                }
            }
        }
    }

    fn cpu_flag(&mut self, name: &str, path: Path<'_>) {
        // Most flags in a spec are right: one look-up instead of scans of the flag lists.
        let flags = &*names::CPU_FLAGS;
        if flags.is_known(name) {
            return;
        }
        let arm = &flags.arm;
        if let Some(nfd) = names::cpu_flag_spelling(name) {
            let lower = name.to_ascii_lowercase();
            let upper = name.to_ascii_uppercase();
            let message = if names::CPUINFO_ALIASES.iter().any(|(a, _)| *a == lower) {
                if arm.contains(&upper.as_str()) {
                    format!(
                        "`cpu.cpuid` flags are upper case: NFD reports `{nfd}` on x86 (for /proc/cpuinfo's `{name}`) and `{upper}` on arm64"
                    )
                } else {
                    format!(
                        "NFD does not use /proc/cpuinfo's flag names: `{name}` is `{nfd}` in `cpu.cpuid`; write `{nfd}`"
                    )
                }
            } else if upper == nfd {
                format!(
                    "`cpu.cpuid` flag names are case-sensitive: `{name}` never matches; write `{nfd}`"
                )
            } else {
                format!(
                    "NFD does not use /proc/cpuinfo's flag names: `{name}` is `{nfd}` in `cpu.cpuid`; write `{nfd}`"
                )
            };
            self.push(Code::CpuidFlag, path, message);
            return;
        }
        // Other architectures (ppc64le, s390x) have flags of their own; only a near miss of
        // a known name is worth a word.
        if let Some(k) = flags.nearest.nearest(name) {
            self.push(
                Code::UnknownElement,
                path,
                format!("`cpu.cpuid` has no flag `{name}` on x86 or arm64; did you mean `{k}`?"),
            );
        }
    }

    fn module(&mut self, f: &Feature, name: &str, path: Path<'_>) {
        if name.contains('-') {
            let fixed = name.replace('-', "_");
            let message = if f.name == "kernel.loadedmodule" {
                format!(
                    "the kernel lists loaded modules with `_` (/proc/modules says `{fixed}`, never `{name}`): write `{fixed}`"
                )
            } else {
                format!(
                    "loaded modules appear with `_` (`{fixed}`); only built-in modules keep `-` as modules.builtin spells them: write `{fixed}` unless `{name}` is built in"
                )
            };
            self.push(Code::ModuleDash, path, message);
        }
        if let Some(base) = name.strip_suffix(".ko") {
            self.push(
                Code::ModuleName,
                path,
                format!("module names have no `.ko` suffix: write `{base}`"),
            );
        } else if name.chars().any(|c| c.is_ascii_uppercase()) {
            let symbol = name.strip_prefix("CONFIG_").unwrap_or(name);
            self.push(Code::ModuleName,
                path,
                format!(
                    "module names are lower case; `{name}` looks like a kernel config symbol: test feature `kernel.config` element `{symbol}` (`y` built in, `m` module), or write `{}`",
                    symbol.to_ascii_lowercase()
                ),
            );
        }
    }

    fn os_release(&mut self, name: &str, path: Path<'_>) {
        if names::OS_RELEASE.contains(&name)
            || (!name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
        {
            return;
        }
        let message = if let Some(k) = names::OS_RELEASE
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name))
        {
            format!(
                "`system.osrelease` has no element `{name}`; os-release variables are case-sensitive: write `{k}`"
            )
        } else if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            format!(
                "`system.osrelease` has no element `{name}`; os-release variables are upper case: write `{}`",
                name.to_ascii_uppercase()
            )
        } else {
            format!(
                "`system.osrelease` has no element `{name}`; its elements are the os-release variables (`ID`, `VERSION_ID`, ...) plus `VERSION_ID.major` and `VERSION_ID.minor`"
            )
        };
        self.push(Code::UnknownElement, path, message);
    }

    /// Op and value checks of one expression.
    fn expression(&mut self, f: &Feature, name: &str, expr: &Expr, path: Path<'_>) {
        if is_flag(f, name) {
            if !matches!(expr.op, Op::Exists | Op::DoesNotExist | Op::Any) {
                let hint = if matches!(expr.op, Op::In | Op::InRegexp) {
                    "; to match names by pattern use `matchName` (e.g. `matchName: {op: InRegexp, value: [\"^AVX\"]}`)"
                } else {
                    ""
                };
                self.push(Code::FlagOp,
                    path,
                    format!(
                        "`{}` is a flag feature: `{name}` has no value, so `{}` is always false; use `Exists`{hint}",
                        f.name, expr.op
                    ),
                );
            }
            return;
        }
        if let Compiled::Versions(v) = &expr.compiled
            && v.len() == 2
            && ((expr.op == Op::GtLt && v[0] >= v[1]) || (expr.op == Op::GeLe && v[0] > v[1]))
        {
            self.push(Code::BoundsOrder,
                path,
                format!(
                    "with `type: version` NFD does not check the bounds: nothing lies {} `{}` and `{}`, so the expression never matches; write the lower bound first",
                    if expr.op == Op::GtLt { "strictly between" } else { "between" },
                    expr.value[0],
                    expr.value[1]
                ),
            );
        }
        let strings = matches!(expr.op, Op::In | Op::NotIn);
        let integer_order = expr.op.is_ordering() && expr.value_type == ValueType::Int;
        if let Some(width) = hex_width(f.name, name) {
            if strings {
                for (i, v) in expr.value.iter().enumerate() {
                    if let Some(fix) = hex_fix(f.name, name, v, width) {
                        self.push(Code::ValueFormat, path.field("value").index(i), fix);
                    }
                }
            }
            if integer_order {
                self.push(Code::NotANumber,
                    path,
                    format!("`{name}` is hexadecimal (`10de`, `0b40`): `{}` reads it as a decimal integer, so NFD fails on values with letters and compares the others wrongly; use `In` or `InRegexp`", expr.op),
                );
            }
        }
        if f.booleans.contains(&name) {
            if strings {
                for (i, v) in expr.value.iter().enumerate() {
                    let lower = v.to_ascii_lowercase();
                    let op = match lower.as_str() {
                        "true" | "yes" | "y" | "on" | "1" if v != "true" => "IsTrue",
                        "false" | "no" | "n" | "off" | "0" if v != "false" => "IsFalse",
                        _ => continue,
                    };
                    self.push(
                        Code::ValueFormat,
                        path.field("value").index(i),
                        format!("`{name}` is `true` or `false`, never `{v}`: use `{{op: {op}}}`"),
                    );
                }
            }
            if integer_order {
                self.push(Code::NotANumber,
                    path,
                    format!("`{name}` is `true` or `false`, not a number: `{}` fails on it; use `IsTrue` or `IsFalse`", expr.op),
                );
            }
        }
        match (f.name, name) {
            ("cpu.model", "vendor_id") => {
                if strings {
                    self.vendor_values(expr, path);
                }
                if integer_order {
                    self.not_a_number(name, expr, path, "a vendor name (`Intel`, `AMD`)");
                }
            }
            ("cpu.model", "hypervisor") => {
                if strings {
                    for (i, v) in expr.value.iter().enumerate() {
                        let lower = v.to_ascii_lowercase();
                        if *v != lower && names::HYPERVISORS.contains(&lower.as_str()) {
                            self.push(Code::ValueFormat,
                                path.field("value").index(i),
                                format!("NFD reports hypervisors in lower case: `{v}` never matches; write `{lower}`"),
                            );
                        }
                    }
                }
                if integer_order {
                    self.not_a_number(name, expr, path, "a hypervisor name (`kvm`, `none`)");
                }
            }
            ("kernel.version", "full") if integer_order => {
                self.not_a_number(name, expr, path, "the whole release (`6.8.0-45-generic`); compare `major` and `minor`, or add `type: version`");
            }
            ("system.osrelease", "VERSION_ID") if integer_order => {
                self.not_a_number(
                    name,
                    expr,
                    path,
                    "a version such as `22.04`; add `type: version`, or compare `VERSION_ID.major`",
                );
            }
            ("kernel.config", _) => self.config_value(name, expr, path),
            _ => {}
        }
    }

    fn not_a_number(&mut self, name: &str, expr: &Expr, path: Path<'_>, what: &str) {
        self.push(Code::NotANumber,
            path,
            format!(
                "`{}` compares integers, but `{name}` is {what}: NFD fails with `not a number` where it is not one",
                expr.op
            ),
        );
    }

    fn vendor_values(&mut self, expr: &Expr, path: Path<'_>) {
        for (i, v) in expr.value.iter().enumerate() {
            if names::CPU_VENDORS.contains(&v.as_str()) {
                continue;
            }
            let fix = names::CPU_VENDOR_STRINGS
                .iter()
                .find(|(raw, _)| raw.eq_ignore_ascii_case(v))
                .map(|(raw, nfd)| format!("NFD reports klauspost/cpuid's vendor name, not the CPUID string `{raw}`: write `{nfd}`"))
                .or_else(|| {
                    names::CPU_VENDORS
                        .iter()
                        .find(|k| k.eq_ignore_ascii_case(v))
                        .map(|k| format!("vendor names are case-sensitive: `{v}` never matches; write `{k}`"))
                });
            if let Some(fix) = fix {
                self.push(Code::ValueFormat, path.field("value").index(i), fix);
            }
        }
    }

    fn config_value(&mut self, name: &str, expr: &Expr, path: Path<'_>) {
        let fix =
            "use `{op: In, value: [\"y\"]}` (built in) or `[\"y\", \"m\"]` (built in or module)";
        if matches!(expr.op, Op::IsTrue | Op::IsFalse) {
            self.push(Code::ConfigValue,
                path,
                format!("kernel config values are `y`, `m` or the option's value, never `true`/`false`, so `{}` on `{name}` never matches: {fix}", expr.op),
            );
        } else if matches!(expr.op, Op::In | Op::NotIn) {
            for (i, v) in expr.value.iter().enumerate() {
                if v == "true" || v == "false" {
                    self.push(Code::ConfigValue,
                        path.field("value").index(i),
                        format!("kernel config values are `y`, `m` or the option's value, never `{v}`: {fix}"),
                    );
                }
            }
        }
    }

    fn match_name(&mut self, f: &Feature, expr: &Expr, path: Path<'_>) {
        if expr.op == Op::DoesNotExist {
            self.push(Code::NeverMatches,
                path,
                format!("`matchName` with `DoesNotExist` never matches (it is tested against the names `{}` has); to require that an element is absent write `matchExpressions: {{NAME: {{op: DoesNotExist}}}}`", f.name),
            );
        }
        if expr.op == Op::In {
            for (i, v) in expr.value.iter().enumerate() {
                self.element_name(f, v, path.field("value").index(i));
            }
        }
    }

    /// A term on an instance feature with only negative expressions.
    fn instance_negation(
        &mut self,
        f: &Feature,
        exprs: &Expressions,
        term: &Term,
        term_path: Path<'_>,
    ) {
        let only_negative = !exprs.is_empty()
            && term.match_name.is_none()
            && exprs
                .values()
                .all(|e| matches!(e.op, Op::NotIn | Op::DoesNotExist));
        let never = exprs
            .iter()
            .any(|(k, e)| e.op == Op::DoesNotExist && f.always.contains(&k.as_str()));
        if f.kind == Kind::Instance && only_negative && !never {
            self.push(Code::InstanceNegation,
                term_path,
                format!("a term on `{}` matches when *some* instance satisfies it, so this matches any node with one instance that is not excluded; NFD cannot express \"no such instance\"", f.name),
            );
        }
    }

    /// Expressions on one element that no state of it can satisfy together.
    fn never(&mut self, f: &Feature, name: &str, list_path: Path<'_>, exprs: &[(usize, &Expr)]) {
        let flag = is_flag(f, name);
        // Ops on flags other than Exists/DoesNotExist are reported as `flag-op`.
        let kept = |e: &Expr| !flag || matches!(e.op, Op::Exists | Op::DoesNotExist | Op::Any);
        let only: Vec<&Expr> = exprs.iter().map(|(_, e)| *e).filter(|e| kept(e)).collect();
        if only.is_empty() {
            return;
        }
        let always = f.always.contains(&name);
        if never::satisfiable(flag, !always, &only) {
            return;
        }
        let exprs: Vec<&(usize, &Expr)> = exprs.iter().filter(|(_, e)| kept(e)).collect();
        let Some((last_term, last)) = exprs.last() else {
            return;
        };
        let message = if exprs.len() == 1 && last.op == Op::DoesNotExist && always {
            let what = if f.kind == Kind::Instance {
                format!(
                    "every `{}` instance has `{name}`, so no instance satisfies `DoesNotExist`",
                    f.name
                )
            } else {
                format!(
                    "`{}` always has `{name}`, so `DoesNotExist` never matches",
                    f.name
                )
            };
            format!("{what}: the term never matches")
        } else if exprs.len() == 1 {
            format!(
                "no value of `{name}` satisfies {}: the term never matches",
                last.text()
            )
        } else {
            let all = exprs
                .iter()
                .map(|(k, e)| {
                    let term_path = list_path.index(*k);
                    let exprs_path = term_path.field("matchExpressions");
                    format!("{} ({})", e.text(), self.line_of(exprs_path.field(name)))
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "no `{name}` of `{}` satisfies all of {all}: these terms never match together",
                f.name
            )
        };
        let term_path = list_path.index(*last_term);
        let exprs_path = term_path.field("matchExpressions");
        self.push(Code::NeverMatches, exprs_path.field(name), message);
    }
}

/// Whether the element is a flag (no value) in this feature.
fn is_flag(f: &Feature, name: &str) -> bool {
    f.kind == Kind::Flag || (f.kind == Kind::FlagsAndAttribute && name != names::CPUID_ATTRIBUTE)
}

/// How many hex digits the element's values have, for hexadecimal ids.
fn hex_width(feature: &str, name: &str) -> Option<usize> {
    match (feature, name) {
        ("pci.device", "vendor" | "device" | "class" | "subsystem_vendor" | "subsystem_device")
        | ("usb.device", "vendor" | "device") => Some(4),
        ("usb.device", "class") => Some(2),
        _ => None,
    }
}

/// What is wrong with a hexadecimal id value, if anything.
fn hex_fix(feature: &str, name: &str, v: &str, width: usize) -> Option<String> {
    let is_hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    if v.len() == width && is_hex(v) && !v.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let digits = v
        .strip_prefix("0x")
        .or_else(|| v.strip_prefix("0X"))
        .unwrap_or(v);
    let lower = digits.to_ascii_lowercase();
    let source = if feature == "pci.device" {
        "sysfs"
    } else {
        "sysfs (usb)"
    };
    if feature == "pci.device" && name == "class" && lower.len() == 6 && is_hex(&lower) {
        return Some(format!(
            "NFD keeps the first 4 hex digits of the PCI class (class and subclass, without the programming interface), so `{v}` never matches: write `{}`",
            &lower[..4]
        ));
    }
    if lower.len() == width && is_hex(&lower) {
        let why = if digits.len() == v.len() {
            format!("{source} hex is lower case")
        } else {
            format!("NFD strips `0x` and {source} hex is lower case")
        };
        return Some(format!("{why}, so `{v}` never matches: write `{lower}`"));
    }
    let hint = if name == "class" && is_hex(&lower) && lower.len() < width {
        format!("; to match a class prefix use `{{op: InRegexp, value: [\"^{lower}\"]}}`")
    } else {
        String::new()
    };
    Some(format!(
        "`{feature}` `{name}` values are {width} lower-case hex digits, so `{v}` never matches{hint}"
    ))
}

/// "; did you mean ..." for an unknown feature key (lower case).
fn feature_hint(key: &str) -> String {
    if key == "kernel.module" || key == "kernel.modules" {
        return "; did you mean `kernel.loadedmodule` (loaded modules) or `kernel.enabledmodule` (loaded or built in)?".into();
    }
    if let Some(name) = nearest_name(key, names::FEATURES.iter().map(|f| f.name)) {
        return format!("; did you mean `{name}`?");
    }
    let suffix = key.split_once('.').map_or(key, |(_, s)| s);
    let same: Vec<String> = names::FEATURES
        .iter()
        .filter(|f| f.name.split_once('.').is_some_and(|(_, s)| s == suffix))
        .map(|f| format!("`{}`", f.name))
        .collect();
    if same.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", same.join(" or "))
    }
}

/// " (did you mean ...)" for an unknown element of a fixed set.
fn name_hint(name: &str, known: &[&str]) -> String {
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        return format!(" (names are case-sensitive: did you mean `{k}`?)");
    }
    let near = nearest_name(name, known.iter().copied()).or_else(|| {
        known
            .iter()
            .find(|k| name.len() >= 3 && k.starts_with(name))
            .copied()
    });
    near.map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

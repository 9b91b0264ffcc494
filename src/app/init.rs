//! `init`: a commented starter spec made from one node's features, which that node satisfies.
//!
//! The spec pins what the node has (CPU vendor and level, kernel major version, loaded GPU and
//! NIC drivers, GPU and NIC PCI devices by vendor), with a comment on each rule saying how to
//! widen it: a starter is meant to be cut down to what the image needs. Every value is written
//! as a double-quoted YAML string, so YAML 1.1 (NFD) and YAML 1.2 (nfd-compat) read it alike
//! and the loader has nothing to warn about.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::{Result, bail};

use super::discover::{discover, node_name, read_snapshot, select_node};
use super::settings::{Init, InitNodes};
use super::{ExitStatus, Printer, write_output};
use crate::features::Features;
use crate::sources::{Wanted, pci};
use crate::spec::VERSION;

/// Where comments are wrapped.
const WIDTH: usize = 92;
/// GPU kernel drivers, as `/proc/modules` names them.
const GPU_DRIVERS: [&str; 6] = ["nvidia", "amdgpu", "i915", "xe", "nouveau", "radeon"];
/// NIC kernel drivers, as `/proc/modules` names them.
const NIC_DRIVERS: [&str; 15] = [
    "mlx5_core",
    "mlx4_core",
    "ice",
    "i40e",
    "ixgbe",
    "igb",
    "igc",
    "e1000e",
    "bnxt_en",
    "tg3",
    "qede",
    "sfc",
    "ena",
    "gve",
    "idpf",
];
/// PCI classes of GPUs: VGA, 3D and other display controllers.
const GPU_CLASSES: [&str; 3] = ["0300", "0302", "0380"];
/// PCI classes of NICs: Ethernet and InfiniBand controllers.
const NIC_CLASSES: [&str; 2] = ["0200", "0207"];
/// Vendors whose display controllers are BMC consoles, not GPUs (ASPEED, Matrox).
const BMC_VGA_VENDORS: [&str; 2] = ["1a03", "102b"];
/// CPU flags worth pointing out when the CPU has them.
const NOTABLE_X86_FLAGS: [&str; 10] = [
    "AESNI",
    "AMXBF16",
    "AVX512BF16",
    "AVX512F",
    "AVX512FP16",
    "AVX512VNNI",
    "AVXVNNI",
    "SHA",
    "VAES",
    "VPCLMULQDQ",
];

/// arm64 CPU flags worth pointing out when the CPU has them.
const NOTABLE_ARM_FLAGS: [&str; 14] = [
    "AES", "ASIMDDP", "ASIMDHP", "ASIMDRDM", "ATOMICS", "BF16", "CRC32", "I8MM", "LRCPC", "PMULL",
    "SHA2", "SHA512", "SVE", "SVE2",
];

/// `init`.
pub(crate) fn run(args: &Init, printer: Printer) -> Result<ExitStatus> {
    if let Some(path) = &args.path {
        if !args.force && path.exists() {
            bail!("`{}` exists; pass --force to replace it", path.display());
        }
    }
    let (features, node) = match &args.nodes {
        InitNodes::Snapshot { path, node } => {
            let node = match node.as_deref() {
                Some(wanted) => {
                    crate::fleet::find_node(path, wanted).map_err(anyhow::Error::msg)?
                }
                None => select_node(read_snapshot(path)?, path, None)?,
            };
            (node.features, node.name)
        }
        InitNodes::Discover(host) => {
            let found = discover(host, Wanted::All)?;
            printer.warn_all(&found.warnings);
            (found.features, node_name(&host.host_root))
        }
    };
    let text = starter_spec(&features, node.as_deref());
    write_output(printer, args.path.as_deref(), text.as_bytes())?;
    Ok(ExitStatus::Success)
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.escape_default()))
}

/// An element name as a mapping key: plain when no YAML reader can take it for anything but
/// a string, quoted otherwise.
fn key(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain { s.to_owned() } else { quoted(s) }
}

/// `{op: OP, value: ["a", "b"]}`, or `{op: OP}` without values.
fn expr(op: &str, values: &[&str]) -> String {
    if values.is_empty() {
        format!("{{op: {op}}}")
    } else {
        let list: Vec<String> = values.iter().map(|v| quoted(v)).collect();
        format!("{{op: {op}, value: [{}]}}", list.join(", "))
    }
}

/// The spec's text: one rule at a time, each preceded by its comment.
struct Writer {
    text: String,
    rules: usize,
}

impl Writer {
    /// Comment lines: each line of `text` wrapped at [`WIDTH`] columns (leading spaces kept).
    fn comment(&mut self, indent: &str, text: &str) {
        for line in text.lines() {
            let lead = &line[..line.len() - line.trim_start().len()];
            let mut current = format!("{indent}#");
            let mut first = true;
            for word in words(line) {
                if !first && current.len() + 1 + word.len() > WIDTH {
                    let _ = writeln!(self.text, "{current}");
                    current = format!("{indent}#");
                    first = true;
                }
                current.push(' ');
                if first {
                    current.push_str(lead);
                }
                current.push_str(&word);
                first = false;
            }
            let _ = writeln!(self.text, "{current}");
        }
    }

    /// A rule with one term per `(feature, [(element, expression)])`.
    fn rule(&mut self, name: &str, terms: &[(&str, Vec<(String, String)>)]) {
        self.rules += 1;
        let _ = writeln!(self.text, "  - name: {}", quoted(name));
        let _ = writeln!(self.text, "    matchFeatures:");
        for (feature, exprs) in terms {
            let _ = writeln!(self.text, "    - feature: {feature}");
            let _ = writeln!(self.text, "      matchExpressions:");
            for (element, e) in exprs {
                let _ = writeln!(self.text, "        {}: {e}", key(element));
            }
        }
    }
}

/// The words of `line`, a `code span` with spaces counting as one word (never wrapped).
fn words(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for word in line.split_whitespace() {
        match out.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(word.to_owned()),
        }
        if word.matches('`').count() % 2 == 1 {
            open = !open;
        }
    }
    out
}

/// The starter spec for a node with `features`.
pub(crate) fn starter_spec(features: &Features, node: Option<&str>) -> String {
    let flags = |k: &str| -> BTreeSet<String> {
        features
            .flags
            .get(k)
            .and_then(|s| s.elements.clone())
            .unwrap_or_default()
    };
    let attrs = |k: &str| -> BTreeMap<String, String> {
        features
            .attributes
            .get(k)
            .and_then(|s| s.elements.clone())
            .unwrap_or_default()
    };
    let cpuid = flags("cpu.cpuid");
    let model = attrs("cpu.model");
    let kernel = attrs("kernel.version");
    let modules = flags("kernel.loadedmodule");
    let pci: Vec<BTreeMap<String, String>> = features
        .instances
        .get("pci.device")
        .and_then(|s| s.elements.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.attributes.to_map())
        .collect();

    // A node name with a line break (CR included) would end the comment it is quoted in.
    let node = node.map(crate::report::text::escape);
    let node = node.as_deref();
    let node_text = node.map_or_else(|| "this node".to_owned(), |n| format!("node `{n}`"));
    let mut summary: Vec<String> = Vec::new();
    let mut w = Writer {
        text: String::new(),
        rules: 0,
    };
    let mut body = Writer {
        text: String::new(),
        rules: 0,
    };

    // CPU vendor.
    let vendor = model.get("vendor_id").filter(|v| !v.is_empty());
    match vendor {
        Some(vendor) => {
            summary.push(format!("{vendor} CPU"));
            body.comment(
                "  ",
                "The CPU vendor (`cpu.model` `vendor_id`: Intel, AMD, ARM, ...). Widen: list more vendors, e.g. [\"Intel\", \"AMD\"], or delete the rule.",
            );
            body.rule(
                "CPU vendor",
                &[(
                    "cpu.model",
                    vec![("vendor_id".to_owned(), expr("In", &[vendor]))],
                )],
            );
        }
        None => body.comment("  ", "No CPU vendor was found (`cpu.model` `vendor_id`)."),
    }

    // CPU level: the highest x86-64 level, or arm64's Advanced SIMD.
    let level = ["X86_64_V4", "X86_64_V3", "X86_64_V2", "X86_64_V1"]
        .into_iter()
        .find(|l| cpuid.contains(*l));
    if let Some(level) = level {
        let n = level.trim_start_matches("X86_64_V");
        summary.push(format!("x86-64-v{n}"));
        let notable: Vec<&str> = NOTABLE_X86_FLAGS
            .into_iter()
            .filter(|f| cpuid.contains(*f))
            .collect();
        let mut text = format!(
            "The x86-64 micro-architecture level (`cpu.cpuid`): this CPU is x86-64-v{n}. Widen: require the level the image is built for (`-march=x86-64-v3` needs X86_64_V3; most distribution packages need X86_64_V1 or X86_64_V2), or delete the rule."
        );
        if !notable.is_empty() {
            text.push_str(&format!(
                " This CPU also has {}: add those the image uses as `NAME: {{op: Exists}}`.",
                notable.join(", ")
            ));
        }
        body.comment("  ", &text);
        body.rule(
            "x86-64 level",
            &[("cpu.cpuid", vec![(level.to_owned(), expr("Exists", &[]))])],
        );
    } else if cpuid.contains("ASIMD") {
        summary.push("arm64 Advanced SIMD".to_owned());
        let others: Vec<&str> = cpuid
            .iter()
            .map(String::as_str)
            .filter(|f| NOTABLE_ARM_FLAGS.contains(f))
            .collect();
        let mut text = "Advanced SIMD (NEON) on arm64 (`cpu.cpuid` ASIMD).".to_owned();
        if !others.is_empty() {
            text.push_str(&format!(
                " This CPU also has {}: add those the image is built for (ATOMICS for `-march=armv8.1-a`, ...) as `NAME: {{op: Exists}}`.",
                others.join(", ")
            ));
        }
        body.comment("  ", &text);
        body.rule(
            "arm64 SIMD",
            &[("cpu.cpuid", vec![("ASIMD".to_owned(), expr("Exists", &[]))])],
        );
    } else {
        body.comment(
            "  ",
            "No x86-64 level or arm64 ASIMD flag was found (`cpu.cpuid`).",
        );
    }

    // Kernel major version.
    match kernel.get("major").filter(|m| !m.is_empty()) {
        Some(major) => {
            let full = kernel.get("full").map_or("", String::as_str);
            summary.push(format!("kernel {major} or newer"));
            body.comment(
                "  ",
                &format!(
                    "The kernel's major version (`kernel.version`): this node runs {full}. Widen: lower it. For a bound like \"5.15 or newer\", use a `matchAny` with two alternatives: `major: {{op: Gt, value: [\"5\"]}}`, and `major: {{op: In, value: [\"5\"]}}` with `minor: {{op: Ge, value: [\"15\"]}}`."
                ),
            );
            body.rule(
                "kernel version",
                &[(
                    "kernel.version",
                    vec![("major".to_owned(), expr("Ge", &[major]))],
                )],
            );
        }
        None => body.comment("  ", "No kernel version was found (`kernel.version`)."),
    }

    // Loaded drivers.
    let drivers_comment = "Names are as /proc/modules lists them (`vfio_pci`, not `vfio-pci`). A driver built into the kernel is not in `kernel.loadedmodule`; use `kernel.enabledmodule` to accept built-in drivers too.";
    for (what, known) in [("GPU", &GPU_DRIVERS[..]), ("NIC", &NIC_DRIVERS[..])] {
        let loaded: Vec<&str> = known
            .iter()
            .copied()
            .filter(|m| modules.contains(*m))
            .collect();
        if loaded.is_empty() {
            body.comment(
                "  ",
                &format!("No {what} driver was found loaded (`kernel.loadedmodule`)."),
            );
            continue;
        }
        body.comment(
            "  ",
            &format!(
                "{what} drivers loaded on this node (`kernel.loadedmodule`). Widen: delete the drivers the image does not use. {drivers_comment}"
            ),
        );
        body.rule(
            &format!("{what} driver"),
            &[(
                "kernel.loadedmodule",
                loaded
                    .iter()
                    .map(|m| ((*m).to_owned(), expr("Exists", &[])))
                    .collect(),
            )],
        );
    }

    // PCI devices by vendor.
    for (what, classes, skip) in [
        ("GPU", &GPU_CLASSES[..], &BMC_VGA_VENDORS[..]),
        ("NIC", &NIC_CLASSES[..], &[][..]),
    ] {
        let mut by_vendor: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for dev in &pci {
            let (Some(class), Some(vendor)) = (dev.get("class"), dev.get("vendor")) else {
                continue;
            };
            if classes.contains(&class.as_str()) && !skip.contains(&vendor.as_str()) {
                by_vendor.entry(vendor).or_default().insert(class);
            }
        }
        if by_vendor.is_empty() {
            body.comment(
                "  ",
                &format!(
                    "No {what} was found among the PCI devices (`pci.device` class {}).",
                    classes.join(", ")
                ),
            );
            continue;
        }
        let names: Vec<String> = by_vendor
            .keys()
            .map(|v| match pci::vendor_name(v) {
                Some(name) => format!("{v} ({name})"),
                None => (*v).to_owned(),
            })
            .collect();
        summary.push(format!(
            "{what} from {}",
            by_vendor.keys().copied().collect::<Vec<_>>().join(", ")
        ));
        body.comment(
            "  ",
            &format!(
                "A {what} PCI device (`pci.device`) from each vendor this node has: {}. One device must match all expressions of a term. Widen: list more vendors in `vendor`, or all {what} classes in `class` ({}).",
                names.join(", "),
                classes.join(", ")
            ),
        );
        let terms: Vec<(&str, Vec<(String, String)>)> = by_vendor
            .iter()
            .map(|(vendor, found)| {
                let found: Vec<&str> = found.iter().copied().collect();
                (
                    "pci.device",
                    vec![
                        ("class".to_owned(), expr("In", &found)),
                        ("vendor".to_owned(), expr("In", &[vendor])),
                    ],
                )
            })
            .collect();
        body.rule(what, &terms);
    }

    let description = if summary.is_empty() {
        format!("Nodes like {}", node.unwrap_or("this one"))
    } else {
        format!(
            "Nodes like {}: {}",
            node.unwrap_or("this one"),
            summary.join(", ")
        )
    };
    w.comment(
        "",
        &format!(
            "A starter image-compatibility spec made by `nfd-compat init` from the features of {node_text}, which satisfies it as written. Check a node with\n  nfd-compat validate-node --spec FILE\nEach rule pins something this node has. Delete the rules the image does not need and widen the others as their comments say, so that the spec asks for what the image needs rather than for everything this node has. Keep values quoted (\"0300\"): NFD reads YAML 1.1, where an unquoted 0300 is the number 192."
        ),
    );
    let _ = writeln!(w.text, "version: {}", quoted(VERSION));
    let _ = writeln!(w.text, "compatibilities:");
    let _ = writeln!(w.text, "- description: {}", quoted(&description));
    w.comment(
        "  ",
        "Select this set with `validate-node --tags host`. Add sets for other kinds of nodes; the report names the matching set with the highest `weight`.",
    );
    let _ = writeln!(w.text, "  tag: {}", quoted("host"));
    let _ = writeln!(w.text, "  weight: 1");
    if body.rules == 0 {
        let _ = writeln!(w.text, "  rules: []");
        w.text.push_str(&body.text);
    } else {
        let _ = writeln!(w.text, "  rules:");
        w.text.push_str(&body.text);
    }
    w.text
}

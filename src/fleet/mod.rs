//! Fleet validation: many nodes' snapshots against one spec, streamed and in parallel.
//!
//! [`validate`] reads the inputs (files, directories of snapshots, NodeFeatureLists, stdin) on
//! one thread, which splits JSON lists into items without parsing them ([`split`]); worker
//! threads (one per core) parse each item, evaluate the spec on it and reduce the result to a
//! [`NodeResult`] (verdict, best set, [`cause`]s; the full report only when asked). Results are
//! handed to the caller in input order. Memory holds a bounded queue of raw items and the
//! results not yet handed over; nothing grows with the fleet but what the caller keeps.
//!
//! YAML snapshots are read whole (JSON is the streaming path). A fault in one input is one
//! node's error and the other inputs are still read; a truncated list reports the items before
//! the fault and one error for the rest. Two nodes with the same name: the later one is an
//! error.

pub mod cause;
pub mod generate;
pub mod render;
pub mod split;
pub mod typed;

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::features::Features;
use crate::report::{self, BestSet, ImageInfo, Origin, Report, Verdict};
use crate::rules::{self, Evaluation};
use crate::snapshot::{self, MAX_SNAPSHOT_BYTES, NFD_API_VERSION, NodeSnapshot};
use crate::spec::Spec;
use typed::Needed;

/// What to validate against and what to keep.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    /// The spec.
    pub spec: &'a Spec,
    /// Where the spec came from (for reports).
    pub spec_name: &'a str,
    /// The image the spec came from, if any (for reports).
    pub image: Option<&'a ImageInfo>,
    /// Which sets to evaluate.
    pub options: &'a rules::Options,
    /// Build the full [`Report`] of every node (else only of the first, see `keep_first`).
    pub reports: bool,
    /// Keep the first node's snapshot and report (for the single-node path).
    pub keep_first: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

/// The outcome for one node.
#[derive(Debug, Clone)]
pub struct NodeResult {
    /// The node's name: from the snapshot, else from the file name.
    pub name: String,
    /// Where its features came from (`snapshot `nodes.json``).
    pub source: String,
    /// The verdict (`Error` for a node that could not be read).
    pub verdict: Verdict,
    /// The best matching set.
    pub best_set: Option<BestSet>,
    /// Why it is incompatible (see [`cause`]); empty when compatible.
    pub causes: Vec<String>,
    /// Why it could not be read or evaluated.
    pub errors: Vec<String>,
    /// The full report, when asked for.
    pub report: Option<Report>,
    /// The snapshot, for the first node when `keep_first`.
    pub snapshot: Option<NodeSnapshot>,
}

impl NodeResult {
    fn failed(name: String, source: String, message: String) -> Self {
        NodeResult {
            name,
            source,
            verdict: Verdict::Error,
            best_set: None,
            causes: Vec::new(),
            errors: vec![message],
            report: None,
            snapshot: None,
        }
    }
}

/// Where a node came from.
#[derive(Debug)]
struct Label {
    /// `snapshot `path`` or `snapshot <stdin>`.
    source: String,
    /// The name given to unnamed nodes: the file name without extension, `<stdin>`.
    stem: String,
}

/// Hands one node to the workers: its input, list index, name (for a failed input) and
/// payload; false when the receiver is gone.
type SendFn<'s> = dyn FnMut(&Arc<Label>, Option<usize>, Option<String>, Payload) -> bool + 's;

enum Payload {
    /// An item of a JSON list, not yet parsed.
    Raw(Vec<u8>),
    /// A node read whole.
    Parsed(NodeSnapshot),
    /// An input that could not be read.
    Failed(String),
}

struct Work {
    seq: usize,
    label: Arc<Label>,
    /// The index in a list (`None` for a document of one node).
    index: Option<usize>,
    /// The name for a failed input.
    name: Option<String>,
    payload: Payload,
}

/// Validates every node of `inputs`, calling `sink` with each result in input order.
///
/// An error from `sink` stops the run and is returned.
pub fn validate(
    inputs: &[PathBuf],
    settings: &Settings<'_>,
    sink: &mut dyn FnMut(NodeResult) -> io::Result<()>,
) -> io::Result<()> {
    let threads = if settings.threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        settings.threads
    };
    let (work_tx, work_rx) = mpsc::sync_channel::<Work>(threads * 4);
    let (done_tx, done_rx) = mpsc::sync_channel::<(usize, NodeResult)>(threads * 4);
    let work_rx = Arc::new(Mutex::new(work_rx));
    // Full reports explain with every feature; rows need only what the spec reads.
    let all = Needed::all();
    let needed = if settings.reports {
        Needed::all()
    } else {
        Needed::of(settings.spec, settings.options)
    };
    let (needed, all) = (&needed, &all);
    std::thread::scope(|scope| {
        scope.spawn(move || read_inputs(inputs, &work_tx));
        for _ in 0..threads {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            scope.spawn(move || {
                loop {
                    let work = {
                        let Ok(guard) = rx.lock() else { return };
                        match guard.recv() {
                            Ok(w) => w,
                            Err(_) => return,
                        }
                    };
                    let seq = work.seq;
                    if tx
                        .send((seq, process(work, settings, needed, all)))
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
        drop(work_rx);
        drop(done_tx);
        let mut pending: BTreeMap<usize, NodeResult> = BTreeMap::new();
        let mut next = 0usize;
        let mut names: HashSet<String> = HashSet::new();
        for (seq, result) in &done_rx {
            pending.insert(seq, result);
            while let Some(mut r) = pending.remove(&next) {
                next += 1;
                if !names.insert(r.name.clone()) {
                    let message = format!(
                        "{}: duplicate node name `{}`: an earlier snapshot has the same name",
                        r.source, r.name
                    );
                    r = NodeResult::failed(r.name, r.source, message);
                }
                sink(r)?;
            }
        }
        Ok(())
    })
}

fn read_inputs(inputs: &[PathBuf], tx: &mpsc::SyncSender<Work>) {
    let mut seq = 0usize;
    let mut send = |label: &Arc<Label>, index, name, payload| {
        let work = Work {
            seq,
            label: Arc::clone(label),
            index,
            name,
            payload,
        };
        seq += 1;
        tx.send(work).is_ok()
    };
    for path in inputs {
        if path != Path::new("-") && path.is_dir() {
            let label = Arc::new(Label {
                source: format!("directory {}", shown(path)),
                stem: path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
            });
            let mut files: Vec<PathBuf> = match fs::read_dir(path) {
                Ok(entries) => entries
                    .filter_map(Result::ok)
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .map(|e| e.path())
                    .filter(|p| p.is_file())
                    .collect(),
                Err(e) => {
                    let message = format!("cannot read directory {}: {e}", shown(path));
                    if !send(&label, None, None, Payload::Failed(message)) {
                        return;
                    }
                    continue;
                }
            };
            if files.is_empty() {
                let message = format!("directory {} holds no snapshot files", shown(path));
                if !send(&label, None, None, Payload::Failed(message)) {
                    return;
                }
            }
            files.sort();
            for file in files {
                if !read_file(&file, &mut send) {
                    return;
                }
            }
        } else if !read_file(path, &mut send) {
            return;
        }
    }
}

/// How a path is shown in messages.
fn shown(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        format!("`{}`", path.display())
    }
}

/// Reads one snapshot file, sending its nodes; false when the receiver is gone.
fn read_file(path: &Path, send: &mut SendFn<'_>) -> bool {
    let stdin = path == Path::new("-");
    let label = Arc::new(Label {
        source: format!("snapshot {}", shown(path)),
        stem: if stdin {
            "<stdin>".to_owned()
        } else {
            path.file_stem()
                .unwrap_or(path.as_os_str())
                .to_string_lossy()
                .into_owned()
        },
    });
    let fail = |send: &mut SendFn<'_>, name: Option<String>, message: String| {
        send(&label, None, name, Payload::Failed(message))
    };
    let reader: Box<dyn Read> = if stdin {
        Box::new(io::stdin().lock())
    } else {
        match fs::File::open(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                return fail(send, None, format!("cannot open {}: {e}", label.source));
            }
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let first = loop {
        match reader.fill_buf() {
            Ok([]) => break None,
            Ok(buf) => {
                let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
                if n < buf.len() {
                    break Some(buf[n]);
                }
                let len = buf.len();
                reader.consume(len);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return fail(send, None, format!("cannot read {}: {e}", label.source)),
        }
    };
    if first != Some(b'{') {
        // YAML, an empty input or not an object: read whole, as a single snapshot is.
        let mut bytes = Vec::new();
        let limit = u64::try_from(MAX_SNAPSHOT_BYTES).unwrap_or(u64::MAX);
        if let Err(e) = reader.take(limit + 1).read_to_end(&mut bytes) {
            return fail(send, None, format!("cannot read {}: {e}", label.source));
        }
        return send_parsed(&label, &bytes, send);
    }
    let mut ok = true;
    let result = split::split(reader, MAX_SNAPSHOT_BYTES, |index, bytes| {
        ok = ok && send(&label, Some(index), None, Payload::Raw(bytes));
    });
    if !ok {
        return false;
    }
    match result {
        Ok(split::Split::Document(doc)) => send_parsed(&label, &doc, send),
        Ok(split::Split::List { items, rest }) => {
            let source = &label.source;
            let message = match serde_json::from_slice::<Value>(&rest) {
                Err(e) => Some(format!("{source}: not valid JSON: {e}")),
                Ok(v) => match v.get("kind").and_then(Value::as_str) {
                    Some("NodeFeatureList" | "List") if items == 0 => {
                        Some(format!("{source} holds no NodeFeature objects"))
                    }
                    Some("NodeFeatureList" | "List") => None,
                    Some(other) => Some(format!(
                        "{source}: `kind`: unsupported kind `{other}`: expected a Features object, a NodeFeature or a NodeFeatureList"
                    )),
                    None => Some(format!("{source}: a list without `kind`")),
                },
            };
            match message {
                Some(m) => fail(send, None, m),
                None => true,
            }
        }
        Err(e @ split::SplitError::Truncated { index }) => fail(
            send,
            Some(format!("{}[{index}..]", label.stem)),
            format!("{}: {e}", label.source),
        ),
        Err(e) => fail(send, None, format!("{}: {e}", label.source)),
    }
}

fn send_parsed(label: &Arc<Label>, bytes: &[u8], send: &mut SendFn<'_>) -> bool {
    match snapshot::parse(bytes) {
        Ok(nodes) if nodes.is_empty() => send(
            label,
            None,
            None,
            Payload::Failed(format!("{} holds no NodeFeature objects", label.source)),
        ),
        Ok(nodes) => {
            let single = nodes.len() == 1;
            for (i, node) in nodes.into_iter().enumerate() {
                let index = (!single).then_some(i);
                if !send(label, index, None, Payload::Parsed(node)) {
                    return false;
                }
            }
            true
        }
        Err(e) => send(
            label,
            None,
            None,
            Payload::Failed(format!("{}: {e}", label.source)),
        ),
    }
}

fn parse_item(bytes: &[u8], index: usize, needed: &Needed) -> Result<NodeSnapshot, String> {
    if let Ok(item) = typed::parse(bytes, needed)
        && item.api_version.as_deref() == Some(NFD_API_VERSION)
        && item.kind.as_deref().is_none_or(|k| k == "NodeFeature")
        && let Some(features) = item.features
    {
        return Ok(NodeSnapshot {
            name: item.name,
            features,
        });
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("`items[{index}]`: not valid JSON: {e}"))?;
    snapshot::node_feature(&value, &format!("items[{index}]")).map_err(|e| e.to_string())
}

fn process(work: Work, settings: &Settings<'_>, needed: &Needed, all: &Needed) -> NodeResult {
    let label = &work.label;
    let unnamed = || match work.index {
        Some(i) => format!("{}[{i}]", label.stem),
        None => label.stem.clone(),
    };
    let node = match work.payload {
        Payload::Failed(message) => {
            return NodeResult::failed(
                work.name.unwrap_or_else(unnamed),
                label.source.clone(),
                message,
            );
        }
        Payload::Parsed(node) => node,
        Payload::Raw(bytes) => {
            // The first node may become the single-node report, whose hints read everything.
            let needed = if settings.keep_first && work.seq == 0 {
                all
            } else {
                needed
            };
            match parse_item(&bytes, work.index.unwrap_or_default(), needed) {
                Ok(node) => node,
                Err(e) => {
                    return NodeResult::failed(
                        unnamed(),
                        label.source.clone(),
                        format!("{}: {e}", label.source),
                    );
                }
            }
        }
    };
    let name = node.name.clone().unwrap_or_else(unnamed);
    let keep = settings.keep_first && work.seq == 0;
    let mut result = evaluate_node(&node.features, name, label.source.clone(), settings, false);
    if keep {
        result.snapshot = Some(node);
    }
    result
}

/// Evaluates one node and reduces the outcome to a [`NodeResult`].
pub fn evaluate_node(
    features: &Features,
    name: String,
    source: String,
    settings: &Settings<'_>,
    full_report: bool,
) -> NodeResult {
    let spec = settings.spec;
    let evaluation = rules::evaluate(spec, features, settings.options);
    let has_errors = evaluation.sets.is_empty()
        || evaluation
            .sets
            .iter()
            .flat_map(|s| &s.rules)
            .any(rules::RuleEvaluation::has_errors);
    let report = (full_report || settings.reports || has_errors).then(|| {
        let origin = Origin {
            spec: settings.spec_name.to_owned(),
            features: source.clone(),
            node: Some(name.clone()),
            image: settings.image.cloned(),
        };
        report::build(spec, &evaluation, features, origin, Vec::new())
    });
    let best_set = best_set(spec, &evaluation);
    let causes = if best_set.is_none() {
        cause::best_failing(spec, &evaluation)
            .map(|n| cause::causes(spec, &evaluation, n))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let (verdict, errors) = match &report {
        Some(r) if has_errors => (r.verdict, r.errors.clone()),
        _ if best_set.is_some() => (Verdict::Compatible, Vec::new()),
        _ => (Verdict::Incompatible, Vec::new()),
    };
    NodeResult {
        name,
        source,
        verdict,
        best_set,
        causes,
        errors,
        report: report.filter(|_| full_report || settings.reports),
        snapshot: None,
    }
}

/// The best matching set, chosen as [`report::build`] does (highest weight, first on ties).
fn best_set(spec: &Spec, evaluation: &Evaluation) -> Option<BestSet> {
    let mut best: Option<(usize, &crate::spec::Compatibility)> = None;
    for (n, set_eval) in evaluation.sets.iter().enumerate() {
        if !set_eval.is_match() {
            continue;
        }
        let set = &spec.compatibilities[set_eval.index];
        match best {
            Some((_, b)) if b.weight >= set.weight => {}
            _ => best = Some((n, set)),
        }
    }
    best.map(|(n, set)| BestSet {
        number: n + 1,
        weight: set.weight,
        tag: set.tag.clone(),
        description: set.description.clone(),
    })
}

//! Fleet validation: many nodes' snapshots against one spec, streamed and in parallel.
//!
//! [`validate`] reads the inputs (files, directories of snapshots, NodeFeatureLists, stdin) on
//! one thread, which splits JSON lists into items without parsing them ([`split`]); worker
//! threads (one per core) parse each item, evaluate the spec on it and reduce the result to a
//! [`NodeResult`] (verdict, best set, [`cause`]s; the full report only when asked). Results are
//! handed to the caller in input order. Memory holds a bounded queue of raw items and the
//! results not yet handed over; nothing grows with the fleet but what the caller keeps. Small
//! inputs (one NodeFeature, a few nodes) are read and evaluated on the calling thread.
//!
//! YAML snapshots are read whole (JSON is the streaming path). A fault in one input is one
//! node's error and the other inputs are still read; a truncated list reports the items before
//! the fault and one error for the rest. Two nodes with the same name: the later one is an
//! error.

pub(crate) mod cause;
pub(crate) mod fast;
#[cfg(test)]
#[path = "../../tests/support/generate.rs"]
mod generate;
pub(crate) mod render;
pub(crate) mod split;
pub(crate) mod typed;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
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
pub(crate) struct Settings<'a> {
    /// The spec.
    pub(crate) spec: &'a Spec,
    /// Where the spec came from (for reports).
    pub(crate) spec_name: &'a str,
    /// The image the spec came from, if any (for reports).
    pub(crate) image: Option<&'a ImageInfo>,
    /// Which sets to evaluate.
    pub(crate) options: &'a rules::Options,
    /// Build the full [`Report`] of every node (else only of the first, see `keep_first`).
    pub(crate) reports: bool,
    /// Keep the first node's snapshot and evaluation (for the single-node path).
    pub(crate) keep_first: bool,
    /// Worker threads: 0 to choose (none for small files, else one per core); 1 runs
    /// everything on the calling thread.
    pub(crate) threads: usize,
}

/// The outcome for one node.
#[derive(Debug, Clone)]
pub(crate) struct NodeResult {
    /// The node's name: from the snapshot, else from the file name.
    pub(crate) name: String,
    /// Where its features came from.
    pub(crate) source: Source,
    /// The verdict (`Error` for a node that could not be read).
    pub(crate) verdict: Verdict,
    /// The best matching set.
    pub(crate) best_set: Option<BestSet>,
    /// Why it is incompatible (see [`cause`]); empty when compatible.
    pub(crate) causes: Vec<String>,
    /// Why it could not be read or evaluated.
    pub(crate) errors: Vec<String>,
    /// The full report, when asked for.
    pub(crate) report: Option<Report>,
    /// The first node's snapshot and evaluation when `keep_first`: if it turns out to be the
    /// only node, its report is built from them without evaluating it again.
    pub(crate) kept: Option<Box<Kept>>,
}

/// The first node, kept whole for the single-node report.
#[derive(Debug, Clone)]
pub(crate) struct Kept {
    /// The node as read.
    pub(crate) snapshot: NodeSnapshot,
    /// The spec evaluated on it.
    pub(crate) evaluation: Evaluation,
}

impl NodeResult {
    fn failed(name: String, source: Source, message: String) -> Self {
        NodeResult {
            name,
            source,
            verdict: Verdict::Error,
            best_set: None,
            causes: Vec::new(),
            errors: vec![message],
            report: None,
            kept: None,
        }
    }
}

/// Where a node came from: a snapshot file or a directory of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    /// `snapshot` or `directory`.
    pub(crate) kind: &'static str,
    /// The path as given; `None` for stdin.
    pub(crate) path: Option<String>,
}

impl Source {
    fn of(kind: &'static str, path: &Path) -> Self {
        Source {
            kind,
            path: (path != Path::new("-")).then(|| path.display().to_string()),
        }
    }

    /// As data (reports): `snapshot nodes.json`, `snapshot <stdin>`.
    pub(crate) fn plain(&self) -> String {
        format!(
            "{} {}",
            self.kind,
            self.path.as_deref().unwrap_or("<stdin>")
        )
    }
}

/// As messages say it: `snapshot `nodes.json``, `snapshot <stdin>`.
impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{} `{path}`", self.kind),
            None => write!(f, "{} <stdin>", self.kind),
        }
    }
}

/// Where a node came from.
#[derive(Debug)]
struct Label {
    /// The file or directory.
    source: Source,
    /// The name given to unnamed nodes: the file name without extension, `<stdin>`.
    stem: String,
}

/// Hands one node to the workers: its input, list index, name (for a failed input) and
/// payload; false when the receiver is gone.
type SendFn<'s> =
    dyn FnMut(&Arc<Label>, Option<usize>, Option<String>, Payload<&[u8]>) -> bool + 's;

/// A node as read: `R` is the raw item (lent by the reader, or where it lies in a [`Batch`]).
enum Payload<R> {
    /// An item of a JSON list, not yet parsed.
    Raw(R),
    /// A node read whole.
    Parsed(NodeSnapshot),
    /// An input that could not be read.
    Failed(String),
}

struct Work<R> {
    seq: usize,
    label: Arc<Label>,
    /// The index in a list (`None` for a document of one node).
    index: Option<usize>,
    /// The name for a failed input.
    name: Option<String>,
    payload: Payload<R>,
}

impl<R> Work<R> {
    /// The same node, its raw item given by `f`.
    fn map_raw<S>(self, f: impl FnOnce(R) -> S) -> Work<S> {
        Work {
            seq: self.seq,
            label: self.label,
            index: self.index,
            name: self.name,
            payload: match self.payload {
                Payload::Raw(raw) => Payload::Raw(f(raw)),
                Payload::Parsed(node) => Payload::Parsed(node),
                Payload::Failed(message) => Payload::Failed(message),
            },
        }
    }
}

/// Inputs up to this size are validated on the calling thread: starting threads would cost
/// more than they save (a NodeFeature is tens of kilobytes).
const INLINE_BYTES: u64 = 1 << 20;

/// Validates every node of `inputs`, calling `sink` with each result in input order.
///
/// An error from `sink` stops the run and is returned.
pub(crate) fn validate(
    inputs: &[PathBuf],
    settings: &Settings<'_>,
    sink: &mut dyn FnMut(NodeResult) -> io::Result<()>,
) -> io::Result<()> {
    run(inputs, settings, INLINE_BYTES, sink).map(|_workers| ())
}

/// [`validate`], with inputs of at most `inline_bytes` (and `threads` 0) validated on the
/// calling thread. Returns how many worker threads ran (0: the calling thread did it all).
fn run(
    inputs: &[PathBuf],
    settings: &Settings<'_>,
    inline_bytes: u64,
    sink: &mut dyn FnMut(NodeResult) -> io::Result<()>,
) -> io::Result<usize> {
    // Full reports explain with every feature; rows need only what the spec reads.
    let all = Needed::all();
    let needed = if settings.reports {
        Needed::all()
    } else {
        Needed::of(settings.spec, settings.options)
    };
    let mut ordered = Ordered {
        names: HashMap::new(),
        sources: Vec::new(),
        sink,
    };
    let threads = match settings.threads {
        0 if small(inputs, inline_bytes) => 1,
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        n => n,
    };
    if threads == 1 {
        let mut failure = None;
        read_inputs(inputs, &mut |work| {
            let result = process(work, settings, &needed, &all);
            match ordered.deliver(result) {
                Ok(()) => true,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            }
        });
        return failure.map_or(Ok(0), Err);
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<Batch>(threads * 2);
    // Batches come back emptied, to be filled again: the reader allocates nothing per node
    // (items allocated on one thread and freed on another kept mimalloc's freed pages
    // resident, +12 MB of peak RSS on a 10,000-node fleet).
    let (free_tx, free_rx) = mpsc::channel::<Batch>();
    let (done_tx, done_rx) = mpsc::sync_channel::<Vec<(usize, NodeResult)>>(threads * 2);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (needed, all) = (&needed, &all);
    let started = AtomicUsize::new(0);
    let started = &started;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut batch = Batch::default();
            read_inputs(inputs, &mut |work| {
                batch.push(work) || {
                    let next = free_rx.try_recv().unwrap_or_default();
                    work_tx.send(std::mem::replace(&mut batch, next)).is_ok()
                }
            });
            if !batch.works.is_empty() {
                // The receiver gone, there is no one to tell.
                let _ = work_tx.send(batch);
            }
        });
        for _ in 0..threads {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            let free_tx = free_tx.clone();
            scope.spawn(move || {
                started.fetch_add(1, Ordering::Relaxed);
                loop {
                    let mut batch = {
                        let Ok(guard) = rx.lock() else { return };
                        match guard.recv() {
                            Ok(w) => w,
                            Err(_) => return,
                        }
                    };
                    let Batch { works, bytes } = &mut batch;
                    let results = works
                        .drain(..)
                        .map(|work| {
                            let work = work.map_raw(|range| bytes.get(range).unwrap_or_default());
                            (work.seq, process(work, settings, needed, all))
                        })
                        .collect();
                    bytes.clear();
                    // The reader gone, the batch is not needed.
                    let _ = free_tx.send(batch);
                    if tx.send(results).is_err() {
                        return;
                    }
                }
            });
        }
        drop(work_rx);
        drop(done_tx);
        drop(free_tx);
        // Owned here, so that an early return (the sink failed) drops the receiver before
        // the scope joins the workers: a worker blocked on a full channel then wakes up with
        // an error instead of waiting forever.
        let done_rx = done_rx;
        let mut pending: BTreeMap<usize, NodeResult> = BTreeMap::new();
        let mut next = 0usize;
        for (seq, result) in done_rx.iter().flatten() {
            pending.insert(seq, result);
            while let Some(r) = pending.remove(&next) {
                next += 1;
                ordered.deliver(r)?;
            }
        }
        io::Result::Ok(())
    })?;
    Ok(started.load(Ordering::Relaxed))
}

/// Nodes on their way to a worker, handed over together: one hand-over per node cost a
/// tenth of the CPU time of a large fleet in thread wake-ups. The raw items are copied into
/// one buffer, kept from one use of the batch to the next.
#[derive(Default)]
struct Batch {
    works: Vec<Work<std::ops::Range<usize>>>,
    /// The raw items of `works`, one after another.
    bytes: Vec<u8>,
}

impl Batch {
    /// A batch is full at this many nodes...
    const NODES: usize = 64;
    /// ...or at this many bytes of raw items (a few typical NodeFeatures).
    const BYTES: usize = 256 << 10;

    /// Adds `work`: whether there is room for more (else hand it over).
    fn push(&mut self, work: Work<&[u8]>) -> bool {
        let bytes = &mut self.bytes;
        self.works.push(work.map_raw(|raw| {
            let start = bytes.len();
            bytes.extend_from_slice(raw);
            start..bytes.len()
        }));
        self.works.len() < Self::NODES && self.bytes.len() < Self::BYTES
    }
}

/// Whether `inputs` are regular files of at most `limit` bytes together.
fn small(inputs: &[PathBuf], limit: u64) -> bool {
    let mut total = 0u64;
    for path in inputs {
        if path == Path::new("-") {
            return false;
        }
        match fs::metadata(path) {
            Ok(m) if m.is_file() => total = total.saturating_add(m.len()),
            // Directories are read in parallel; a missing file is reported by the reader.
            Ok(_) => return false,
            Err(_) => {}
        }
    }
    total <= limit
}

/// Hands results to the caller in input order, turning a repeated node name into an error.
struct Ordered<'s> {
    /// Node names seen (a 128-bit hash of each: a million nodes cost about 30 MB, not the
    /// names themselves), with where each came from (an index into `sources`).
    names: HashMap<u128, u32>,
    /// The distinct sources, in order of first use.
    sources: Vec<Source>,
    sink: &'s mut dyn FnMut(NodeResult) -> io::Result<()>,
}

/// A 128-bit hash of a node name: two SipHashes with different keys, so that telling two
/// names apart by it is as good as comparing them.
fn name_hash(name: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut a = std::hash::DefaultHasher::new();
    name.hash(&mut a);
    let mut b = std::hash::DefaultHasher::new();
    (0x9e37_79b9_7f4a_7c15_u64, name).hash(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

impl Ordered<'_> {
    fn deliver(&mut self, mut r: NodeResult) -> io::Result<()> {
        match self.names.entry(name_hash(&r.name)) {
            Entry::Occupied(first) => {
                let first = usize::try_from(*first.get()).unwrap_or(usize::MAX);
                let message = format!(
                    "{}: duplicate node name `{}`: already given by {} (give each node once)",
                    r.source,
                    r.name,
                    self.sources
                        .get(first)
                        .map_or_else(|| "an earlier input".to_owned(), Source::to_string)
                );
                r = NodeResult::failed(r.name, r.source, message);
            }
            Entry::Vacant(slot) => {
                if self.sources.last() != Some(&r.source) {
                    self.sources.push(r.source.clone());
                }
                slot.insert(u32::try_from(self.sources.len() - 1).unwrap_or(u32::MAX));
            }
        }
        (self.sink)(r)
    }
}

/// Reads every input, handing each node to `submit` in order until it returns false.
fn read_inputs(inputs: &[PathBuf], submit: &mut dyn FnMut(Work<&[u8]>) -> bool) {
    let mut seq = 0usize;
    let mut send = |label: &Arc<Label>, index, name, payload: Payload<&[u8]>| {
        let work = Work {
            seq,
            label: Arc::clone(label),
            index,
            name,
            payload,
        };
        seq += 1;
        submit(work)
    };
    for path in inputs {
        if path != Path::new("-") && path.is_dir() {
            let label = Arc::new(Label {
                source: Source::of("directory", path),
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

/// At most this many node names are listed when `--node` names none of a list's nodes.
const MAX_LISTED_NAMES: usize = 20;

/// Reads the node named `wanted` from one snapshot file (`-` for stdin), as [`validate`] reads
/// it: a JSON list is streamed item by item, each item read only as far as its name, and only
/// the node wanted is parsed whole; reading stops there. The error names the input and, when
/// no node has that name, the names it has.
pub(crate) fn find_node(path: &Path, wanted: &str) -> Result<NodeSnapshot, String> {
    let names_only = Needed::default();
    let everything = Needed::all();
    let mut found = None;
    let mut failure = None;
    let mut names: Vec<String> = Vec::new();
    let mut source = String::new();
    let mut send =
        |label: &Arc<Label>, index: Option<usize>, _: Option<String>, payload: Payload<&[u8]>| {
            source = label.source.to_string();
            let unnamed =
                || index.map_or_else(|| label.stem.clone(), |i| format!("{}[{i}]", label.stem));
            let node = match payload {
                Payload::Failed(message) => {
                    failure = Some(message);
                    return false;
                }
                Payload::Parsed(node) => node,
                Payload::Raw(bytes) => {
                    let i = index.unwrap_or_default();
                    match typed::parse(bytes, &names_only) {
                        Ok(item) if item.name.as_deref() == Some(wanted) => {
                            match parse_item(bytes, i, &everything) {
                                Ok(node) => node,
                                Err(e) => {
                                    failure = Some(format!("{}: {e}", label.source));
                                    return false;
                                }
                            }
                        }
                        Ok(item) => {
                            names.push(item.name.unwrap_or_else(unnamed));
                            return true;
                        }
                        Err(e) => {
                            failure = Some(format!(
                                "{}: `items[{i}]`: not valid JSON: {e}",
                                label.source
                            ));
                            return false;
                        }
                    }
                }
            };
            if node.name.as_deref() == Some(wanted) {
                found = Some(node);
                return false;
            }
            names.push(node.name.unwrap_or_else(unnamed));
            true
        };
    read_file(path, &mut send);
    if let Some(node) = found {
        return Ok(node);
    }
    if let Some(message) = failure {
        return Err(message);
    }
    let more = names.len().saturating_sub(MAX_LISTED_NAMES);
    names.truncate(MAX_LISTED_NAMES);
    let mut list = names.join(", ");
    if more > 0 {
        list.push_str(&format!(" and {more} more"));
    }
    Err(format!(
        "{source} has no node `{wanted}`; its nodes are: {list}"
    ))
}

/// Reads one snapshot file, sending its nodes; false when the receiver is gone.
fn read_file(path: &Path, send: &mut SendFn<'_>) -> bool {
    let stdin = path == Path::new("-");
    let label = Arc::new(Label {
        source: Source::of("snapshot", path),
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
    let (reader, size): (Box<dyn Read>, u64) = if stdin {
        (Box::new(io::stdin().lock()), stdin_size())
    } else {
        match crate::input::open_regular(path) {
            Ok(f) => {
                let size = f.metadata().map_or(0, |m| m.len());
                (Box::new(f), size)
            }
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
        // One byte over the YAML limit is enough for the reader to refuse it.
        let limit = u64::try_from(snapshot::MAX_YAML_SNAPSHOT_BYTES).unwrap_or(u64::MAX);
        if let Err(e) = reader.take(limit + 1).read_to_end(&mut bytes) {
            return fail(send, None, format!("cannot read {}: {e}", label.source));
        }
        bytes.shrink_to_fit();
        return send_parsed(&label, &bytes, send);
    }
    let mut ok = true;
    let result = split::split(reader, MAX_SNAPSHOT_BYTES, size, |index, bytes| {
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
                        "{source}: `kind`: {}",
                        snapshot::unsupported_kind(other)
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

/// The size of stdin when it is a regular file (`--features - < FILE`), else 0 (a pipe).
fn stdin_size() -> u64 {
    use std::os::fd::AsFd as _;
    io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .and_then(|fd| std::fs::File::from(fd).metadata())
        .map_or(0, |m| if m.is_file() { m.len() } else { 0 })
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
    // The common shape is read by the fast reader; the rest (and what it gives up on) by
    // serde_json, which then also names the fault.
    let item = fast::parse(bytes, needed)
        .ok()
        .or_else(|| typed::parse(bytes, needed).ok());
    if let Some(item) = item
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

fn process(
    work: Work<&[u8]>,
    settings: &Settings<'_>,
    needed: &Needed,
    all: &Needed,
) -> NodeResult {
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
            match parse_item(bytes, work.index.unwrap_or_default(), needed) {
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
    let evaluation = rules::evaluate(settings.spec, &node.features, settings.options);
    let mut result = reduce(
        &evaluation,
        &node.features,
        name,
        label.source.clone(),
        settings,
    );
    if settings.keep_first && work.seq == 0 {
        result.kept = Some(Box::new(Kept {
            snapshot: node,
            evaluation,
        }));
    }
    result
}

/// Reduces one node's evaluation to a [`NodeResult`].
fn reduce(
    evaluation: &Evaluation,
    features: &Features,
    name: String,
    source: Source,
    settings: &Settings<'_>,
) -> NodeResult {
    let spec = settings.spec;
    let has_errors = evaluation.sets.is_empty()
        || evaluation
            .sets
            .iter()
            .flat_map(|s| &s.rules)
            .any(rules::RuleEvaluation::has_errors);
    let report = (settings.reports || has_errors).then(|| {
        let origin = Origin {
            spec: settings.spec_name.to_owned(),
            features: source.plain(),
            node: Some(name.clone()),
            image: settings.image.cloned(),
        };
        report::build(spec, evaluation, features, origin, Vec::new())
    });
    let best_set = report::best_set(spec, evaluation);
    let causes = if best_set.is_none() {
        cause::best_failing(spec, evaluation)
            .map(|n| cause::causes(spec, evaluation, n))
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
        report: report.filter(|_| settings.reports),
        kept: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load;

    /// (name, verdict, best set, causes, errors) of each result, in order.
    type Outline = Vec<(String, Verdict, Option<BestSet>, Vec<String>, Vec<String>)>;

    /// The outline of a run, and how many worker threads ran.
    fn outline(
        inputs: &[PathBuf],
        spec: &Spec,
        threads: usize,
        reports: bool,
        inline_bytes: u64,
    ) -> (Outline, usize) {
        let options = rules::Options::default();
        let settings = Settings {
            spec,
            spec_name: "spec.yaml",
            image: None,
            options: &options,
            reports,
            keep_first: false,
            threads,
        };
        let mut out = Vec::new();
        let workers = run(inputs, &settings, inline_bytes, &mut |r| {
            if r.verdict != Verdict::Error {
                assert_eq!(r.report.is_some(), reports, "{}", r.name);
            }
            out.push((r.name, r.verdict, r.best_set, r.causes, r.errors));
            Ok(())
        })
        .expect("validate");
        (out, workers)
    }

    /// `node-00000` .. `node-{n-1}`, then `node-{again}`.
    fn names_of(n: usize, again: Option<usize>) -> Vec<String> {
        (0..n)
            .chain(again)
            .map(|i| format!("node-{i:05}"))
            .collect()
    }

    #[test]
    fn inline_and_threaded_runs_agree() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut list = Vec::new();
        generate::write_fleet(&mut list, 12, 7).expect("generate");
        let value: Value = serde_json::from_slice(&list).expect("generated JSON");
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            fs::write(&path, bytes).expect("write");
            path
        };
        let doc = serde_json::to_vec(&value["items"][3]).expect("JSON");
        let inputs = vec![
            write("fleet.json", &list),
            // The same node again: a duplicate name.
            write("again.json", &doc),
            write("truncated.json", &list[..list.len() / 2]),
            write("garbage.json", b"{\"apiVersion\": 12"),
            dir.path().join("missing.json"),
        ];
        let spec = load(generate::spec_yaml(50).as_bytes())
            .expect("generated spec")
            .spec;
        let total: u64 = inputs
            .iter()
            .filter_map(|p| fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        assert!(total <= INLINE_BYTES, "the inputs are small: {total} bytes");
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let (inline, workers) = outline(&inputs, &spec, 1, false, INLINE_BYTES);
        assert_eq!(workers, 0, "one thread runs inline");
        let runs = [
            // Three workers, whatever the size.
            (3, false, INLINE_BYTES, 3),
            // "Choose" keeps small inputs on the calling thread...
            (0, false, INLINE_BYTES, 0),
            // ...and starts one worker per core once they exceed the threshold (on one core,
            // "one per core" is the calling thread again).
            (0, false, 0, if cores > 1 { cores } else { 0 }),
            // Full reports read every feature; the verdicts do not change.
            (2, true, INLINE_BYTES, 2),
        ];
        for (threads, reports, inline_bytes, want_workers) in runs {
            let (got, workers) = outline(&inputs, &spec, threads, reports, inline_bytes);
            assert_eq!(
                workers, want_workers,
                "threads {threads}, inline up to {inline_bytes} bytes"
            );
            assert_eq!(
                inline, got,
                "threads {threads}, inline up to {inline_bytes} bytes"
            );
        }
        let names: Vec<&str> = inline.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(&names[..13], &names_of(12, Some(3))[..], "{names:?}");
        // The truncated list's complete items repeat names too; then one error for the rest.
        let [.., rest, garbage, missing] = &names[..] else {
            panic!("{names:?}")
        };
        assert!(
            rest.starts_with("truncated[") && rest.ends_with("..]"),
            "{rest}"
        );
        assert_eq!((*garbage, *missing), ("garbage", "missing"));
        assert!(
            inline[12].4[0].contains("duplicate node name"),
            "{inline:?}"
        );
        assert!(
            inline[13..]
                .iter()
                .all(|r| r.1 == Verdict::Error && !r.4.is_empty()),
            "{inline:?}"
        );
        assert!(
            inline[..12].iter().any(|r| r.1 == Verdict::Compatible)
                && inline[..12].iter().any(|r| r.1 == Verdict::Incompatible),
            "the generated fleet mixes verdicts: {inline:?}"
        );
    }
}

//! The one policy for "did you mean ...?": the loader (unknown fields), the lint (unknown
//! features, elements and CPU flags) and the report's hints (a feature or element the node
//! does not have) all suggest a name through [`nearest_name`].

/// The candidate closest to `name`, when close enough to be a typo.
///
/// Names are compared ignoring ASCII case; one edit is a character inserted, deleted or
/// replaced, or two neighbours swapped. Close enough means at most one edit per four characters
/// of `name`, and always at least one and at most three. A candidate equal to `name` is never
/// suggested; of several equally close candidates the first wins.
pub(crate) fn nearest_name<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut search = Search::new(name);
    let mut other: Vec<char> = Vec::new();
    let mut best = None;
    // Suggestions compare one name with every element of a feature (thousands of CPU flags):
    // a length that differs by more than the limit settles most candidates without computing
    // a distance.
    for candidate in candidates.into_iter().filter(|c| *c != name) {
        if candidate.chars().count().abs_diff(search.length) > search.limit {
            continue;
        }
        other.clear();
        other.extend(candidate.chars().map(|c| c.to_ascii_lowercase()));
        if search.offer(&other) {
            best = Some(candidate);
            if search.done {
                break;
            }
        }
    }
    best
}

/// A fixed list of names prepared once for many [`nearest_name`] look-ups: the same answers,
/// with most candidates settled by their length or their characters without a distance.
pub(crate) struct Names<'a> {
    entries: Vec<Entry<'a>>,
}

struct Entry<'a> {
    name: &'a str,
    /// Its characters, lower-cased.
    lower: Vec<char>,
    /// [`char_set`] of `lower`.
    chars: u64,
}

impl<'a> Names<'a> {
    pub(crate) fn new(names: impl IntoIterator<Item = &'a str>) -> Self {
        let entries = names
            .into_iter()
            .map(|name| {
                let lower: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
                let chars = char_set(&lower);
                Entry { name, lower, chars }
            })
            .collect();
        Names { entries }
    }

    /// [`nearest_name`] of `name` among these names, in their order.
    pub(crate) fn nearest(&self, name: &str) -> Option<&'a str> {
        let mut search = Search::new(name);
        let chars = char_set(&search.lower);
        let mut best = None;
        for e in &self.entries {
            if e.lower.len().abs_diff(search.length) > search.limit || e.name == name {
                continue;
            }
            // Each character kind one name has and the other lacks takes an edit of its own
            // (a swap only moves characters both have), so the larger count of such kinds on
            // either side is at most the distance.
            let missing = (chars & !e.chars).count_ones();
            let extra = (e.chars & !chars).count_ones();
            if usize::try_from(missing.max(extra)).unwrap_or(usize::MAX) > search.limit {
                continue;
            }
            if search.offer(&e.lower) {
                best = Some(e.name);
                if search.done {
                    break;
                }
            }
        }
        best
    }
}

/// The kinds of characters in `chars` as bits: a letter or digit its own, any other character
/// one shared with some others (which only weakens the bound [`Names::nearest`] takes from it).
fn char_set(chars: &[char]) -> u64 {
    chars.iter().fold(0, |set, &c| {
        let bit = match c {
            'a'..='z' => u32::from(c) - u32::from('a'),
            '0'..='9' => 26 + u32::from(c) - u32::from('0'),
            _ => 36 + u32::from(c) % 28,
        };
        set | 1 << bit
    })
}

/// One look-up: the name, the distance a candidate must be within, the rows reused.
struct Search {
    lower: Vec<char>,
    /// Characters in the name.
    length: usize,
    limit: usize,
    /// A candidate at distance 0 was found: none can be closer.
    done: bool,
    rows: Rows,
}

impl Search {
    fn new(name: &str) -> Self {
        let lower: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
        let length = lower.len();
        Search {
            limit: (length / 4).clamp(1, 3),
            lower,
            length,
            done: false,
            rows: Rows::default(),
        }
    }

    /// Whether a candidate (lower-cased) is close enough and closer than every earlier one.
    /// Once one is found only a strictly closer one may replace it (the first of equally
    /// close ones wins), so the limit tightens as the search goes, and a candidate at distance
    /// 0 (another case) ends it.
    fn offer(&mut self, other: &[char]) -> bool {
        let d = self.rows.edits(&self.lower, other, self.limit);
        if d > self.limit {
            return false;
        }
        match d.checked_sub(1) {
            Some(tighter) => self.limit = tighter,
            None => self.done = true,
        }
        true
    }
}

/// The rows of the distance table, kept from one candidate to the next.
#[derive(Default)]
struct Rows {
    before: Vec<usize>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Rows {
    /// Edit distance with adjacent transpositions (optimal string alignment); once it must
    /// be above `limit`, some number above `limit`.
    fn edits(&mut self, a: &[char], b: &[char], limit: usize) -> usize {
        let Rows { before, prev, cur } = self;
        // Three rows: the one before the previous (for transpositions), the previous, the
        // current.
        before.clear();
        before.resize(b.len() + 1, 0);
        prev.clear();
        prev.extend(0..=b.len());
        cur.clear();
        cur.resize(b.len() + 1, 0);
        for i in 0..a.len() {
            cur[0] = i + 1;
            for j in 0..b.len() {
                let cost = usize::from(a[i] != b[j]);
                let mut d = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
                if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                    d = d.min(before[j - 1] + 1);
                }
                cur[j + 1] = d;
            }
            std::mem::swap(before, prev);
            std::mem::swap(prev, cur);
            // A row is at least the smaller minimum of the two rows above it: once both are
            // above the limit, so is the distance.
            let above = |row: &[usize]| row.iter().all(|&d| d > limit);
            if above(prev) && above(before) {
                return limit.saturating_add(1);
            }
        }
        prev[b.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edits(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        Rows::default().edits(&a, &b, usize::MAX)
    }

    #[test]
    fn edits_count_swaps_as_one() {
        for (a, b, want) in [
            ("", "", 0),
            ("abc", "", 3),
            ("name", "nmae", 1),
            ("value", "values", 1),
            ("kitten", "sitting", 3),
            ("ca", "abc", 3),
        ] {
            assert_eq!(edits(a, b), want, "{a} -> {b}");
            assert_eq!(edits(b, a), want, "{b} -> {a}");
            // Cut short above a limit, never at or below it.
            let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            for limit in 0..4 {
                let cut = Rows::default().edits(&x, &y, limit);
                assert!(
                    if want <= limit {
                        cut == want
                    } else {
                        cut > limit
                    },
                    "{a} {b} {limit}"
                );
            }
        }
    }

    #[test]
    fn the_limit_grows_with_the_name() {
        let known = ["name", "value", "compatibilities", "AVX512F", "vendor_id"];
        for (typo, want) in [
            // Up to seven characters: one edit.
            ("nmae", Some("name")),
            ("nmea", None),
            ("values", Some("value")),
            ("avx512ff", Some("AVX512F")),
            ("AVX51", None),
            // Eight to eleven: two.
            ("vendorid", Some("vendor_id")),
            ("vendor-i", Some("vendor_id")),
            // Twelve and more: three at most.
            ("compatibility", Some("compatibilities")),
            ("compat", None),
            // Equal is no suggestion; another case is.
            ("name", None),
            ("Name", Some("name")),
        ] {
            assert_eq!(nearest_name(typo, known), want, "{typo}");
        }
    }

    /// The prepared list answers as the plain search, near misses of its names and others.
    #[test]
    fn prepared_names_answer_as_the_plain_search() {
        let known: Vec<&str> = crate::sources::cpu::x86_flags::NAMES
            .iter()
            .copied()
            .chain([
                "vendor_id",
                "kernel.loadedmodule",
                "a-b_c.d",
                "Ab",
                "aB",
                "x",
            ])
            .collect();
        let names = Names::new(known.iter().copied());
        let mut queries: Vec<String> = vec![String::new(), "zz".into(), "a_b-c.d".into()];
        for k in &known {
            let chars: Vec<char> = k.chars().collect();
            queries.push((*k).to_owned());
            queries.push(k.to_ascii_lowercase());
            for i in 0..chars.len() {
                let mut cut = chars.clone();
                cut.remove(i);
                queries.push(cut.iter().collect());
                let mut other = chars.clone();
                other[i] = if other[i] == '_' { 'q' } else { '_' };
                queries.push(other.iter().collect());
                if i + 1 < chars.len() {
                    let mut swapped = chars.clone();
                    swapped.swap(i, i + 1);
                    queries.push(swapped.iter().collect());
                }
            }
        }
        let mut found = 0;
        for q in &queries {
            let want = nearest_name(q, known.iter().copied());
            assert_eq!(names.nearest(q), want, "{q}");
            found += usize::from(want.is_some());
        }
        assert!(found > queries.len() / 2);
    }

    #[test]
    fn the_closest_wins_then_the_first() {
        assert_eq!(
            nearest_name(
                "kernel.loadedmodules",
                ["kernel.enabledmodule", "kernel.loadedmodule"]
            ),
            Some("kernel.loadedmodule")
        );
        assert_eq!(nearest_name("ab", ["ac", "ad"]), Some("ac"));
    }
}

//! Path globs with git's wildmatch semantics, anchored at the repository root, and the two
//! questions gitcoord asks of them: does a glob match a path, and can two globs match a
//! common path (do two locks conflict)?
//!
//! A pattern is split on `/` into segments. A segment of two or more stars (`**`) matches
//! any number of whole segments (zero included); in other segments `*` matches any run of
//! characters, `?` one character, `[...]` a class (`[!...]`/`[^...]` negated, ranges, `\`
//! escapes). Neither `*` nor `?` crosses a `/`.
//!
//! Both questions take bounded work whatever the pattern, since every hook asks them: a
//! match retries only the latest star (at most pattern × path steps), and overlap searches
//! the product of the two patterns' automata, visiting each pair of positions once.
//! Overlap is exact: `backend/**` conflicts with `backend/models.py`, `*.py` does not
//! conflict with `docs/*.md`.

use std::sync::OnceLock;

/// One character-level element of a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Atom {
    Lit(char),
    Any,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// One path segment of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    DoubleStar,
    Atoms(Vec<Atom>),
}

/// A compiled glob.
#[derive(Clone, Debug)]
pub struct Glob {
    text: String,
    /// The segments, parsed on first use for a pattern without wildcards (whose matching
    /// needs only `literal`, so a hook never parses the many single-file locks).
    segs: OnceLock<Vec<Seg>>,
    /// The pattern itself when it has no wildcards: matching is then string equality.
    literal: Option<String>,
}

impl PartialEq for Glob {
    fn eq(&self, other: &Glob) -> bool {
        self.text == other.text && self.literal == other.literal
    }
}

impl Eq for Glob {}

impl Glob {
    /// Compiles a normalised repository-relative pattern.
    pub fn new(pattern: &str) -> Glob {
        if !pattern.contains(['*', '?', '[', '\\']) {
            let literal = pattern
                .split('/')
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("/");
            return Glob {
                text: pattern.to_owned(),
                segs: OnceLock::new(),
                literal: Some(literal),
            };
        }
        let segs = parse_segs(pattern);
        let is_literal = segs.iter().all(|s| match s {
            Seg::DoubleStar => false,
            Seg::Atoms(atoms) => atoms.iter().all(|a| matches!(a, Atom::Lit(_))),
        });
        let literal = is_literal.then(|| literal_text(&segs));
        Glob {
            text: pattern.to_owned(),
            segs: OnceLock::from(segs),
            literal,
        }
    }

    fn segs(&self) -> &[Seg] {
        self.segs.get_or_init(|| parse_segs(&self.text))
    }

    /// A glob matching exactly one literal path.
    pub fn literal(path: &str) -> Glob {
        let segs = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| Seg::Atoms(s.chars().map(Atom::Lit).collect()))
            .collect::<Vec<_>>();
        Glob {
            text: path.to_owned(),
            literal: Some(literal_text(&segs)),
            segs: OnceLock::from(segs),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the glob matches the repository-relative `path`. This is on every hook's
    /// hot path, so it allocates nothing and compares literal patterns as strings.
    pub fn matches(&self, path: &str) -> bool {
        if let Some(literal) = &self.literal {
            return literal == path;
        }
        match_segs(self.segs(), path)
    }

    /// Whether some path matches both globs.
    pub fn overlaps(&self, other: &Glob) -> bool {
        product_nonempty(
            self.segs(),
            other.segs(),
            |_| false,
            seg_is_star,
            segs_compatible,
        )
    }
}

/// Splits a pattern into segments.
fn parse_segs(pattern: &str) -> Vec<Seg> {
    let mut segs = pattern
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            // A whole segment of stars is `**` to git too (`***` included).
            if s.len() >= 2 && s.bytes().all(|b| b == b'*') {
                Seg::DoubleStar
            } else {
                Seg::Atoms(parse_atoms(s))
            }
        })
        .collect::<Vec<_>>();
    // A trailing `/**` matches everything inside, not the directory itself: one or more
    // segments, i.e. `**` followed by one non-empty segment.
    if segs.last() == Some(&Seg::DoubleStar) {
        segs.push(Seg::Atoms(vec![Atom::Star]));
    }
    segs
}

fn literal_text(segs: &[Seg]) -> String {
    let parts: Vec<String> = segs
        .iter()
        .map(|s| match s {
            Seg::DoubleStar => "**".to_owned(),
            Seg::Atoms(atoms) => atoms
                .iter()
                .map(|a| match a {
                    Atom::Lit(c) => *c,
                    _ => '*',
                })
                .collect(),
        })
        .collect();
    parts.join("/")
}

/// Matches pattern segments against the path's segments: `**` is the star, every other
/// segment matches exactly one path segment.
fn match_segs(pat: &[Seg], path: &str) -> bool {
    let segs = path.split('/').filter(|s| !s.is_empty());
    star_match(
        pat,
        segs,
        seg_is_star,
        |seg, text| matches!(seg, Seg::Atoms(atoms) if match_atoms(atoms, text)),
    )
}

/// Matches one segment's atoms against one path segment: `*` is the star, every other
/// atom matches exactly one character.
fn match_atoms(atoms: &[Atom], text: &str) -> bool {
    star_match(atoms, text.chars(), atom_is_star, accepts)
}

/// Whether `pat` matches the whole of `units`, where a star element matches any run of
/// units (none included) and every other element exactly one unit that `accepts` it.
///
/// Only the latest star is ever retried, so the work is at most `pat.len() × units` steps
/// (a recursive search retries every star and takes time exponential in their number).
/// Retrying only the latest is enough: the elements between two stars match a fixed
/// number of units, and the earliest place they fit leaves the most units to the rest, so
/// once a later star is reached an earlier one never needs to take more.
fn star_match<T, U: Copy>(
    pat: &[T],
    mut units: impl Iterator<Item = U> + Clone,
    is_star: impl Fn(&T) -> bool,
    accepts: impl Fn(&T, U) -> bool,
) -> bool {
    let mut p = 0;
    // The element after the latest star, and the units that star has not taken.
    let mut retry = None;
    loop {
        if pat.get(p).is_some_and(&is_star) {
            p += 1;
            if p == pat.len() {
                // A trailing star takes whatever is left.
                return true;
            }
            retry = Some((p, units.clone()));
            continue;
        }
        let mut rest = units.clone();
        match (pat.get(p), rest.next()) {
            (None, None) => return true,
            (Some(element), Some(unit)) if accepts(element, unit) => {
                p += 1;
                units = rest;
                continue;
            }
            _ => {}
        }
        // A mismatch: the latest star takes one more unit and the elements after it start
        // over; with no star to retry, or none left to take, there is no match.
        let Some((after, untaken)) = &mut retry else {
            return false;
        };
        if untaken.next().is_none() {
            return false;
        }
        p = *after;
        units = untaken.clone();
    }
}

/// The part of `pattern` before its first wildcard or escape: every path the pattern
/// matches starts with it, character for character.
pub fn literal_prefix(pattern: &str) -> &str {
    &pattern[..pattern.find(['*', '?', '[', '\\']).unwrap_or(pattern.len())]
}

/// A cheap necessary condition for [`overlaps`]: a common path would start with both
/// literal prefixes, so one of them starts with the other. `false` means no overlap; `true`
/// means ask [`Glob::overlaps`]. Spares the exact check for most pairs of a large state.
pub fn may_overlap(a: &str, b: &str) -> bool {
    let (a, b) = (literal_prefix(a), literal_prefix(b));
    a.starts_with(b) || b.starts_with(a)
}

/// Whether the two patterns can match a common path.
pub fn overlaps(a: &str, b: &str) -> bool {
    Glob::new(a).overlaps(&Glob::new(b))
}

fn seg_is_star(s: &Seg) -> bool {
    matches!(s, Seg::DoubleStar)
}

fn atom_is_star(a: &Atom) -> bool {
    matches!(a, Atom::Star)
}

/// Two single segments can be the same non-empty path segment.
fn segs_compatible(a: &Seg, b: &Seg) -> bool {
    match (a, b) {
        (Seg::DoubleStar, _) | (_, Seg::DoubleStar) => true,
        (Seg::Atoms(x), Seg::Atoms(y)) => {
            product_nonempty(x, y, |_| true, atom_is_star, atoms_compatible)
        }
    }
}

/// Searches the product automaton of two sequences of elements, where a "star" element
/// consumes any number of units and every other element consumes exactly one. Returns
/// whether both sequences can consume one common string. With `need_unit`, the common
/// string must be non-empty (a path segment is never empty).
fn product_nonempty<T>(
    a: &[T],
    b: &[T],
    need_unit: impl Fn(()) -> bool,
    is_star: impl Fn(&T) -> bool,
    compatible: impl Fn(&T, &T) -> bool,
) -> bool {
    let need = need_unit(());
    let width = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * width * 2];
    let mut stack = vec![(0usize, 0usize, false)];
    while let Some((i, j, consumed)) = stack.pop() {
        let key = (i * width + j) * 2 + usize::from(consumed);
        if std::mem::replace(&mut seen[key], true) {
            continue;
        }
        if i == a.len() && j == b.len() && (consumed || !need) {
            return true;
        }
        if i < a.len() && is_star(&a[i]) {
            stack.push((i + 1, j, consumed));
        }
        if j < b.len() && is_star(&b[j]) {
            stack.push((i, j + 1, consumed));
        }
        if i < a.len() && j < b.len() && compatible(&a[i], &b[j]) {
            let ni = if is_star(&a[i]) { i } else { i + 1 };
            let nj = if is_star(&b[j]) { j } else { j + 1 };
            stack.push((ni, nj, true));
        }
    }
    false
}

fn atoms_compatible(a: &Atom, b: &Atom) -> bool {
    match (a, b) {
        (Atom::Lit(x), Atom::Lit(y)) => x == y,
        (Atom::Lit(c), other) | (other, Atom::Lit(c)) => accepts(other, *c),
        (Atom::Any | Atom::Star, _) | (_, Atom::Any | Atom::Star) => true,
        (Atom::Class { ranges: ra, .. }, Atom::Class { ranges: rb, .. }) => {
            // If two classes share a character, one of these candidates is such a character:
            // the intersection of unions of intervals (or their complements) starts at an
            // interval bound, just past one, or at the smallest character.
            let mut candidates = vec!['\u{1}', 'a', '0'];
            for &(lo, hi) in ra.iter().chain(rb) {
                candidates.extend([lo, hi]);
                candidates.extend(char::from_u32(hi as u32 + 1));
                candidates.extend(char::from_u32((lo as u32).saturating_sub(1)));
            }
            candidates
                .into_iter()
                .any(|c| accepts(a, c) && accepts(b, c))
        }
    }
}

fn accepts(atom: &Atom, c: char) -> bool {
    match atom {
        Atom::Lit(x) => *x == c,
        Atom::Any | Atom::Star => c != '/',
        Atom::Class { negated, ranges } => {
            c != '/' && ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
    }
}

fn parse_atoms(seg: &str) -> Vec<Atom> {
    let chars: Vec<char> = seg.chars().collect();
    let mut atoms = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                if atoms.last() != Some(&Atom::Star) {
                    atoms.push(Atom::Star);
                }
            }
            '?' => atoms.push(Atom::Any),
            '\\' if i + 1 < chars.len() => {
                i += 1;
                atoms.push(Atom::Lit(chars[i]));
            }
            '[' => match parse_class(&chars[i..]) {
                Some((atom, used)) => {
                    atoms.push(atom);
                    i += used;
                    continue;
                }
                None => atoms.push(Atom::Lit('[')),
            },
            c => atoms.push(Atom::Lit(c)),
        }
        i += 1;
    }
    atoms
}

/// Parses `[...]` at the start of `chars`; returns the class and how many chars it used.
fn parse_class(chars: &[char]) -> Option<(Atom, usize)> {
    let mut i = 1;
    let negated = matches!(chars.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let mut c = *chars.get(i)?;
        if c == ']' && !first {
            return Some((Atom::Class { negated, ranges }, i + 1));
        }
        first = false;
        if c == '\\' {
            i += 1;
            c = *chars.get(i)?;
        }
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&e| e != ']') {
            let mut end = chars[i + 2];
            let mut step = 3;
            if end == '\\' {
                end = *chars.get(i + 3)?;
                step = 4;
            }
            ranges.push((c, end));
            // Git tests a range's first character on its own before reading the range, so
            // a reversed range such as `[z-a]` still matches its first character.
            if end < c {
                ranges.push((c, c));
            }
            i += step;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
}

#[cfg(test)]
#[path = "glob_tests.rs"]
mod tests;

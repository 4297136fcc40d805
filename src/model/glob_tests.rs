//! Matching and overlap tables, and the patterns that once took exponential time.

use super::*;

#[test]
fn matching() {
    let table = [
        ("src/a.rs", "src/a.rs", true),
        ("src/a.rs", "src/b.rs", false),
        ("src/*.rs", "src/a.rs", true),
        ("src/*.rs", "src/x/a.rs", false),
        ("src/**", "src/x/y/a.rs", true),
        ("src/**", "src", false),
        ("**/*.env", ".env", true),
        ("**/*.env", "deploy/prod.env", true),
        ("**/secrets/**", "a/secrets/b", true),
        ("*.md", "README.md", true),
        ("*.md", "docs/x.md", false),
        ("[ab]*.rs", "b1.rs", true),
        ("[!ab]*.rs", "b1.rs", false),
        ("[!ab]*.rs", "c1.rs", true),
        ("file?.txt", "file1.txt", true),
        ("file?.txt", "file10.txt", false),
        ("a/**/b", "a/b", true),
        ("a/**/b", "a/x/y/b", true),
        ("\\*.rs", "*.rs", true),
        ("\\*.rs", "a.rs", false),
        ("**", "anything/at/all", true),
        // A star that must give back what it took: only the latest one is retried.
        ("*ab", "aab", true),
        ("*a*b", "abab", true),
        ("a*b*c", "axbybzc", true),
        ("a*b*c", "axbybz", false),
        ("**/a/*/b", "a/a/x/b", true),
        ("**/a/**/b/*", "x/a/y/b/b/z", true),
        ("**/a/**/b", "x/a/y/b/c", false),
        // A segment of stars is `**`; stars beside other characters stay in their segment.
        ("a/***/b", "a/x/y/b", true),
        ("a/**b", "a/x/b", false),
        ("a/b**", "a/bx", true),
        // A reversed range holds only its first character, as in git.
        ("[z-a]", "z", true),
        ("[z-a]", "m", false),
        ("[!z-a]", "z", false),
    ];
    for (pattern, path, want) in table {
        let glob = Glob::new(pattern);
        assert_eq!(glob.matches(path), want, "{pattern} ~ {path}");
        // The fast matcher and the product search agree.
        assert_eq!(
            glob.overlaps(&Glob::literal(path)),
            want,
            "{pattern} ~ {path} (product)"
        );
    }
}

#[test]
fn overlapping() {
    let table = [
        ("backend/**", "backend/models.py", true),
        ("backend/**", "frontend/**", false),
        ("*.py", "docs/*.md", false),
        ("src/*.rs", "src/main.*", true),
        ("src/*.rs", "src/*.py", false),
        ("**/*.rs", "src/**", true),
        ("src/[a-c]*", "src/[x-z]*", false),
        ("src/[a-c]*", "src/[!a]*", true),
        ("a/**/b", "a/c/**", true),
        ("a/*", "a/*/b", false),
        ("*", "**", true),
        ("x?", "x", false),
    ];
    for (a, b, want) in table {
        assert_eq!(overlaps(a, b), want, "{a} vs {b}");
        assert_eq!(overlaps(b, a), want, "{b} vs {a}");
        assert!(
            may_overlap(a, b) || !want,
            "the prefilter must keep {a} vs {b}"
        );
    }
    for (a, b) in [
        ("src/a/**", "src/b/*"),
        ("docs/x.md", "src/**"),
        ("a\\*", "b"),
    ] {
        assert!(!may_overlap(a, b) && !overlaps(a, b), "{a} vs {b}");
    }
}

#[test]
fn a_matching_path_starts_with_the_literal_prefix() {
    for (pattern, path) in [
        ("src/*.rs", "src/a.rs"),
        ("src/**", "src/x/y"),
        ("**/*.env", "deploy/p.env"),
        ("src/[a-c]x", "src/bx"),
        ("a?c", "abc"),
    ] {
        assert!(Glob::new(pattern).matches(path), "{pattern} {path}");
        assert!(
            path.starts_with(literal_prefix(pattern)),
            "{pattern} {path}"
        );
    }
}

/// A pattern of many stars against a long path that nearly matches: once time exponential
/// in the stars (8 stars took 20 s in every hook), now a few thousand steps.
#[test]
fn many_stars_match_in_bounded_time() {
    let path = format!("{}c", "a".repeat(60));
    for stars in [8, 20] {
        let miss = format!("{}*b", "*a".repeat(stars - 1));
        assert!(!Glob::new(&miss).matches(&path), "{miss}");
        assert!(!Glob::new(&miss).overlaps(&Glob::literal(&path)), "{miss}");
        let hit = format!("{}*c", "*a".repeat(stars - 1));
        assert!(Glob::new(&hit).matches(&path), "{hit}");
    }
    // The same one level up: `**` before each of many segments of a deep path.
    let deep = format!("{}/c", vec!["a"; 60].join("/"));
    let miss = format!("{}/b", vec!["**/a"; 20].join("/"));
    assert!(!Glob::new(&miss).matches(&deep), "{miss}");
    let hit = format!("{}/c", vec!["**/a"; 20].join("/"));
    assert!(Glob::new(&hit).matches(&deep), "{hit}");
}

/// Two patterns of many stars: the product search visits each pair of positions once.
#[test]
fn many_stars_overlap_in_bounded_time() {
    let stars = "*a".repeat(20);
    assert!(!overlaps(&format!("{stars}*b"), &format!("{stars}*c")));
    assert!(overlaps(&format!("{stars}*b"), &format!("*b{stars}*")));
    let segs = vec!["**/a"; 20].join("/");
    assert!(!overlaps(&format!("{segs}/b"), &format!("{segs}/c")));
    assert!(overlaps(&format!("{segs}/b"), &format!("b/{segs}/**")));
}

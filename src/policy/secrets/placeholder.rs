//! Recognises values that look like secrets but are not: placeholders, templates, UUIDs, hashes, lock files.

/// How strictly a rule filters look-alike values before reporting them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// No filtering (private key blocks: their bodies legitimately repeat bytes).
    None,
    /// Placeholders and templates are dropped (rules for a precise credential format).
    Format,
    /// Also drops identifiers, UUIDs, hashes and values without both letters and digits.
    Strict,
}

/// Words that mark a value as a documentation placeholder rather than a credential.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "xxxx",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "redacted",
    "dummy",
    "sample",
    "fake",
    "notreal",
    "not_real",
    "not-real",
    "******",
    "<",
    ">",
    "${",
    "{{",
    "$(",
    "%s",
    "insert",
    "replace",
    "lorem",
    "1234567890",
    "0123456789",
    "abcdefgh",
    "qwerty",
    "secret_here",
    "pass",
    "token_here",
    "key_here",
];

/// Whole values that are stock example credentials, not secrets.
const PLACEHOLDER_VALUES: &[&str] = &[
    "password", "passwd", "pass", "secret", "pwd", "root", "admin", "user", "test", "guest",
    "postgres", "mysql", "redis", "foobar", "foo", "bar", "hunter2", "letmein", "s3cr3t",
];

/// Sequences typical of made-up values, too common in real hex tokens to drop from specific rules.
const STRICT_PLACEHOLDERS: &[&str] = &["1234", "abcd", "a1b2c3"];

/// Words whose presence marks a generic assignment's value as code or configuration, not a secret.
const STOPWORDS: &[&str] = &[
    "test",
    "true",
    "false",
    "null",
    "none",
    "undefined",
    "string",
    "function",
    "return",
    "self.",
    "this.",
    "config",
    "settings",
    "getenv",
    "environ",
    "process.env",
    "env.",
    "import",
    "default",
    "option",
    "value",
    "param",
    "request",
    "response",
    "header",
    "bearer",
    "nonce",
    "hash",
    "encrypt",
    "decrypt",
    "cipher",
    "struct",
    "object",
    "buffer",
    "length",
    "params",
    "secret",
    "password",
    "passwd",
    "token",
    "apikey",
    "api_key",
    "credential",
    "localhost",
    "http",
    "mock",
    "stub",
];

/// Returns true when `secret` is a placeholder or template under the given filter.
pub fn is_placeholder(secret: &[u8], filter: Filter) -> bool {
    match filter {
        Filter::None => false,
        Filter::Format => {
            is_stock_value(secret) || has_placeholder_word(secret) || is_low_variety(secret)
        }
        Filter::Strict => {
            STRICT_PLACEHOLDERS.iter().any(|w| contains_ci(secret, w))
                || is_stock_value(secret)
                || has_placeholder_word(secret)
                || is_low_variety(secret)
                || has_stopword(secret)
                || is_uuid(secret)
                || is_hash(secret)
                || !has_letter_and_digit(secret)
        }
    }
}

fn contains_ci(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

fn has_placeholder_word(secret: &[u8]) -> bool {
    PLACEHOLDER_WORDS.iter().any(|w| contains_ci(secret, w))
}

/// A stock value (`password`), or a reference to a variable (`$DB_PASS`, `%PASS%`).
fn is_stock_value(secret: &[u8]) -> bool {
    matches!(secret.first(), Some(b'$' | b'%'))
        || PLACEHOLDER_VALUES
            .iter()
            .any(|v| secret.eq_ignore_ascii_case(v.as_bytes()))
}

fn has_stopword(secret: &[u8]) -> bool {
    STOPWORDS.iter().any(|w| contains_ci(secret, w))
}

/// A value made of very few distinct bytes (`aaaaaaaa`, `ababab`) is a filler, not a key.
fn is_low_variety(secret: &[u8]) -> bool {
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &b in secret {
        if !seen[usize::from(b)] {
            seen[usize::from(b)] = true;
            distinct += 1;
        }
    }
    secret.len() >= 8 && distinct <= 3
}

/// Returns true for an 8-4-4-4-12 hexadecimal UUID.
pub fn is_uuid(secret: &[u8]) -> bool {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let mut parts = secret.split(|&b| b == b'-');
    GROUPS.iter().all(|&n| {
        parts
            .next()
            .is_some_and(|p| p.len() == n && p.iter().all(u8::is_ascii_hexdigit))
    }) && parts.next().is_none()
}

/// Returns true for a hex digest of a common hash length (MD5, SHA-1, SHA-256, SHA-512).
pub fn is_hash(secret: &[u8]) -> bool {
    matches!(secret.len(), 32 | 40 | 64 | 128) && secret.iter().all(u8::is_ascii_hexdigit)
}

fn has_letter_and_digit(secret: &[u8]) -> bool {
    secret.iter().any(u8::is_ascii_alphabetic) && secret.iter().any(u8::is_ascii_digit)
}

/// File names whose content is generated integrity data (lock files, checksums), never secrets.
const LOCK_FILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.sum",
    "poetry.lock",
    "Gemfile.lock",
    "composer.lock",
    "Pipfile.lock",
    "npm-shrinkwrap.json",
    "bun.lockb",
    "flake.lock",
    "mix.lock",
    "pubspec.lock",
    "packages.lock.json",
    "uv.lock",
    ".cargo-checksum.json",
];

/// Returns true when `path` names a lock or checksum file, which is never scanned.
pub fn is_lock_file(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    LOCK_FILES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_table() {
        let cases: &[(&str, Filter, bool)] = &[
            ("AKIAIOSFODNN7EXAMPLE", Filter::Format, true),
            ("xxxxxxxxxxxxxxxxxxxx", Filter::Format, true),
            ("${API_TOKEN}", Filter::Format, true),
            ("<your-key>", Filter::Format, true),
            ("changeme", Filter::Format, true),
            ("Zq3vT8mLw2Rk9Xy4Hn6P", Filter::Format, false),
            ("Zq3vT8mLw2Rk9Xy4Hn6P", Filter::Strict, false),
            ("123e4567-e89b-12d3-a456-426614174000", Filter::Strict, true),
            ("d41d8cd98f00b204e9800998ecf8427e", Filter::Strict, true),
            ("self.password_field", Filter::Strict, true),
            ("onlylettershere", Filter::Strict, true),
            ("AAAAAAAAAAAAAAAA", Filter::None, false),
        ];
        for (secret, filter, want) in cases {
            assert_eq!(
                is_placeholder(secret.as_bytes(), *filter),
                *want,
                "{secret}"
            );
        }
    }

    #[test]
    fn lock_files_are_recognised_in_any_directory() {
        assert!(is_lock_file("a/b/Cargo.lock"));
        assert!(is_lock_file("go.sum"));
        assert!(!is_lock_file("src/lock.rs"));
    }
}

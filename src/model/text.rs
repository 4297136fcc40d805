//! Text shown to people: commands they may copy into a shell, and free text made safe to
//! print on a terminal.

/// `text` as one shell word: as it is when it is plainly safe, else in single quotes (a
/// quote inside becomes `'\''`), so a printed command runs as printed.
pub fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:@%+=,^".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `words` as a shell command line, each quoted as needed.
pub fn shell_line<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    words
        .into_iter()
        .map(shell_word)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` as one line safe to print on a terminal: control characters (newlines, escape
/// sequences) and bidirectional overrides become spaces, so free text cannot fake lines,
/// move the cursor, or show its characters in another order than they are.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || is_bidi(c) { ' ' } else { c })
        .collect()
}

/// Whether `c` reorders how the text around it is shown (the "trojan source" characters).
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` safe to print on a terminal over several lines: control characters other than
/// newline and tab (escape sequences, carriage returns, backspaces) and bidirectional
/// overrides become spaces, so
/// output shown from a command cannot move the cursor, recolour or rewrite what is shown.
pub fn printable_lines(text: &str) -> String {
    text.chars()
        .map(|c| {
            if (c.is_control() && c != '\n' && c != '\t') || is_bidi(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_blanked_but_lines_and_tabs_kept() {
        let cases = [
            ("plain\nlines\tand tabs", "plain\nlines\tand tabs"),
            ("\u{1b}[31mred\u{1b}[0m", " [31mred [0m"),
            ("over\rwrite\u{8}", "over write "),
            ("bell\u{7} del\u{7f} c1\u{9b}", "bell  del  c1 "),
            ("é ✓", "é ✓"),
        ];
        for (text, want) in cases {
            assert_eq!(printable_lines(text), want, "{text:?}");
            assert_eq!(one_line(text), want.replace(['\n', '\t'], " "), "{text:?}");
        }
    }

    #[test]
    fn words_are_quoted_for_the_shell() {
        let cases = [
            ("src/a.rs", "src/a.rs"),
            ("a b", "'a b'"),
            ("it's", r"'it'\''s'"),
            ("", "''"),
            ("src/**", "'src/**'"),
            ("~root", "'~root'"),
        ];
        for (text, want) in cases {
            assert_eq!(shell_word(text), want, "{text}");
        }
        assert_eq!(shell_line(["git", "add", "a b"]), "git add 'a b'");
    }
}

//! Aligned text tables for listings: a header row, columns sized to their content, and
//! the widest values cut short with `…` so each line fits the width of the output.
//!
//! The width is `COLUMNS` when it is set to a number, else the terminal's when stdout is
//! one, else 80. `--json` output never goes through a table, so it is never cut.

use std::io::{self, Write};

/// The width used when stdout is not a terminal and `COLUMNS` is not set.
pub const DEFAULT_WIDTH: usize = 80;

/// What separates two columns.
const GAP: &str = "  ";

/// How a column's values sit in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text: on the left.
    Left,
    /// Numbers: on the right.
    Right,
}

/// A table: its header, and rows of as many cells.
pub struct Table {
    headers: Vec<&'static str>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns (header and alignment each).
    pub fn new(columns: &[(&'static str, Align)]) -> Table {
        Table {
            headers: columns.iter().map(|(h, _)| *h).collect(),
            align: columns.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; free text in it is shown on one line (control characters blanked), and
    /// an empty cell as `-`.
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len(), "one cell per column");
        let cells = cells
            .into_iter()
            .map(|c| match crate::model::text::one_line(&c) {
                c if c.trim().is_empty() => "-".to_owned(),
                c => c,
            })
            .collect();
        self.rows.push(cells);
    }

    /// Writes the header and the rows, each line starting with `indent` and, where the
    /// columns allow it, no wider than `width` characters.
    pub fn write(&self, out: &mut dyn Write, indent: &str, width: usize) -> io::Result<()> {
        let widths = self.widths(width.saturating_sub(text_width(indent)));
        let header: Vec<String> = self.headers.iter().map(|h| (*h).to_owned()).collect();
        for cells in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::from(indent);
            for (i, (cell, &w)) in cells.iter().zip(&widths).enumerate() {
                let cell = truncate(cell, w);
                let pad = " ".repeat(w.saturating_sub(text_width(&cell)));
                let last = i + 1 == widths.len();
                match self.align[i] {
                    Align::Right => line.push_str(&format!("{pad}{cell}")),
                    // The last column needs no padding after it.
                    Align::Left if last => line.push_str(&cell),
                    Align::Left => line.push_str(&format!("{cell}{pad}")),
                }
                if !last {
                    line.push_str(GAP);
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    /// Each column's width: its widest value, then, while the line is too wide, the widest
    /// column narrowed one character at a time, down to its header's width.
    fn widths(&self, limit: usize) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| text_width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(text_width(cell));
            }
        }
        let floors: Vec<usize> = self.headers.iter().map(|h| text_width(h).max(1)).collect();
        let gaps = GAP.len() * self.headers.len().saturating_sub(1);
        let mut total: usize = widths.iter().sum::<usize>() + gaps;
        while total > limit {
            let widest = (0..widths.len())
                .filter(|&i| widths[i] > floors[i])
                .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
            let Some(i) = widest else { break };
            // Narrow the widest column to the next widest (or as far as needed) at once.
            let next = (0..widths.len())
                .filter(|&j| j != i)
                .map(|j| widths[j])
                .filter(|&w| w < widths[i])
                .max()
                .unwrap_or(0);
            let step = (widths[i] - next.max(floors[i])).min(total - limit).max(1);
            widths[i] -= step;
            total -= step;
        }
        widths
    }
}

/// The width of the output: `COLUMNS` when it is set to a number, else the terminal's when
/// stdout is one, else [`DEFAULT_WIDTH`].
pub fn output_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    terminal_width().unwrap_or(DEFAULT_WIDTH)
}

/// The terminal's width, when stdout is a terminal that reports one.
#[cfg(unix)]
fn terminal_width() -> Option<usize> {
    let size = rustix::termios::tcgetwinsize(std::io::stdout()).ok()?;
    (size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// The terminal's width: not asked for outside Unix.
#[cfg(not(unix))]
fn terminal_width() -> Option<usize> {
    None
}

/// How many columns `text` takes on a terminal: most characters one, East Asian wide
/// characters and emoji two, combining marks and zero-width characters none.
pub fn text_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    match u32::from(c) {
        0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F | 0x20D0..=0x20FF => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// `text` cut to `width` columns, ending in `…` when it was cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text_width(text) <= width {
        return text.to_owned();
    }
    let mut kept = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w + 1 > width {
            break;
        }
        kept.push(c);
        used += w;
    }
    if width > 0 {
        kept.push('…');
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(table: &Table, width: usize) -> String {
        let mut out = Vec::new();
        table.write(&mut out, "", width).expect("write to memory");
        String::from_utf8(out).expect("utf-8")
    }

    fn sample() -> Table {
        let mut t = Table::new(&[
            ("NAME", Align::Left),
            ("N", Align::Right),
            ("NOTE", Align::Left),
        ]);
        t.row(vec!["a".into(), "7".into(), "short".into()]);
        t.row(vec!["longer".into(), "12".into(), String::new()]);
        t
    }

    #[test]
    fn columns_are_sized_to_their_content_with_numbers_on_the_right() {
        assert_eq!(
            render(&sample(), 80),
            "NAME     N  NOTE\na        7  short\nlonger  12  -\n"
        );
    }

    #[test]
    fn the_widest_column_is_cut_first_and_lines_fit() {
        let mut t = Table::new(&[("ID", Align::Left), ("PATH", Align::Left)]);
        t.row(vec!["x".repeat(200), "src/a.rs".into()]);
        let text = render(&t, 40);
        for line in text.lines() {
            assert!(text_width(line) <= 40, "{line:?}");
        }
        let row = text.lines().nth(1).expect("a row");
        assert!(row.starts_with(&"x".repeat(29)), "{row}");
        assert!(row.contains("x…  src/a.rs"), "{row}");
    }

    #[test]
    fn no_column_is_cut_below_its_header() {
        let mut t = Table::new(&[("AGENT", Align::Left), ("BRANCH", Align::Left)]);
        t.row(vec!["abcdefgh".into(), "feature/long-branch".into()]);
        let text = render(&t, 5);
        assert_eq!(text.lines().nth(1), Some("abcd…  featu…"));
    }

    #[test]
    fn free_text_stays_on_one_line() {
        let mut t = Table::new(&[("WHY", Align::Left)]);
        t.row(vec!["two\nlines\tand \u{1b}[31mred".into()]);
        assert_eq!(render(&t, 80), "WHY\ntwo lines and  [31mred\n");
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(text_width("日本"), 4);
        assert_eq!(text_width("e\u{301}"), 1);
        assert_eq!(truncate("日本語", 5), "日本…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        assert_eq!(truncate("abcd", 0), "");
    }
}

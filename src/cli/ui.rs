//! The only place that prints: text or `--json` on stdout, errors and notes on stderr.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use super::error::{CliError, ErrorKind};

/// A writer that, once its reader has gone away, quietly drops the rest: a closed pipe
/// is the reader's choice, not a failure of the command.
struct PipeAware {
    inner: Box<dyn Write>,
    closed: bool,
}

impl PipeAware {
    fn absorb<T>(&mut self, result: io::Result<T>, done: T) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl Write for PipeAware {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.absorb(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.absorb(result, ())
    }
}

/// A writer that shows free text harmlessly on a terminal: control characters other than
/// newline and tab (escape sequences, carriage returns) and bidirectional overrides become
/// spaces, whatever command printed them and wherever the text came from (a reason, a
/// subject, a file name, git's own words).
struct Printable<'w>(&'w mut dyn Write);

impl Write for Printable<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self
                .0
                .write_all(crate::model::text::printable_lines(text).as_bytes())?,
            Err(_) => {
                let bytes: Vec<u8> = buf
                    .iter()
                    .map(|&b| match b {
                        b'\n' | b'\t' => b,
                        0..=0x1f | 0x7f => b' ',
                        _ => b,
                    })
                    .collect();
                self.0.write_all(&bytes)?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// `out`, showing free text harmlessly on a terminal (see [`Printable`]): for text reports
/// written on the raw output.
pub fn printable(out: &mut dyn Write) -> impl Write + '_ {
    Printable(out)
}

/// Where and how a command's output goes.
pub struct Ui {
    /// Print JSON instead of text.
    pub json: bool,
    color: bool,
    out: Box<dyn Write>,
    err: Box<dyn Write>,
}

impl Ui {
    /// A Ui on the process's stdout and stderr; colour only on a terminal without `NO_COLOR`.
    pub fn stdio(json: bool) -> Ui {
        let color = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        // Buffered: a long listing is a few system calls, not one per line. Every command
        // flushes what it printed, and the buffer is flushed when the Ui is dropped.
        let out = io::BufWriter::with_capacity(64 * 1024, io::stdout());
        Ui::new(json, color, Box::new(out), Box::new(io::stderr()))
    }

    /// A Ui over any writers: `out` for results, `err` for notes and errors (the demo and
    /// tests print through one over buffers). A reader that goes away (`| head -1`) ends
    /// the output, not the command: what it found still decides the exit code.
    pub fn new(json: bool, color: bool, out: Box<dyn Write>, err: Box<dyn Write>) -> Ui {
        Ui {
            json,
            color,
            out: Box::new(PipeAware {
                inner: out,
                closed: false,
            }),
            err,
        }
    }

    /// Prints `value` as JSON in `--json` mode, else the text `render` writes.
    pub fn emit<T: Serialize>(
        &mut self,
        value: &T,
        render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), CliError> {
        if self.json {
            // Every key, always: an empty list is `[]`, an absent value `null` (docs/json.md).
            let text = crate::model::keys::every_key(|| serde_json::to_string_pretty(value))
                .map_err(anyhow::Error::from)?;
            writeln!(self.out, "{text}")?;
        } else {
            render(&mut Printable(&mut self.out))?;
        }
        self.out.flush()?;
        Ok(())
    }

    /// Writes raw text to stdout (for formats that are not the text/JSON pair).
    pub fn out(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    /// Writes a note for people on stderr (never mixed into JSON on stdout).
    pub fn note(&mut self, text: &str) {
        // A closed stderr is no reason to fail the command.
        let _ = writeln!(Printable(&mut self.err), "{text}");
    }

    /// Renders a failure on stderr: what happened, each cause, then what to do next; under
    /// `--json` also as the error object on stdout (docs/json.md). A closed pipe is not
    /// rendered: the reader went away, nothing is wrong.
    pub fn error(&mut self, e: &CliError) {
        if self.json && e.kind() != ErrorKind::BrokenPipe {
            let document = super::json::ErrorDocument::of(e);
            if let Ok(text) = serde_json::to_string_pretty(&document) {
                // A closed stdout is no reason to fail twice.
                let _ = writeln!(self.out, "{text}");
                let _ = self.out.flush();
            }
        }
        let label = match e.kind() {
            ErrorKind::BrokenPipe => return,
            ErrorKind::Refused => "refused",
            ErrorKind::Invalid => "error",
        };
        let label = if self.color {
            format!("\x1b[1;31m{label}\x1b[0m")
        } else {
            label.to_owned()
        };
        let printable = crate::model::text::printable_lines;
        let lines: Vec<String> = e.lines().iter().map(|l| printable(l)).collect();
        let mut lines = lines.iter();
        let first = lines.next().map(String::as_str).unwrap_or("failed");
        // A closed stderr is no reason to fail twice.
        let _ = writeln!(self.err, "{label}: {first}");
        for cause in lines {
            let mut cause_lines = cause.lines();
            let head = cause_lines.next().unwrap_or_default();
            let _ = writeln!(self.err, "  because: {head}");
            for more in cause_lines {
                let _ = writeln!(self.err, "           {more}");
            }
        }
        for hint in e.hints() {
            let hint = printable(&hint);
            let mut hint_lines = hint.lines();
            let head = hint_lines.next().unwrap_or_default();
            let _ = writeln!(self.err, "  next: {head}");
            for more in hint_lines {
                let _ = writeln!(self.err, "        {more}");
            }
        }
        let _ = self.err.flush();
    }
}

/// A size in human units: `512 bytes`, `1 byte`, `513.2 MB` (decimal units, as `ls -h --si`).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
    if bytes < 1000 {
        return format!("{bytes} byte{}", if bytes == 1 { "" } else { "s" });
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    /// A writer whose bytes the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.borrow()).into_owned()
        }
    }

    fn ui(json: bool) -> (Ui, Shared, Shared) {
        let (out, err) = (Shared::default(), Shared::default());
        let ui = Ui::new(json, false, Box::new(out.clone()), Box::new(err.clone()));
        (ui, out, err)
    }

    #[test]
    fn text_or_json_on_stdout_notes_on_stderr() {
        let (mut text, out, err) = ui(false);
        text.emit(&[1, 2], |w| writeln!(w, "one, two"))
            .expect("write to memory");
        text.note("a note");
        assert_eq!(out.text(), "one, two\n");
        assert_eq!(err.text(), "a note\n");
        let (mut json, out, _) = ui(true);
        json.emit(&[1, 2], |w| writeln!(w, "one, two"))
            .expect("write to memory");
        assert_eq!(out.text(), "[\n  1,\n  2\n]\n");
    }

    #[test]
    fn errors_show_their_causes_and_next_steps_and_a_closed_pipe_nothing() {
        let (mut ui, out, err) = ui(false);
        let cause = io::Error::other("permission denied");
        let e = CliError::from(anyhow::Error::from(cause).context("cannot write x"))
            .hint("check the permissions\nof x");
        ui.error(&e);
        assert_eq!(
            err.text(),
            "error: cannot write x\n  because: permission denied\n  next: check the permissions\n        of x\n"
        );
        let (mut ui2, _, err2) = self::ui(false);
        ui2.error(&CliError::from(io::Error::from(io::ErrorKind::BrokenPipe)));
        assert_eq!(err2.text(), "");
        assert_eq!(out.text(), "");
    }

    #[test]
    fn sizes_read_in_human_units() {
        for (bytes, want) in [
            (0, "0 bytes"),
            (1, "1 byte"),
            (999, "999 bytes"),
            (1000, "1.0 kB"),
            (513_200_000, "513.2 MB"),
            (999_960, "1.0 MB"),
            (3_000_000_000, "3.0 GB"),
            (u64::MAX, "18.4 EB"),
        ] {
            assert_eq!(human_size(bytes), want, "{bytes}");
        }
    }
}

//! Located messages rendered the way rustc renders its errors: headline,
//! locations with a quoted line and a caret, then notes. Diagnostics are
//! one kind; `specforge diff`'s changes, located in two files, another.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A position in a source file, both one-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineColumn {
    pub line: u32,
    pub column: u32,
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
}

struct Palette {
    bold: &'static str,
    error: &'static str,
    warning: &'static str,
    blue: &'static str,
    reset: &'static str,
}

const COLOR: Palette = Palette {
    bold: "\x1b[1m",
    error: "\x1b[1;31m",
    warning: "\x1b[1;33m",
    blue: "\x1b[1;34m",
    reset: "\x1b[0m",
};

const PLAIN: Palette = Palette {
    bold: "",
    error: "",
    warning: "",
    blue: "",
    reset: "",
};

/// The files diagnostics quote, each read once however many point into it.
#[derive(Debug, Default)]
pub struct Sources {
    /// A file's text and where each of its lines starts; `None` if unreadable.
    files: HashMap<PathBuf, Option<(String, Vec<usize>)>>,
}

impl Sources {
    /// Line `line` (1-based) of `file`, unless it is too long to quote.
    fn line(&mut self, file: &Path, line: usize) -> Option<String> {
        let entry = self.files.entry(file.to_path_buf()).or_insert_with(|| {
            let text = std::fs::read_to_string(file).ok()?;
            let starts = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(at, _)| at + 1))
                .collect();
            Some((text, starts))
        });
        let (text, starts) = entry.as_ref()?;
        let start = *starts.get(line.checked_sub(1)?)?;
        // After a final newline there is no line to quote.
        if start >= text.len() {
            return None;
        }
        let end = starts.get(line).map_or(text.len(), |next| next - 1);
        let source = text.get(start..end)?.trim_end_matches('\r');
        // Minified JSON lines can be megabytes long; an excerpt that long helps nobody.
        const MAX: usize = 160;
        if source.chars().count() > MAX {
            return None;
        }
        Some(source.trim_end().to_string())
    }
}

/// How a headline is colored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Error,
    Warning,
    Note,
}

/// One place a message points at.
#[derive(Debug, Clone, Copy)]
pub struct Location<'a> {
    pub file: Option<&'a Path>,
    pub pointer: Option<&'a str>,
    pub position: Option<LineColumn>,
    /// Quote the line, with a caret under the column.
    pub quote: bool,
}

/// A message of any kind: `label[code]: text`, its locations, then notes
/// such as `help: ...`. Diagnostics are one case; `specforge diff`, whose
/// changes are located in two files, is another.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub label: &'a str,
    pub tone: Tone,
    pub code: Option<&'a str>,
    pub text: &'a str,
    pub locations: &'a [Location<'a>],
    /// `(label, text)`, rendered `= label: text`.
    pub notes: &'a [(&'a str, &'a str)],
}

/// Renders a [`Message`], reading quoted files through `sources`.
pub fn render_message(
    message: &Message<'_>,
    options: RenderOptions,
    sources: &mut Sources,
) -> String {
    let p = if options.color { &COLOR } else { &PLAIN };
    let tone = match message.tone {
        Tone::Error => p.error,
        Tone::Warning => p.warning,
        Tone::Note => p.blue,
    };
    let mut out = String::new();
    let code = message
        .code
        .map_or(String::new(), |code| format!("[{code}]"));
    let _ = writeln!(
        out,
        "{tone}{}{code}{}: {}{}{}",
        message.label, p.reset, p.bold, message.text, p.reset
    );
    let excerpts: Vec<Option<(LineColumn, String)>> = message
        .locations
        .iter()
        .map(|location| {
            let (file, position) = location.file.zip(location.position)?;
            if !location.quote {
                return None;
            }
            let line = sources.line(file, position.line as usize)?;
            Some((position, line))
        })
        .collect();
    let gutter = excerpts
        .iter()
        .flatten()
        .map(|(position, _)| position.line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(gutter);
    for (location, excerpt) in message.locations.iter().zip(&excerpts) {
        let mut place = String::new();
        if let Some(file) = location.file {
            place.push_str(&display_path(file));
            if let Some(position) = location.position {
                let _ = write!(place, ":{}:{}", position.line, position.column);
            }
        }
        if let Some(pointer) = location.pointer {
            if !place.is_empty() {
                place.push(' ');
            }
            let _ = write!(place, "({pointer})");
        }
        let _ = writeln!(out, "{pad}{}-->{} {place}", p.blue, p.reset);
        if let Some((position, line)) = excerpt {
            let caret_pad = " ".repeat((position.column as usize).saturating_sub(1));
            let number = format!("{:>gutter$}", position.line);
            let _ = writeln!(out, "{pad} {}|{}", p.blue, p.reset);
            let _ = writeln!(out, "{}{number} |{} {line}", p.blue, p.reset);
            let _ = writeln!(
                out,
                "{pad} {}|{} {caret_pad}{tone}^{}",
                p.blue, p.reset, p.reset
            );
        }
    }
    for (label, text) in message.notes {
        let _ = writeln!(
            out,
            "{pad} {}={} {}{label}{}: {text}",
            p.blue, p.reset, p.bold, p.reset
        );
    }
    out
}

fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::Sources;

    #[test]
    fn sources_quote_lines_as_written() {
        let dir = std::env::temp_dir().join(format!("specforge-sources-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("spec.yaml");
        std::fs::write(&file, "a: 1\r\nb: 2\n\nc: 3\n").unwrap();
        let mut sources = Sources::default();
        assert_eq!(sources.line(&file, 1).as_deref(), Some("a: 1"));
        assert_eq!(sources.line(&file, 2).as_deref(), Some("b: 2"));
        assert_eq!(sources.line(&file, 3).as_deref(), Some(""));
        assert_eq!(sources.line(&file, 4).as_deref(), Some("c: 3"));
        // Past the last line, and line 0, quote nothing.
        assert_eq!(sources.line(&file, 5), None);
        assert_eq!(sources.line(&file, 0), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Problems found in a spec, collected through a phase and reported together.
//!
//! A diagnostic names the file, the JSON pointer of the node at fault and, when
//! the source text allows, the line and column, so a user can fix every
//! problem of a spec in one run.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::load::locate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A position in a source file, both one-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineColumn {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub file: Option<PathBuf>,
    /// JSON pointer of the node at fault, e.g. `#/paths/~1users/get`.
    pub pointer: Option<String>,
    pub position: Option<LineColumn>,
    /// Boxed rather than a `String`: `Result<_, Diagnostic>` stays small.
    pub hint: Option<Box<str>>,
    /// The lint rule that found it (`paths-kebab-case`), shown as `warning[id]`.
    pub code: Option<&'static str>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            file: None,
            pointer: None,
            position: None,
            hint: None,
            code: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn at_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    pub fn at_position(mut self, line: usize, column: usize) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.position = Some(LineColumn {
            line: clamp(line),
            column: clamp(column),
        });
        self
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into().into_boxed_str());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Every problem found so far, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics::default()
    }

    /// Adds a diagnostic unless the same one is already there (a schema
    /// inlined at several uses reports its problem once).
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if !self.items.contains(&diagnostic) {
            self.items.push(diagnostic);
        }
    }

    pub fn extend(&mut self, other: Diagnostics) {
        for item in other.items {
            self.push(item);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Turns every warning into an error (`--deny-warnings`).
    pub fn deny_warnings(&mut self) {
        for item in &mut self.items {
            item.severity = Severity::Error;
        }
    }

    /// Ends a phase: `Err` with everything collected if any of it is an error.
    pub fn propagate(self) -> Result<Diagnostics, Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(self)
        }
    }

    /// Fills in line and column from the source text wherever only a pointer is known.
    pub fn locate_positions(&mut self) {
        // Each file is read and walked once, however many diagnostics point into it.
        let mut wanted: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
        for (index, item) in self.items.iter().enumerate() {
            if let (None, Some(file), Some(_)) = (&item.position, &item.file, &item.pointer) {
                wanted.entry(file.clone()).or_default().push(index);
            }
        }
        for (file, indices) in wanted {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let pointers: Vec<&str> = indices
                .iter()
                .filter_map(|&index| self.items[index].pointer.as_deref())
                .collect();
            let positions = locate::positions_of(&text, &pointers);
            for (index, position) in indices.into_iter().zip(positions) {
                self.items[index].position = position;
            }
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics {
            items: vec![diagnostic],
        }
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics {
            items: iter.into_iter().collect(),
        }
    }
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

/// Renders one diagnostic the way rustc does: headline, location, excerpt, hint.
pub fn render(diagnostic: &Diagnostic, options: RenderOptions) -> String {
    render_with(diagnostic, options, &mut Sources::default())
}

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

/// [`render`], reading quoted files through `sources`.
pub fn render_with(
    diagnostic: &Diagnostic,
    options: RenderOptions,
    sources: &mut Sources,
) -> String {
    let p = if options.color { &COLOR } else { &PLAIN };
    let severity_color = match diagnostic.severity {
        Severity::Error => p.error,
        Severity::Warning => p.warning,
    };
    let mut out = String::new();
    let code = diagnostic
        .code
        .as_ref()
        .map_or(String::new(), |code| format!("[{code}]"));
    let _ = writeln!(
        out,
        "{severity_color}{}{code}{}: {}{}{}",
        diagnostic.severity.label(),
        p.reset,
        p.bold,
        diagnostic.message,
        p.reset
    );
    let excerpt = diagnostic
        .file
        .as_deref()
        .zip(diagnostic.position)
        .and_then(|(file, position)| {
            sources
                .line(file, position.line as usize)
                .map(|l| (position, l))
        });
    let gutter = excerpt
        .as_ref()
        .map(|(position, _)| position.line.to_string().len())
        .unwrap_or(1);
    let pad = " ".repeat(gutter);
    if diagnostic.file.is_some() || diagnostic.pointer.is_some() {
        let mut location = String::new();
        if let Some(file) = &diagnostic.file {
            location.push_str(&display_path(file));
            if let Some(position) = diagnostic.position {
                let _ = write!(location, ":{}:{}", position.line, position.column);
            }
        }
        if let Some(pointer) = &diagnostic.pointer {
            if !location.is_empty() {
                location.push(' ');
            }
            let _ = write!(location, "({pointer})");
        }
        let _ = writeln!(out, "{pad}{}-->{} {location}", p.blue, p.reset);
    }
    if let Some((position, line)) = &excerpt {
        let caret_pad = " ".repeat((position.column as usize).saturating_sub(1));
        let _ = writeln!(out, "{pad} {}|{}", p.blue, p.reset);
        let _ = writeln!(out, "{}{} |{} {line}", p.blue, position.line, p.reset);
        let _ = writeln!(
            out,
            "{pad} {}|{} {caret_pad}{severity_color}^{}",
            p.blue, p.reset, p.reset
        );
    }
    if let Some(hint) = &diagnostic.hint {
        let _ = writeln!(
            out,
            "{pad} {}={} {}help{}: {hint}",
            p.blue, p.reset, p.bold, p.reset
        );
    }
    out
}

/// Renders every diagnostic followed by rustc's closing count line.
pub fn render_all(diagnostics: &Diagnostics, options: RenderOptions) -> String {
    let mut out = String::new();
    let mut sources = Sources::default();
    for diagnostic in diagnostics.iter() {
        out.push_str(&render_with(diagnostic, options, &mut sources));
        out.push('\n');
    }
    let errors = diagnostics.error_count();
    if errors > 0 {
        let _ = writeln!(
            out,
            "error: could not generate: {errors} error{} found",
            if errors == 1 { "" } else { "s" }
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

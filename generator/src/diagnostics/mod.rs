//! Problems found in a spec, collected through a phase and reported together.
//!
//! A diagnostic names the file, the JSON pointer of the node at fault and, when
//! the source text allows, the line and column, so a user can fix every
//! problem of a spec in one run.

mod message;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::load::locate;
pub use message::{render_message, LineColumn, Location, Message, RenderOptions, Sources, Tone};

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

/// Renders one diagnostic the way rustc does: headline, location, excerpt, hint.
pub fn render(diagnostic: &Diagnostic, options: RenderOptions) -> String {
    render_with(diagnostic, options, &mut Sources::default())
}

/// [`render`], reading quoted files through `sources`.
pub fn render_with(
    diagnostic: &Diagnostic,
    options: RenderOptions,
    sources: &mut Sources,
) -> String {
    let (label, tone) = match diagnostic.severity {
        Severity::Error => ("error", Tone::Error),
        Severity::Warning => ("warning", Tone::Warning),
    };
    let mut locations = Vec::new();
    if diagnostic.file.is_some() || diagnostic.pointer.is_some() {
        locations.push(Location {
            file: diagnostic.file.as_deref(),
            pointer: diagnostic.pointer.as_deref(),
            position: diagnostic.position,
            quote: true,
        });
    }
    let notes: Vec<(&str, &str)> = diagnostic
        .hint
        .as_deref()
        .map(|hint| ("help", hint))
        .into_iter()
        .collect();
    render_message(
        &Message {
            label,
            tone,
            code: diagnostic.code,
            text: &diagnostic.message,
            locations: &locations,
            notes: &notes,
        },
        options,
        sources,
    )
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

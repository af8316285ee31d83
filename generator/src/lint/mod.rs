//! `specforge lint`: design rules over a loaded spec, each finding located
//! by JSON pointer (and line and column) with a hint. The rules read the
//! bundled document as JSON, like the served document is built from it.

pub mod config;
pub mod report;
pub mod rules;

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::document::Document;
use crate::load::Spec;
pub use config::{Level, LintConfig};

/// One finding of one rule, at its configured level.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    pub pointer: String,
    pub message: String,
    pub hint: String,
}

/// Runs every rule that is not off; findings in rule order, then document order.
pub fn lint(spec: &Spec, config: &LintConfig) -> Vec<Finding> {
    let document = Document::new(&spec.raw);
    let mut findings = Vec::new();
    for rule in rules::RULES {
        let level = config.level(rule.id);
        if level == Level::Off {
            continue;
        }
        let mut found = Vec::new();
        (rule.check)(&document, &mut found);
        findings.extend(found.into_iter().map(|found| Finding {
            rule: rule.id,
            level,
            pointer: found.pointer,
            message: found.message,
            hint: found.hint,
        }));
    }
    findings
}

/// The findings as diagnostics of `file`, located by line and column.
pub fn diagnostics(findings: &[Finding], file: &Path) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    for finding in findings {
        let diagnostic = match finding.level {
            Level::Error => Diagnostic::error(&finding.message),
            _ => Diagnostic::warning(&finding.message),
        };
        diagnostics.push(
            diagnostic
                .with_code(finding.rule)
                .in_file(PathBuf::from(file))
                .at_pointer(&finding.pointer)
                .with_hint(&finding.hint),
        );
    }
    diagnostics.locate_positions();
    diagnostics
}

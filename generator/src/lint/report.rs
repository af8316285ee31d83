//! Lint findings as JSON or as SARIF 2.1.0 (which code-scanning UIs show);
//! text is the diagnostics' own rendering.

use std::path::Path;

use serde_json::{json, Value};

use super::{rules, Finding, Level};
use crate::diagnostics::Diagnostics;

/// `{file, errors, warnings, findings: [{rule, level, message, hint, pointer, line, column}]}`.
pub fn json(findings: &[Finding], located: &Diagnostics, file: &Path) -> Value {
    let items: Vec<Value> = findings
        .iter()
        .zip(located.iter())
        .map(|(finding, diagnostic)| {
            json!({
                "rule": finding.rule,
                "level": finding.level.name(),
                "message": finding.message,
                "hint": finding.hint,
                "pointer": finding.pointer,
                "line": diagnostic.position.map(|p| p.line),
                "column": diagnostic.position.map(|p| p.column),
            })
        })
        .collect();
    json!({
        "file": file.display().to_string(),
        "errors": count(findings, Level::Error),
        "warnings": count(findings, Level::Warning),
        "findings": items,
    })
}

/// A SARIF 2.1.0 log with one run: every rule in the driver, one result per finding.
pub fn sarif(findings: &[Finding], located: &Diagnostics, file: &Path) -> Value {
    let uri = file.display().to_string().replace('\\', "/");
    let driver_rules: Vec<Value> = rules::RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "shortDescription": {"text": rule.rationale},
                "defaultConfiguration": {"level": sarif_level(rule.default)},
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .zip(located.iter())
        .map(|(finding, diagnostic)| {
            let mut physical = json!({"artifactLocation": {"uri": uri}});
            if let Some(position) = diagnostic.position {
                physical["region"] =
                    json!({"startLine": position.line, "startColumn": position.column});
            }
            json!({
                "ruleId": finding.rule,
                "ruleIndex": rules::RULES.iter().position(|rule| rule.id == finding.rule),
                "level": sarif_level(finding.level),
                "message": {"text": format!("{} ({})", finding.message, finding.hint)},
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{"fullyQualifiedName": finding.pointer, "kind": "member"}],
                }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "specforge",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": driver_rules,
            }},
            "results": results,
        }],
    })
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Off => "none",
    }
}

pub fn count(findings: &[Finding], level: Level) -> usize {
    findings
        .iter()
        .filter(|finding| finding.level == level)
        .count()
}

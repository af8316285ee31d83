//! `specforge diff`'s output: text located in both files, or JSON.

use std::path::Path;

use serde_json::{json, Value};

use super::change::Change;
use crate::diagnostics::{
    render_message, LineColumn, Location, Message, RenderOptions, Sources, Tone,
};
use crate::load::locate;

/// Where each change is, by line and column, in the old and the new file.
pub struct Positions {
    old: Vec<Option<LineColumn>>,
    new: Vec<Option<LineColumn>>,
}

/// Reads each file once and finds every change's lines in it.
pub fn locate(changes: &[Change], old_file: &Path, new_file: &Path) -> Positions {
    let find = |file: &Path, pointer: fn(&Change) -> Option<&str>| -> Vec<Option<LineColumn>> {
        let Ok(text) = std::fs::read_to_string(file) else {
            return vec![None; changes.len()];
        };
        let pointers: Vec<&str> = changes
            .iter()
            .map(|change| pointer(change).unwrap_or(""))
            .collect();
        locate::positions_of(&text, &pointers)
            .into_iter()
            .zip(changes)
            .map(|(position, change)| pointer(change).and(position))
            .collect()
    };
    Positions {
        old: find(old_file, |change| change.old.as_deref()),
        new: find(new_file, |change| change.new.as_deref()),
    }
}

/// `breaking` and `safe` counts.
pub fn counts(changes: &[Change]) -> (usize, usize) {
    let breaking = changes.iter().filter(|change| change.is_breaking()).count();
    (breaking, changes.len() - breaking)
}

/// The changes as rustc-style messages, breaking ones first, each quoting
/// both files; safe ones only when `with_safe`.
pub fn text(
    changes: &[Change],
    positions: &Positions,
    (old_file, new_file): (&Path, &Path),
    with_safe: bool,
    options: RenderOptions,
) -> String {
    let mut sources = Sources::default();
    let mut out = String::new();
    let mut order: Vec<usize> = (0..changes.len()).collect();
    order.sort_by_key(|&index| !changes[index].is_breaking());
    for index in order {
        let change = &changes[index];
        if !change.is_breaking() && !with_safe {
            continue;
        }
        let locations: Vec<Location<'_>> = [
            (old_file, change.old.as_deref(), positions.old[index]),
            (new_file, change.new.as_deref(), positions.new[index]),
        ]
        .into_iter()
        .filter_map(|(file, pointer, position)| {
            Some(Location {
                file: Some(file),
                pointer: Some(pointer?),
                position,
                quote: change.is_breaking(),
            })
        })
        .collect();
        let operations = change.operations.join(", ");
        let mut notes: Vec<(&str, &str)> = Vec::new();
        if !operations.is_empty() {
            notes.push(("in", &operations));
        }
        if change.is_breaking() {
            notes.push(("why", change.check.rationale));
        }
        let (label, tone) = if change.is_breaking() {
            ("breaking", Tone::Error)
        } else {
            ("safe", Tone::Note)
        };
        out.push_str(&render_message(
            &Message {
                label,
                tone,
                code: Some(change.check.id),
                text: &change.message,
                locations: &locations,
                notes: &notes,
            },
            options,
            &mut sources,
        ));
        out.push('\n');
    }
    out
}

/// `{old, new, breaking, safe, changes: [{check, breaking, message,
/// operations, old: {pointer, line, column}, new: {...}}]}`.
pub fn json(
    changes: &[Change],
    positions: &Positions,
    (old_file, new_file): (&Path, &Path),
) -> Value {
    let side = |pointer: Option<&str>, position: Option<LineColumn>| match pointer {
        None => Value::Null,
        Some(pointer) => json!({
            "pointer": pointer,
            "line": position.map(|p| p.line),
            "column": position.map(|p| p.column),
        }),
    };
    let items: Vec<Value> = changes
        .iter()
        .enumerate()
        .map(|(index, change)| {
            json!({
                "check": change.check.id,
                "breaking": change.is_breaking(),
                "message": change.message,
                "operations": change.operations,
                "old": side(change.old.as_deref(), positions.old[index]),
                "new": side(change.new.as_deref(), positions.new[index]),
            })
        })
        .collect();
    let (breaking, safe) = counts(changes);
    json!({
        "old": old_file.display().to_string(),
        "new": new_file.display().to_string(),
        "breaking": breaking,
        "safe": safe,
        "changes": items,
    })
}

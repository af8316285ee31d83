//! Resolves `$ref`s: imports what other files define and checks every local target.
//!
//! After bundling the document is self-contained: a reference to
//! `common.yaml#/components/schemas/Money` becomes `#/components/schemas/Money`
//! with `Money` copied into the root's components (renamed `Money2` if the root
//! already has a different `Money`). Later stages therefore see one document.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::locate::pointer_segments;
use super::source::read_document;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Inlines external references into `root` and reports every unresolved one.
pub fn bundle(root_path: &Path, root: &mut Value) -> Diagnostics {
    let mut bundler = Bundler {
        root_canonical: canonical(root_path),
        documents: BTreeMap::new(),
        imported: BTreeMap::new(),
        pending: Vec::new(),
        taken_names: BTreeMap::new(),
        diagnostics: Diagnostics::new(),
    };
    bundler.reserve_root_names(root);
    let mut pointer = String::new();
    bundler.rewrite(root, root_path, &mut pointer);
    let pending = std::mem::take(&mut bundler.pending);
    insert_components(root, pending);
    check_local_references(root_path, root, &mut bundler.diagnostics);
    bundler.diagnostics
}

/// Escapes one JSON pointer segment.
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Whether a walk for references should skip the value under `key`.
///
/// Example data may contain `$ref` keys that are not references, and so may
/// vendor extensions.
/// Every `$ref` string anywhere in `document`, example and extension values
/// included: what "is this component used" must count conservatively.
pub fn references(document: &Value) -> BTreeSet<String> {
    fn collect(node: &Value, references: &mut BTreeSet<String>) {
        match node {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    references.insert(reference.to_string());
                }
                map.values().for_each(|value| collect(value, references));
            }
            Value::Array(items) => items.iter().for_each(|item| collect(item, references)),
            _ => {}
        }
    }
    let mut references = BTreeSet::new();
    collect(document, &mut references);
    references
}

fn is_opaque_key(key: &str) -> bool {
    key == "example" || key == "examples" || key.starts_with("x-")
}

struct Import {
    kind: String,
    name: String,
    value: Value,
}

struct Bundler {
    root_canonical: PathBuf,
    documents: BTreeMap<PathBuf, Option<Value>>,
    /// (file, fragment) -> the local reference that replaced it.
    imported: BTreeMap<(PathBuf, String), String>,
    pending: Vec<Import>,
    /// Component names in use per kind, so imports never overwrite.
    taken_names: BTreeMap<String, Vec<String>>,
    diagnostics: Diagnostics,
}

impl Bundler {
    fn reserve_root_names(&mut self, root: &Value) {
        if let Some(components) = root.get("components").and_then(Value::as_object) {
            for (kind, entries) in components {
                if let Some(entries) = entries.as_object() {
                    self.taken_names
                        .insert(kind.clone(), entries.keys().cloned().collect());
                }
            }
        }
    }

    /// Rewrites external references under `value`, which lives in `file` at `pointer`.
    fn rewrite(&mut self, value: &mut Value, file: &Path, pointer: &mut String) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(reference)) = object.get("$ref") {
                    let reference = reference.clone();
                    if let Some(local) = self.resolve_reference(&reference, file, pointer) {
                        object.insert("$ref".into(), Value::String(local));
                    }
                }
                for (key, child) in object.iter_mut() {
                    if is_opaque_key(key) || key == "$ref" {
                        continue;
                    }
                    let length = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&escape_segment(key));
                    self.rewrite(child, file, pointer);
                    pointer.truncate(length);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter_mut().enumerate() {
                    let length = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                    self.rewrite(child, file, pointer);
                    pointer.truncate(length);
                }
            }
            _ => {}
        }
    }

    /// The local reference that replaces `reference`, or `None` to keep it as is.
    fn resolve_reference(&mut self, reference: &str, file: &Path, pointer: &str) -> Option<String> {
        let (target_file, fragment) = match reference.split_once('#') {
            Some(("", _)) if canonical(file) == self.root_canonical => return None,
            Some(("", fragment)) => (file.to_path_buf(), fragment.to_string()),
            Some((path, fragment)) => (sibling(file, path), fragment.to_string()),
            None => (sibling(file, reference), String::new()),
        };
        let target_canonical = canonical(&target_file);
        if target_canonical == self.root_canonical {
            return Some(format!("#{fragment}"));
        }
        let key = (target_canonical.clone(), fragment.clone());
        if let Some(local) = self.imported.get(&key) {
            return Some(local.clone());
        }
        let document = self.document(&target_file, &target_canonical, reference, file, pointer)?;
        let Some(target) = lookup(&document, &fragment) else {
            self.diagnostics.push(
                Diagnostic::error(format!(
                    "unresolved reference `{reference}`: `{}` has nothing at `#{fragment}`",
                    target_file.display()
                ))
                .in_file(file)
                .at_pointer(format!("#{pointer}"))
                .with_hint("check the file's components and the spelling of the reference"),
            );
            return None;
        };
        let segments = pointer_segments(&fragment);
        let (kind, base_name) = match segments.as_slice() {
            [components, kind, name] if components == "components" => (kind.clone(), name.clone()),
            _ => (
                kind_for_referrer(pointer),
                segments
                    .last()
                    .cloned()
                    .unwrap_or_else(|| file_stem(&target_file)),
            ),
        };
        let name = self.unique_name(&kind, &base_name);
        let local = format!("#/components/{kind}/{}", escape_segment(&name));
        self.imported.insert(key, local.clone());
        // Take the slot before walking the target, so imports keep the order
        // in which they are first referenced.
        let slot = self.pending.len();
        self.pending.push(Import {
            kind,
            name,
            value: Value::Null,
        });
        let mut value = target.clone();
        let mut inner_pointer = fragment.clone();
        self.rewrite(&mut value, &target_file, &mut inner_pointer);
        self.pending[slot].value = value;
        Some(local)
    }

    fn document(
        &mut self,
        path: &Path,
        canonical_path: &Path,
        reference: &str,
        referrer_file: &Path,
        pointer: &str,
    ) -> Option<Value> {
        if let Some(cached) = self.documents.get(canonical_path) {
            return cached.clone();
        }
        let loaded = match read_document(path) {
            Ok(value) => Some(value),
            Err(cause) => {
                let mut diagnostic = Diagnostic::error(format!(
                    "cannot resolve `{reference}`: {}",
                    cause.message
                ))
                .in_file(referrer_file)
                .at_pointer(format!("#{pointer}"))
                .with_hint(
                    "external references are resolved relative to the file that contains them",
                );
                if cause.position.is_some() {
                    // A syntax error in the other file: point there instead.
                    diagnostic = cause;
                }
                self.diagnostics.push(diagnostic);
                None
            }
        };
        self.documents
            .insert(canonical_path.to_path_buf(), loaded.clone());
        loaded
    }

    fn unique_name(&mut self, kind: &str, base: &str) -> String {
        let taken = self.taken_names.entry(kind.to_string()).or_default();
        let mut name = base.to_string();
        let mut counter = 2;
        while taken.contains(&name) {
            name = format!("{base}{counter}");
            counter += 1;
        }
        taken.push(name.clone());
        name
    }
}

fn insert_components(root: &mut Value, pending: Vec<Import>) {
    if pending.is_empty() {
        return;
    }
    let Some(root_object) = root.as_object_mut() else {
        return;
    };
    let components = root_object
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(components) = components.as_object_mut() else {
        return;
    };
    for import in pending {
        let entries = components
            .entry(import.kind)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(entries) = entries.as_object_mut() {
            entries.insert(import.name, import.value);
        }
    }
}

/// Reports every `#/...` reference in `root` whose target does not exist.
fn check_local_references(path: &Path, root: &Value, diagnostics: &mut Diagnostics) {
    let mut pointer = String::new();
    walk_references(root, &mut pointer, &mut |reference, at| {
        let Some(fragment) = reference.strip_prefix('#') else {
            return;
        };
        if lookup(root, fragment).is_none() {
            let hint = match pointer_segments(fragment).as_slice() {
                [components, kind, name] if components == "components" => {
                    format!("define `{name}` under `components/{kind}`, or fix the reference")
                }
                _ => "fix the reference so it names an existing node".to_string(),
            };
            diagnostics.push(
                Diagnostic::error(format!("unresolved reference `{reference}`"))
                    .in_file(path)
                    .at_pointer(format!("#{at}"))
                    .with_hint(hint),
            );
        }
    });
}

fn walk_references(value: &Value, pointer: &mut String, visit: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get("$ref") {
                visit(reference, pointer);
            }
            for (key, child) in object {
                if is_opaque_key(key) {
                    continue;
                }
                let length = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_segment(key));
                walk_references(child, pointer, visit);
                pointer.truncate(length);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let length = pointer.len();
                pointer.push('/');
                pointer.push_str(&index.to_string());
                walk_references(child, pointer, visit);
                pointer.truncate(length);
            }
        }
        _ => {}
    }
}

fn lookup<'v>(document: &'v Value, fragment: &str) -> Option<&'v Value> {
    let mut node = document;
    for segment in pointer_segments(fragment) {
        node = match node {
            Value::Object(object) => object.get(&segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The component kind an inline reference stands for, judged from where it is used.
fn kind_for_referrer(pointer: &str) -> String {
    let segments = pointer_segments(pointer);
    let last = segments.last().map(String::as_str);
    let parent = segments.len().checked_sub(2).map(|i| segments[i].as_str());
    let kind = match (parent, last) {
        (_, Some("requestBody")) => "requestBodies",
        (Some("parameters"), _) => "parameters",
        (Some("responses"), _) => "responses",
        (Some("headers"), _) => "headers",
        (Some("securitySchemes"), _) => "securitySchemes",
        (Some("links"), _) => "links",
        (Some("callbacks"), _) => "callbacks",
        _ => "schemas",
    };
    kind.to_string()
}

fn sibling(file: &Path, relative: &str) -> PathBuf {
    file.parent()
        .unwrap_or_else(|| Path::new(""))
        .join(relative)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "External".to_string())
}

//! Maps JSON pointers back to lines and columns in the source text.
//!
//! Parsing keeps no positions (serde values have none), so this runs only when
//! diagnostics are rendered: it replays the file once through an event parser
//! and notes where each requested node starts. JSON is YAML, so one walker
//! serves both.

use std::collections::{HashMap, HashSet};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostics::LineColumn;

/// The position of the node at `pointer` (`#/paths/~1users/get`), one-based.
///
/// For a mapping entry this is the position of its key, which is where a
/// reader looks first.
pub fn position_of(text: &str, pointer: &str) -> Option<LineColumn> {
    positions_of(text, &[pointer]).pop().flatten()
}

/// The positions of the nodes at `pointers`, in their order, found in one
/// pass over `text` however many there are.
pub fn positions_of(text: &str, pointers: &[&str]) -> Vec<Option<LineColumn>> {
    let mut found = vec![None; pointers.len()];
    let mut targets: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
    for (index, pointer) in pointers.iter().enumerate() {
        let target = pointer_segments(pointer);
        if target.is_empty() {
            // The whole document: where it starts, not where its first value is.
            found[index] = Some(LineColumn { line: 1, column: 1 });
        } else {
            targets.entry(target).or_default().push(index);
        }
    }
    if targets.is_empty() {
        return found;
    }
    // Every route to a target, so the walk can skip the subtrees off them.
    let mut routes = HashSet::new();
    for target in targets.keys() {
        for length in 0..=target.len() {
            routes.insert(target[..length].to_vec());
        }
    }
    let mut walker = Walker {
        targets,
        routes,
        frames: Vec::new(),
        found,
        root_seen: false,
    };
    let mut parser = Parser::new_from_str(text);
    // A scan error after the targets were found does not matter.
    let _ = parser.load(&mut walker, false);
    walker.found
}

/// Splits a JSON pointer into unescaped segments.
pub fn pointer_segments(pointer: &str) -> Vec<String> {
    let pointer = pointer.strip_prefix('#').unwrap_or(pointer);
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect()
}

enum Frame {
    Mapping {
        path: Vec<String>,
        key: Option<String>,
    },
    Sequence {
        path: Vec<String>,
        index: usize,
    },
}

struct Walker {
    /// Each target path not found yet, with the indices of the pointers that name it.
    targets: HashMap<Vec<String>, Vec<usize>>,
    /// Every prefix of a target path.
    routes: HashSet<Vec<String>>,
    frames: Vec<Frame>,
    found: Vec<Option<LineColumn>>,
    root_seen: bool,
}

impl Walker {
    fn record(&mut self, path: &[String], mark: Marker) {
        let Some(indices) = self.targets.remove(path) else {
            return;
        };
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let position = LineColumn {
            line: clamp(mark.line()),
            column: clamp(mark.col() + 1),
        };
        for index in indices {
            self.found[index] = Some(position);
        }
    }

    /// The path of a value node starting now, or `None` if the node is a key.
    fn value_path(&mut self, key_text: Option<&str>, mark: Marker) -> Option<Vec<String>> {
        match self.frames.last_mut() {
            None => {
                if self.root_seen {
                    return Some(vec!["\u{0}".into()]);
                }
                self.root_seen = true;
                Some(Vec::new())
            }
            Some(Frame::Mapping { path, key }) => match key.take() {
                Some(key) => {
                    let mut child = path.clone();
                    child.push(key);
                    Some(child)
                }
                None => {
                    let mut child = path.clone();
                    child.push(key_text.unwrap_or_default().to_string());
                    *key = Some(key_text.unwrap_or_default().to_string());
                    self.record(&child, mark);
                    None
                }
            },
            Some(Frame::Sequence { path, index }) => {
                let mut child = path.clone();
                child.push(index.to_string());
                *index += 1;
                Some(child)
            }
        }
    }

    fn is_on_target_route(&self, path: &[String]) -> bool {
        self.routes.contains(path)
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.targets.is_empty() {
            return;
        }
        match event {
            Event::Scalar(text, ..) => {
                if let Some(path) = self.value_path(Some(&text), mark) {
                    self.record(&path, mark);
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.value_path(None, mark) {
                    self.record(&path, mark);
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_mapping = matches!(event, Event::MappingStart(..));
                let path = self.value_path(None, mark).unwrap_or_default();
                self.record(&path, mark);
                // Subtrees off the route to the target are still walked (to keep
                // the frame stack right) but cannot match.
                let path = if self.is_on_target_route(&path) {
                    path
                } else {
                    vec!["\u{0}".into()]
                };
                self.frames.push(if is_mapping {
                    Frame::Mapping { path, key: None }
                } else {
                    Frame::Sequence { path, index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.frames.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "openapi: 3.0.3\npaths:\n  /users:\n    get:\n      responses:\n        '200':\n          description: ok\n";
    const JSON: &str = "{\n  \"openapi\": \"3.0.3\",\n  \"tags\": [\n    {\"name\": \"a\"},\n    {\"name\": \"b\"}\n  ]\n}\n";

    #[test]
    fn finds_mapping_keys_and_sequence_items() {
        let cases = [
            (YAML, "#/openapi", Some((1, 1))),
            (YAML, "#/paths/~1users/get", Some((4, 5))),
            (
                YAML,
                "#/paths/~1users/get/responses/200/description",
                Some((7, 11)),
            ),
            (YAML, "#/paths/~1pets", None),
            (JSON, "#/tags/1", Some((5, 5))),
            (JSON, "#/tags/1/name", Some((5, 6))),
            (JSON, "", Some((1, 1))),
        ];
        for (text, pointer, expected) in cases {
            let found = position_of(text, pointer).map(|p| (p.line, p.column));
            assert_eq!(found, expected, "{pointer}");
        }
    }

    #[test]
    fn one_pass_finds_many_pointers_in_their_order() {
        let pointers = [
            "#/paths/~1users/get/responses/200/description",
            "#/paths/~1pets",
            "#/openapi",
            "",
            "#/paths/~1users/get",
            "#/openapi",
        ];
        let found: Vec<Option<(u32, u32)>> = positions_of(YAML, &pointers)
            .into_iter()
            .map(|p| p.map(|p| (p.line, p.column)))
            .collect();
        assert_eq!(
            found,
            [
                Some((7, 11)),
                None,
                Some((1, 1)),
                Some((1, 1)),
                Some((4, 5)),
                Some((1, 1))
            ]
        );
    }

    #[test]
    fn unescapes_pointer_segments() {
        assert_eq!(pointer_segments("#/a~1b/c~0d"), vec!["a/b", "c~d"]);
        assert!(pointer_segments("#").is_empty());
    }
}

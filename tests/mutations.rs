//! Never a panic on any input: the flagship spec (3.0) and the 3.1 feature
//! spec, mutated many times over (values replaced with junk of both
//! versions, keys removed or added, the text truncated), either generate or
//! fail with errors; the generator does not panic or overflow its stack.

use std::path::Path;

use serde_json::{json, Value};
use specforge::{generate, Settings};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn junk() -> Vec<Value> {
    vec![
        Value::Null,
        json!(1),
        json!(-1),
        json!(1.5),
        json!("x"),
        json!(""),
        json!([]),
        json!({}),
        json!(true),
        json!({"$ref": "#/nope"}),
        json!({"$ref": "#/components/schemas/User"}),
        json!({"type": "array"}),
        json!({"type": "object", "properties": {"a": {"type": "string", "enum": []}}}),
        json!({"oneOf": []}),
        json!({"allOf": [{"$ref": "#/components/schemas/User"}, {"type": "string"}]}),
        json!({"type": "string", "pattern": "(("}),
        json!({"type": "integer", "minimum": "a"}),
        json!(1e30),
        json!({"type": ["string", "null"], "maxLength": 3}),
        json!({"type": ["integer", "string", "null"], "enum": [1, "a", null]}),
        json!({"const": 1}),
        json!({"oneOf": [{"const": "a", "title": "A"}, {"type": "null"}]}),
        json!({"$ref": "#/components/schemas/Missing/$defs/X", "description": "d"}),
        json!({"$defs": {"X": {"type": "string"}}, "$ref": "#/$defs/X"}),
        json!({"type": "array", "prefixItems": [{"type": "string"}], "items": false}),
        json!({"type": "number", "exclusiveMinimum": 5, "examples": [6]}),
        json!({"$ref": "#/components/responses/Missing"}),
        json!({"in": "body", "name": "x"}),
    ]
}

/// Every JSON pointer in `value` except the root.
fn pointers(value: &Value, prefix: &str, out: &mut Vec<String>) {
    let escape = |key: &str| key.replace('~', "~0").replace('/', "~1");
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let pointer = format!("{prefix}/{}", escape(key));
                out.push(pointer.clone());
                pointers(child, &pointer, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let pointer = format!("{prefix}/{index}");
                out.push(pointer.clone());
                pointers(child, &pointer, out);
            }
        }
        _ => {}
    }
}

fn mutate(document: &mut Value, rng: &mut Rng, junk: &[Value]) {
    let mut all = Vec::new();
    pointers(document, "", &mut all);
    let pointer = &all[rng.below(all.len())];
    let (parent, key) = pointer.rsplit_once('/').expect("not the root");
    let replacement = junk[rng.below(junk.len())].clone();
    let choice = rng.below(3);
    let Some(parent) = document.pointer_mut(parent) else {
        return;
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    match (parent, choice) {
        (Value::Object(object), 0) => {
            object.insert(key, replacement);
        }
        (Value::Object(object), 1) => {
            object.remove(&key);
        }
        (Value::Object(object), _) => {
            object.insert(format!("{key}_x"), replacement);
        }
        (Value::Array(items), 0 | 2) => {
            if let Some(slot) = key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = replacement;
            }
        }
        (Value::Array(items), _) => {
            if let Ok(index) = key.parse::<usize>() {
                if index < items.len() {
                    items.remove(index);
                }
            }
        }
        _ => {}
    }
}

/// Runs `generate` on `document` written as JSON; `true` if it generated.
fn outcome(spec: &Path, text: &str, round: usize) -> bool {
    std::fs::write(spec, text).unwrap();
    let settings = Settings {
        name: "mutated".into(),
        example_tests: false,
    };
    match std::panic::catch_unwind(|| generate(spec, &settings)) {
        Ok(Ok(_)) => true,
        Ok(Err(diagnostics)) => {
            assert!(
                diagnostics.has_errors(),
                "round {round}: refused without an error"
            );
            false
        }
        Err(_) => panic!("round {round} panicked on:\n{text}"),
    }
}

#[test]
fn mutated_specs_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let junk = junk();
    let directory = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5EED_2026);
    let (mut generated, mut refused) = (0, 0);
    for base in ["specs/payments.yaml", "tests/specs/openapi31.yaml"] {
        let text = std::fs::read_to_string(root.join(base)).unwrap();
        let base: Value = serde_yaml::from_str(&text).unwrap();
        let spec = directory.path().join("mutated.json");
        for round in 0..300 {
            let mut document = base.clone();
            for _ in 0..=rng.below(4) {
                mutate(&mut document, &mut rng, &junk);
            }
            let text = serde_json::to_string(&document).unwrap();
            if outcome(&spec, &text, round) {
                generated += 1;
            } else {
                refused += 1;
            }
        }
        // Truncated at any point, as a half-saved file is.
        let spec = directory.path().join("truncated.yaml");
        for round in 0..50 {
            let mut cut = rng.below(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            if outcome(&spec, &text[..cut], round) {
                generated += 1;
            } else {
                refused += 1;
            }
        }
    }
    assert!(
        generated > 0 && refused > 0,
        "the mutations should both pass and fail ({generated}/{refused})"
    );
}

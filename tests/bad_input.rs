//! Specs that cannot be generated: each gets a located, exact message and
//! exit code 2, and an existing output directory is left exactly as it was.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `specforge generate` on `tests/bad/<name>` over an output directory
/// that already holds a crate, and returns stderr.
fn generate_bad(name: &str) -> String {
    let out = tempfile::tempdir().expect("temporary directory");
    let existing = out.path().join("bad-types/src/lib.rs");
    fs::create_dir_all(existing.parent().unwrap()).unwrap();
    fs::write(&existing, "// written before the failed run\n").unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_specforge"))
        .current_dir(repository())
        .args([
            "generate",
            &format!("tests/bad/{name}"),
            "--name",
            "bad",
            "--color",
            "never",
            "--out",
        ])
        .arg(out.path())
        .output()
        .expect("specforge runs");

    let stderr = String::from_utf8(output.stderr).expect("UTF-8 diagnostics");
    assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
    assert!(output.stdout.is_empty(), "{name}: nothing on stdout");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    assert_eq!(
        fs::read_to_string(&existing).unwrap(),
        "// written before the failed run\n",
        "{name}: the existing output was touched"
    );
    let entries: Vec<_> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        entries,
        vec!["bad-types"],
        "{name}: stray files in the output directory"
    );
    stderr
}

macro_rules! bad_input {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(stringify!($test), generate_bad($file));
        }
    };
}

bad_input!(malformed_yaml, "malformed.yaml");
bad_input!(malformed_json, "malformed.json");
bad_input!(empty_file, "empty.yaml");
bad_input!(not_openapi, "not-openapi.yaml");
bad_input!(swagger_2, "swagger.yaml");
bad_input!(unsupported_version, "openapi-4.yaml");
bad_input!(missing_ref_target, "missing-ref.yaml");
bad_input!(missing_external_file, "missing-file.yaml");
bad_input!(schema_violation, "bad-schema.yaml");
bad_input!(malformed_extensions, "bad-extensions.yaml");
bad_input!(missing_spec_file, "does-not-exist.yaml");
bad_input!(unknown_error_schema, "bad-envelope.yaml");

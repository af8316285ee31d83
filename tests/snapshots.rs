//! Snapshots of the generated output: every file for the flagship spec, and
//! one snapshot per feature spec under `tests/specs/`.

use std::path::{Path, PathBuf};

use specforge::{generate, Settings};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn settings(name: &str) -> Settings {
    Settings {
        name: name.to_string(),
        example_tests: false,
    }
}

#[test]
fn flagship_every_file() {
    let generated = generate(
        &repository().join("specs/payments.yaml"),
        &settings("payments"),
    )
    .expect("the flagship spec generates");
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    for (path, text) in &generated.output.files {
        let name = format!("payments__{}", path.replace(['/', '.'], "_"));
        insta::assert_snapshot!(name, text);
    }
}

/// The types crate's runtime, copied verbatim, that the flagship snapshots pin.
const TYPES_RUNTIME: &[&str] = &["src/validation/", "src/decode.rs", "src/enums.rs"];

/// A feature's types crate in one snapshot: its manifest and Rust files, but
/// not the runtime copied verbatim ([`TYPES_RUNTIME`]) nor the server and
/// client crates, which the flagship snapshots pin.
#[test]
fn feature_specs() {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(repository().join("tests/specs"))
        .expect("tests/specs exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    assert!(specs.len() >= 10, "the feature specs are missing");
    for spec in specs {
        let feature = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let settings = Settings {
            // As committed: the examples feature pins the round-trip tests too.
            example_tests: feature == "examples",
            ..settings(&feature)
        };
        let generated = generate(&spec, &settings)
            .unwrap_or_else(|d| panic!("{feature} does not generate: {d:?}"));
        let mut combined = String::new();
        for (path, text) in &generated.output.files {
            let in_types = path.starts_with(&format!("{feature}-types/"));
            let runtime = TYPES_RUNTIME.iter().any(|part| path.contains(part));
            if !in_types || runtime || path.ends_with("README.md") {
                continue;
            }
            combined.push_str(&format!("==> {path} <==\n{text}\n"));
        }
        insta::assert_snapshot!(feature, combined);
    }
}

#[test]
fn external_references_are_bundled() {
    let generated = generate(
        &repository().join("tests/specs/external/api.yaml"),
        &settings("external"),
    )
    .expect("the external-reference spec generates");
    let models = &generated.output.files["external-types/src/models.rs"];
    insta::assert_snapshot!("external_models", models);
    // A security scheme that is a `$ref` into another file resolves to its definition.
    let shared = generated
        .api
        .security_schemes
        .iter()
        .find(|s| s.name.wire == "Shared")
        .expect("the Shared scheme is lowered");
    assert!(matches!(
        shared.kind,
        specforge::ir::SecuritySchemeKind::HttpBearer { .. }
    ));
    assert_eq!(
        shared.docs.as_deref(),
        Some("A bearer token shared by several APIs.")
    );
}

/// What lowering reads from the flagship's extensions, security and servers:
/// the part of the IR that the server and client generators build on.
#[test]
fn flagship_ir_extensions() {
    let generated = generate(
        &repository().join("specs/payments.yaml"),
        &settings("payments"),
    )
    .expect("the flagship spec generates");
    let api = &generated.api;
    let operations: Vec<serde_json::Value> = api
        .operations
        .iter()
        .map(|operation| {
            serde_json::json!({
                "id": operation.id,
                "method": operation.method,
                "route": format!("{}{}", operation.base_path, operation.path),
                "security": operation.security,
                "params": operation.params_type.map(|id| api.type_def(id).name.clone()),
                "body": operation.request_body.as_ref().map(|b| &b.preferred().content_type),
                "statuses": operation.responses.iter().map(|r| r.status).collect::<Vec<_>>(),
                "extensions": operation.extensions,
            })
        })
        .collect();
    let summary = serde_json::json!({
        "base_path": api.base_path,
        "security_schemes": api.security_schemes,
        "extensions": api.extensions,
        "operations": operations,
    });
    insta::assert_snapshot!(serde_json::to_string_pretty(&summary).unwrap());
}

//! Every document of the public corpus (`../shared/corpus/`) either generates
//! or fails with located errors; none panics.

use std::panic;
use std::path::{Path, PathBuf};

use specforge::{generate, Settings};

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    dir.is_dir().then_some(dir)
}

/// Documents expected to generate today; the rest must fail with located errors.
const GENERATES: &[&str] = &[
    "asana.yaml",
    "github-api.json",
    "oai-callback-example.yaml",
    "oai-link-example.yaml",
    "oai-petstore.yaml",
    "oxide-buildomat.json",
    "oxide-keeper.json",
    "oxide-nexus.json",
    "oxide-propolis-server.json",
    "spotify.yaml",
    "swagger-petstore-v3.yaml",
    "xero-accounting.yaml",
    "xero-identity.yaml",
    "xero-projects.yaml",
];

#[test]
fn every_corpus_document_generates_or_fails_with_a_location() {
    let Some(dir) = corpus_dir() else {
        assert!(
            std::env::var("CI").is_err(),
            "the corpus must be present under CI (../shared/corpus)"
        );
        eprintln!("skipped: ../shared/corpus is not present");
        return;
    };
    let mut documents: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    documents.sort();
    assert!(documents.len() >= 17, "the corpus is incomplete");

    let mut failures = Vec::new();
    for document in &documents {
        let name = document.file_name().unwrap().to_string_lossy().into_owned();
        let settings = Settings {
            name: "corpus".into(),
        };
        let result = panic::catch_unwind(|| generate(document, &settings));
        match result {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(generated)) => {
                if !GENERATES.contains(&name.as_str()) {
                    failures.push(format!("{name}: generates now; add it to GENERATES"));
                }
                assert!(generated
                    .output
                    .files
                    .contains_key("corpus-types/src/models.rs"));
            }
            Ok(Err(diagnostics)) => {
                if GENERATES.contains(&name.as_str()) {
                    failures.push(format!("{name}: no longer generates: {diagnostics:?}"));
                }
                for diagnostic in diagnostics.iter().filter(|d| d.is_error()) {
                    let located = diagnostic.file.is_some()
                        && (diagnostic.pointer.is_some() || diagnostic.position.is_some());
                    if !located {
                        failures.push(format!("{name}: unlocated error {:?}", diagnostic.message));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

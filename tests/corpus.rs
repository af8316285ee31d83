//! Every document of the public corpus (`../shared/corpus/`) generates, and
//! every warning on the way is located; none panics. (`scripts/corpus.py`
//! builds what they generate.)

use std::panic;
use std::path::{Path, PathBuf};

use specforge::{generate, Settings};

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    dir.is_dir().then_some(dir)
}

#[test]
fn every_corpus_document_generates_with_located_warnings() {
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
    assert!(documents.len() >= 18, "the corpus is incomplete");

    let mut failures = Vec::new();
    for document in &documents {
        let name = document.file_name().unwrap().to_string_lossy().into_owned();
        let settings = Settings {
            name: "corpus".into(),
            example_tests: false,
        };
        let result = panic::catch_unwind(|| generate(document, &settings));
        match result {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(generated)) => {
                // One file, or one per area for a large API.
                let files = &generated.output.files;
                assert!(
                    files.contains_key("corpus-types/src/models.rs")
                        || files.contains_key("corpus-types/src/models/mod.rs"),
                    "{name} has no models"
                );
                for warning in generated.warnings.iter() {
                    if warning.file.is_none() || warning.pointer.is_none() {
                        failures.push(format!("{name}: unlocated warning {:?}", warning.message));
                    }
                }
            }
            Ok(Err(diagnostics)) => {
                failures.push(format!("{name}: does not generate: {diagnostics:?}"))
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

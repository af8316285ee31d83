//! How a large API's output is laid out: one file per area of the API
//! (its tags, or untagged its first path segment) for the models, the
//! parameters, the server's operations and routes and the client's methods,
//! with every item still at the path a small API's has.

use std::path::{Path, PathBuf};

use specforge::{generate, Settings};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(spec: &str, name: &str) -> Vec<String> {
    let settings = Settings {
        name: name.to_string(),
        example_tests: false,
    };
    let generated = generate(&repository().join(spec), &settings).expect("the spec generates");
    generated.output.files.keys().cloned().collect()
}

#[test]
fn large_apis_get_one_file_per_area() {
    let files = files("tests/specs/areas.yaml", "areas");
    // `metrics` is also a runtime module the root routes module uses.
    let areas = [
        "accounts", "invoices", "payouts", "metrics", "teams", "webhooks",
    ];
    for area in areas {
        for dir in [
            "areas-types/src/models",
            "areas-types/src/params",
            "areas-server/src/operations",
            "areas-server/src/routes",
            "areas-client/src/operations",
        ] {
            let path = format!("{dir}/{area}.rs");
            assert!(files.contains(&path), "{path} missing from {files:#?}");
        }
    }
    // Untagged operations go by their first path segment.
    assert!(files.contains(&"areas-server/src/routes/health.rs".to_string()));
    // Types several areas use have a module of their own.
    assert!(files.contains(&"areas-types/src/models/common.rs".to_string()));
    for single in [
        "areas-types/src/models.rs",
        "areas-types/src/params.rs",
        "areas-server/src/routes.rs",
        "areas-server/src/operations.rs",
        "areas-client/src/operations.rs",
    ] {
        assert!(!files.contains(&single.to_string()), "{single} is split");
    }
}

#[test]
fn types_live_with_the_only_area_that_uses_them() {
    let settings = Settings {
        name: "areas".to_string(),
        example_tests: false,
    };
    let generated = generate(&repository().join("tests/specs/areas.yaml"), &settings)
        .expect("the spec generates");
    let file = |path: &str| &generated.output.files[path];
    assert!(file("areas-types/src/models/accounts.rs").contains("pub struct Account {"));
    assert!(file("areas-types/src/models/teams.rs").contains("pub struct Team {"));
    let common = file("areas-types/src/models/common.rs");
    for shared in [
        "pub struct Event {",
        "pub struct Note {",
        "pub struct Error {",
    ] {
        assert!(common.contains(shared), "{shared} not in common.rs");
    }
    // Every item keeps its path: the parent re-exports each module whole.
    assert!(file("areas-types/src/models/mod.rs").contains("pub use accounts::*;"));
    assert!(file("areas-server/src/operations/mod.rs").contains("pub use accounts::*;"));
}

#[test]
fn small_apis_keep_one_file_per_kind() {
    let files = files("specs/payments.yaml", "payments");
    for single in [
        "payments-types/src/models.rs",
        "payments-types/src/params.rs",
        "payments-server/src/routes.rs",
        "payments-server/src/operations.rs",
        "payments-client/src/operations.rs",
    ] {
        assert!(files.contains(&single.to_string()), "{single} missing");
    }
}

/// A split file imports only what its own items use, even where the items
/// of a type were dropped for an alias of a type in another file (a real
/// spec: spotify's playlists and shows repeat shapes first met elsewhere).
#[test]
fn split_files_import_rules_only_where_they_check_them() {
    let settings = Settings {
        name: "spotify".to_string(),
        example_tests: false,
    };
    let spec = repository().join("../shared/corpus/spotify.yaml");
    let generated = generate(&spec, &settings).expect("the spec generates");
    let mut split = 0;
    for (path, text) in &generated.output.files {
        let in_area = path.contains("/src/models/") || path.contains("/src/params/");
        if !in_area {
            continue;
        }
        split += 1;
        let imports_rules = text
            .lines()
            .any(|line| line.starts_with("use crate::validation::") && line.contains("rules"));
        assert_eq!(
            imports_rules,
            text.contains("rules::"),
            "{path} imports `rules` without using it, or uses it without importing it"
        );
    }
    assert!(split > 10, "spotify is split into areas");
}

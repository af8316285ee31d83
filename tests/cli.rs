//! The command line: `generate` and `check`, exit codes, what regeneration
//! keeps, determinism, and freshness of every committed output.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use specforge::emit::CrateKind;
use specforge::{generate, write, Settings};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn specforge(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specforge"))
        .current_dir(repository())
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("specforge runs")
}

/// `specforge generate` of the flagship into `out`, which must succeed.
fn generate_flagship(out: &Path) -> Output {
    let generated = specforge(
        &["generate", "specs/payments.yaml", "--name", "payments"],
        out,
    );
    assert_eq!(
        generated.status.code(),
        Some(0),
        "{}",
        text(&generated.stderr)
    );
    generated
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn generate_then_check_is_clean() {
    let out = tempfile::tempdir().unwrap();
    let generated = generate_flagship(out.path());
    let summary = text(&generated.stdout);
    assert!(
        summary.starts_with(
            "Generated payments-types, payments-server, payments-client (20 types, 10 operations)"
        ),
        "{summary}"
    );
    for name in ["payments-types", "payments-server", "payments-client"] {
        assert!(out.path().join(name).join("Cargo.toml").is_file(), "{name}");
        assert!(out.path().join(name).join("README.md").is_file(), "{name}");
        assert!(out.path().join(name).join("src/lib.rs").is_file(), "{name}");
    }
    let checked = specforge(
        &["check", "specs/payments.yaml", "--name", "payments"],
        out.path(),
    );
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked.stderr));
}

#[test]
fn check_reports_hand_edits_missing_and_extra_files() {
    let out = tempfile::tempdir().unwrap();
    generate_flagship(out.path());

    let models = out.path().join("payments-types/src/models.rs");
    let edited = fs::read_to_string(&models)
        .unwrap()
        .replace("pub struct User {", "pub struct User { // edited");
    fs::write(&models, edited).unwrap();
    fs::remove_file(out.path().join("payments-client/README.md")).unwrap();
    fs::write(
        out.path().join("payments-server/src/extra.rs"),
        "// stray\n",
    )
    .unwrap();

    let checked = specforge(
        &["check", "specs/payments.yaml", "--name", "payments"],
        out.path(),
    );
    assert_eq!(checked.status.code(), Some(1));
    let report = text(&checked.stderr);
    for line in [
        "3 files differ",
        "changed: payments-types/src/models.rs",
        "missing: payments-client/README.md",
        "not generated: payments-server/src/extra.rs",
        "run `specforge generate` with the same arguments to update it",
    ] {
        assert!(report.contains(line), "missing {line:?} in:\n{report}");
    }
}

#[test]
fn regeneration_replaces_its_crates_and_keeps_everything_else() {
    let out = tempfile::tempdir().unwrap();
    let app = out.path().join("payments-app/src/main.rs");
    fs::create_dir_all(app.parent().unwrap()).unwrap();
    fs::write(&app, "fn main() {}\n").unwrap();
    fs::write(out.path().join("notes.txt"), "mine\n").unwrap();
    let stale = out.path().join("payments-types/src/stale.rs");
    fs::create_dir_all(stale.parent().unwrap()).unwrap();
    fs::write(&stale, "// from an older spec\n").unwrap();

    generate_flagship(out.path());

    assert_eq!(fs::read_to_string(&app).unwrap(), "fn main() {}\n");
    assert_eq!(
        fs::read_to_string(out.path().join("notes.txt")).unwrap(),
        "mine\n"
    );
    assert!(!stale.exists(), "a generated crate is replaced whole");
    let mut entries: Vec<String> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            "notes.txt",
            "payments-app",
            "payments-client",
            "payments-server",
            "payments-types"
        ]
    );
}

#[test]
fn output_is_deterministic() {
    let spec = repository().join("specs/payments.yaml");
    let settings = Settings {
        name: "payments".into(),
        example_tests: false,
    };
    let first = generate(&spec, &settings).unwrap().output;
    let second = generate(&spec, &settings).unwrap().output;
    assert_eq!(first, second);
}

#[test]
fn name_defaults_to_the_title() {
    let out = tempfile::tempdir().unwrap();
    let generated = specforge(&["generate", "specs/payments.yaml"], out.path());
    assert_eq!(
        generated.status.code(),
        Some(0),
        "{}",
        text(&generated.stderr)
    );
    assert!(out.path().join("payments-api-types/Cargo.toml").is_file());
}

#[test]
fn an_invalid_name_is_a_usage_error() {
    let out = tempfile::tempdir().unwrap();
    let generated = specforge(
        &["generate", "specs/payments.yaml", "--name", "Not A Crate"],
        out.path(),
    );
    assert_eq!(generated.status.code(), Some(2));
    assert!(text(&generated.stderr).contains("`Not A Crate` cannot be used as a crate name"));
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn bad_usage_exits_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_specforge"))
        .args(["generate", "specs/payments.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "--out is required");
}

#[test]
fn warnings_print_and_deny_warnings_fails() {
    let out = tempfile::tempdir().unwrap();
    let spec = out.path().join("lookaround.yaml");
    fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: Look, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Name:\n      type: object\n      properties:\n        value:\n          type: string\n          pattern: '^(?!x)'\n",
    )
    .unwrap();
    let spec = spec.to_str().unwrap();
    let target = out.path().join("out");

    let allowed = specforge(&["generate", spec, "--name", "look"], &target);
    assert_eq!(allowed.status.code(), Some(0));
    let stderr = text(&allowed.stderr);
    assert!(
        stderr.contains("warning: `pattern` is not enforced"),
        "{stderr}"
    );
    assert!(text(&allowed.stdout).contains("1 warning"));

    let denied = specforge(
        &["generate", spec, "--name", "look", "--deny-warnings"],
        &target,
    );
    assert_eq!(denied.status.code(), Some(2));
    assert!(text(&denied.stderr).contains("error: `pattern` is not enforced"));
}

#[test]
fn guards_that_cannot_work_as_written_are_warned_about() {
    let out = tempfile::tempdir().unwrap();
    let spec = out.path().join("guards.yaml");
    fs::write(
        &spec,
        r#"openapi: 3.0.3
info: {title: Guarded, version: '1'}
paths:
  /a:
    get:
      x-idempotency: true
      x-rate-limit: {name: shared, requests: 5, window: 1s}
      responses: {'204': {description: ok}}
  /b:
    get:
      x-rate-limit: {name: shared, requests: 9, window: 1s}
      responses: {'204': {description: ok}}
"#,
    )
    .unwrap();
    let output = specforge(
        &["generate", spec.to_str().unwrap(), "--name", "guarded"],
        &out.path().join("out"),
    );
    assert_eq!(output.status.code(), Some(0));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("is ignored: GET requests ignore `Idempotency-Key`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("two rate-limit policies are named `shared` but differ"),
        "{stderr}"
    );
    assert!(text(&output.stdout).contains("2 warnings"));
}

#[test]
fn help_explains_every_flag() {
    for command in ["generate", "check"] {
        let output = Command::new(env!("CARGO_BIN_EXE_specforge"))
            .args([command, "--help"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let help = text(&output.stdout);
        for flag in ["--out", "--name", "--deny-warnings", "--color", "<SPEC>"] {
            assert!(
                help.contains(flag),
                "{command} --help lacks {flag}:\n{help}"
            );
        }
    }
}

/// Every committed output is what the generator makes today.
#[test]
fn committed_output_is_current() {
    let root = repository();
    let mut cases = vec![(
        root.join("specs/payments.yaml"),
        root.join("generated-example/payments"),
        "payments".to_string(),
    )];
    for entry in fs::read_dir(root.join("tests/specs")).unwrap() {
        let spec = entry.unwrap().path();
        if spec.extension().is_some_and(|e| e == "yaml") {
            let feature = spec.file_stem().unwrap().to_string_lossy().into_owned();
            cases.push((spec, root.join("tests/generated").join(&feature), feature));
        }
    }
    cases.push((
        root.join("tests/specs/external/api.yaml"),
        root.join("tests/generated/external"),
        "external".into(),
    ));
    cases.push((
        root.join("tests/specs/corpus/swagger-petstore-v3.yaml"),
        root.join("tests/generated/petstore"),
        "petstore".into(),
    ));
    for (spec, out, name) in cases {
        let settings = Settings {
            // The examples feature is generated with `--example-tests`.
            example_tests: name == "examples",
            name,
        };
        let generated = generate(&spec, &settings).unwrap();
        let owned: Vec<String> = CrateKind::ALL
            .iter()
            .map(|k| settings.crate_dir(*k))
            .collect();
        let drift = write::check(&generated.output, &out, &owned).unwrap();
        assert!(
            drift.is_empty(),
            "{} is stale (run scripts/regenerate.sh): {drift:?}",
            out.display()
        );
    }
}

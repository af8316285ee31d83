//! `specforge lint`: every rule fires on tests/specs/lint/bad.yaml and none
//! on the flagship; levels from `specforge.toml` and `--rule`; text, JSON
//! and SARIF output; exit codes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use specforge::lint::rules::RULES;

const BAD: &str = "tests/specs/lint/bad.yaml";
const FLAGSHIP: &str = "specs/payments.yaml";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn lint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specforge"))
        .current_dir(repository())
        .arg("lint")
        .args(args)
        .args(["--color", "never"])
        .output()
        .expect("specforge runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(args: &[&str]) -> (Option<i32>, Value) {
    let output = lint(&[args, &["--format", "json"]].concat());
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "JSON on stdout: {}{}",
            text(&output.stdout),
            text(&output.stderr)
        )
    });
    (output.status.code(), value)
}

fn rules_found(report: &Value) -> Vec<String> {
    let mut rules: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap().to_string())
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

#[test]
fn every_rule_fires_on_the_bad_spec() {
    let (code, report) = json(&[BAD]);
    assert_eq!(code, Some(1), "error-level rules fired");
    let found = rules_found(&report);
    for rule in RULES {
        assert!(
            found.iter().any(|id| id == rule.id),
            "{} did not fire: {found:?}",
            rule.id
        );
    }
    // Each finding is located: line, column and pointer.
    for finding in report["findings"].as_array().unwrap() {
        assert!(finding["line"].as_u64().is_some(), "{finding}");
        assert!(finding["column"].as_u64().is_some(), "{finding}");
        assert!(
            finding["pointer"].as_str().unwrap().starts_with('#'),
            "{finding}"
        );
        assert!(!finding["hint"].as_str().unwrap().is_empty(), "{finding}");
    }
}

#[test]
fn the_flagship_lints_clean() {
    let output = lint(&[FLAGSHIP]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stderr), "", "no findings");
    assert_eq!(
        text(&output.stdout),
        "specs/payments.yaml: 0 errors, 0 warnings\n"
    );
}

#[test]
fn text_output_names_the_rule_and_the_place() {
    let output = lint(&[BAD]);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("warning[paths-kebab-case]: path segment `userAccounts` of `/userAccounts/` is not kebab-case"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> tests/specs/lint/bad.yaml:18:3 (#/paths/~1userAccounts~1)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: write it as `user-accounts`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error[operation-operationId-unique]"),
        "{stderr}"
    );
    assert!(
        text(&output.stdout).ends_with("2 errors, 46 warnings\n"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn levels_come_from_specforge_toml_then_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let spec = directory.path().join("api.yaml");
    fs::copy(repository().join(BAD), &spec).unwrap();
    let spec = spec.to_str().unwrap();
    fs::write(
        directory.path().join("specforge.toml"),
        "[lint]\noperation-operationId-unique = \"warning\"\nno-body-on-read = \"off\"\npaths-kebab-case = \"error\"\n",
    )
    .unwrap();
    let (code, report) = json(&[spec]);
    assert_eq!(code, Some(1), "paths-kebab-case is an error now");
    let found = rules_found(&report);
    assert!(!found.contains(&"no-body-on-read".to_string()));
    let level = |rule: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|finding| finding["rule"] == rule)
            .map(|finding| finding["level"].as_str().unwrap().to_string())
    };
    assert_eq!(
        level("operation-operationId-unique").as_deref(),
        Some("warning")
    );
    assert_eq!(level("paths-kebab-case").as_deref(), Some("error"));

    // `--rule` wins over the file; with no error left, exit 0.
    let (code, report) = json(&[spec, "--rule", "paths-kebab-case=off"]);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["errors"], 0);

    let unknown = lint(&[spec, "--rule", "no-such-rule=off"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("there is no rule `no-such-rule`"));
    let bad_level = lint(&[spec, "--rule", "paths-kebab-case=loud"]);
    assert_eq!(bad_level.status.code(), Some(2));
    fs::write(
        directory.path().join("specforge.toml"),
        "[lint]\nnot-a-rule = \"off\"\n",
    )
    .unwrap();
    let bad_file = lint(&[spec]);
    assert_eq!(bad_file.status.code(), Some(2));
    assert!(
        text(&bad_file.stderr).contains("specforge.toml"),
        "{}",
        text(&bad_file.stderr)
    );
}

#[test]
fn sarif_lists_the_rules_and_locates_each_result() {
    let output = lint(&[BAD, "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "specforge");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    let results = run["results"].as_array().unwrap();
    let (_, report) = json(&[BAD]);
    assert_eq!(results.len(), report["findings"].as_array().unwrap().len());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], BAD);
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(matches!(
            result["level"].as_str(),
            Some("warning" | "error")
        ));
    }
}

#[test]
fn a_spec_that_cannot_be_read_is_exit_2() {
    let output = lint(&["tests/specs/lint/missing.yaml"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn docs_lint_md_explains_every_rule() {
    let docs = fs::read_to_string(repository().join("docs/lint.md")).unwrap();
    for rule in RULES {
        assert!(
            docs.contains(&format!("## {}\n", rule.id)),
            "docs/lint.md has no section for {}",
            rule.id
        );
        assert!(
            docs.contains(rule.rationale),
            "docs/lint.md does not give {}'s rationale",
            rule.id
        );
        assert!(
            docs.contains(&format!(
                "| [`{}`](#{}) | {} |",
                rule.id,
                rule.id,
                rule.default.name()
            )),
            "docs/lint.md's table lists {} at its default level",
            rule.id
        );
    }
}

#[test]
fn the_flagship_served_document_lints_clean_too() {
    // What `GET /openapi.json` serves: the spec plus what the server adds.
    // scripts/spectral.sh holds it to Spectral's `spectral:oas` in CI.
    let output = lint(&["generated-example/payments/payments-server/openapi.json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stderr), "", "no findings");
}

//! `specforge diff`: a hand-made before/after pair per area in
//! tests/specs/diff/ with the exact changes each must report, every check
//! exercised, no change between spellings of one contract, every corpus
//! document diffed against itself clean, and the command's output and exit
//! codes.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use specforge::diff::{self, Change, CHECKS};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn pair(case: &str) -> (PathBuf, PathBuf) {
    let dir = repository().join("tests/specs/diff").join(case);
    (dir.join("old.yaml"), dir.join("new.yaml"))
}

fn changes_of(old: &Path, new: &Path) -> Vec<Change> {
    let load = |path: &Path| {
        specforge::load::load(path)
            .unwrap_or_else(|errors| panic!("{} loads: {errors:?}", path.display()))
    };
    diff::diff(&load(old), &load(new))
}

/// Each change as `check | message | operations`.
fn lines(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|change| {
            format!(
                "{} | {} | {}",
                change.check.id,
                change.message,
                change.operations.join(", ")
            )
        })
        .collect()
}

/// The exact changes of every case, in the order they are reported.
const CASES: &[(&str, &[&str])] = &[
    (
        "operations",
        &[
            "operation-id-changed | operationId changed from `listPets` to `getPets` | GET /pets",
            "operation-deprecated | `POST /pets` deprecated | POST /pets",
            "operation-removed | `DELETE /pets/{petId}` removed | DELETE /pets/{petId}",
            "operation-added | `PUT /pets/{id}` added | PUT /pets/{id}",
        ],
    ),
    (
        "security",
        &[
            "security-added | credentials are now required (`ApiKey`) | GET /public",
            "security-changed | security changed from `ApiKey` to `Bearer` | GET /keyed",
            "security-relaxed | security relaxed from `Bearer` to `Bearer` or `ApiKey` | GET /either",
            "security-scheme-changed | security scheme `ApiKey` changed from an API key in the \
             header `X-Api-Key` to an API key in the query `api_key` | GET /admin",
        ],
    ),
    (
        "extensions",
        &[
            "pagination-changed | pagination changed from page numbers (`page`, `per_page`) to \
             cursors (`cursor`, `limit`) | GET /items",
            "envelope-changed | the response envelope is now on | GET /items, POST /items, \
             PUT /items/{id}, DELETE /items/{id}",
            "idempotency-key-required | an `Idempotency-Key` header is now required | POST /items",
            "idempotency-removed | `Idempotency-Key` no longer makes retries safe | PUT /items/{id}",
            "idempotency-added | an optional `Idempotency-Key` header is now honoured | \
             DELETE /items/{id}",
        ],
    ),
    (
        "parameters",
        &[
            "request-parameter-removed | query parameter `q` removed | GET /search/{scope}",
            "request-type-narrowed | query parameter `limit`: maximum lowered from 100 to 50 | \
             GET /search/{scope}",
            "request-parameter-became-required | query parameter `offset` became required | \
             GET /search/{scope}",
            "request-parameter-became-optional | query parameter `tag` became optional | \
             GET /search/{scope}",
            "request-parameter-serialization-changed | query parameter `ids` changed encoding \
             from style `form` (exploded) to style `form` (not exploded) | GET /search/{scope}",
            "request-type-widened | query parameter `name`: maxLength raised from 10 to 20 | \
             GET /search/{scope}",
            "request-type-changed | query parameter `page`: type changed from integer to string | \
             GET /search/{scope}",
            "request-enum-value-removed | query parameter `sort`: lost enum value `desc` | \
             GET /search/{scope}",
            "request-enum-value-added | query parameter `sort`: gained enum value `random` | \
             GET /search/{scope}",
            "new-required-request-parameter | new required query parameter `region` | \
             GET /search/{scope}",
            "new-optional-request-parameter | new optional query parameter `debug` | \
             GET /search/{scope}",
        ],
    ),
    (
        "request-bodies",
        &[
            "new-required-request-body | new required request body | POST /a",
            "new-optional-request-body | new optional request body | POST /b",
            "request-body-removed | request body removed | POST /c",
            "request-body-became-required | request body became required | POST /d",
            "request-body-became-optional | request body became optional | POST /e",
            "request-media-type-removed | request body: media type \
             `application/x-www-form-urlencoded` removed | POST /f",
            "request-media-type-added | request body: media type `multipart/form-data` added | \
             POST /f",
        ],
    ),
    (
        "request-schemas",
        &[
            "request-property-became-optional | request property `Thing.name` became optional | \
             POST /things",
            "request-enum-value-removed | request property `Thing.kind`: lost enum value `b` | \
             POST /things",
            "request-enum-value-added | request property `Thing.kind`: gained enum value `c` | \
             POST /things",
            "request-property-removed | request property `Thing.legacy` removed | POST /things",
            "request-type-narrowed | request property `Thing.size`: format changed from `int64` \
             to `int32` | POST /things",
            "request-type-widened | request property `Thing.note`: became nullable | POST /things",
            "request-type-changed | request property `Thing.shape`: type changed from string to \
             object | POST /things",
            "request-property-became-required | request property `Thing.colour` became required | \
             POST /things",
            "new-required-request-property | new required request property `Thing.owner` | \
             POST /things",
            "new-optional-request-property | new optional request property `Thing.label` | \
             POST /things",
        ],
    ),
    (
        "responses",
        &[
            "response-media-type-removed | response body (200): media type `text/csv` removed | \
             GET /reports",
            "response-media-type-added | response body (200): media type `application/xml` \
             added | GET /reports",
            "response-header-became-optional | response header `X-Rate` (200) became optional | \
             GET /reports",
            "response-header-removed | response header `X-Old` (200) removed | GET /reports",
            "response-header-added | response header `X-New` (200) added | GET /reports",
            "response-status-removed | response 404 removed | GET /reports",
            "response-status-added | response 500 added | GET /reports",
        ],
    ),
    (
        "response-schemas",
        &[
            "response-type-widened | response property `User.id`: format changed from `int32` \
             to `int64` | GET /users, GET /users/{id}",
            "response-property-became-optional | response property `User.name` became optional | \
             GET /users, GET /users/{id}",
            "response-property-became-required | response property `User.email` became \
             required | GET /users, GET /users/{id}",
            "response-enum-value-removed | response property `User.status`: lost enum value \
             `disabled` | GET /users, GET /users/{id}",
            "response-enum-value-added | response property `User.status`: gained enum value \
             `deleted` | GET /users, GET /users/{id}",
            "response-property-removed | response property `User.nickname` removed (renamed to \
             `display_name`?) | GET /users, GET /users/{id}",
            "response-type-changed | response property `User.code`: pattern changed from \
             `^[a-z]+$` to `^[a-z0-9]+$` | GET /users, GET /users/{id}",
            "response-type-narrowed | response property `User.bio`: maxLength lowered from 200 \
             to 100 | GET /users, GET /users/{id}",
            "response-type-widened | response property `User.pet`: variant `Bird` added | \
             GET /users, GET /users/{id}",
            "response-property-added | response property `User.display_name` added | \
             GET /users, GET /users/{id}",
        ],
    ),
    // One contract spelled two ways (3.0 and 3.1, renamed path parameter,
    // header case, media type parameters, inline and named schemas).
    ("equivalent", &[]),
];

#[test]
fn every_case_reports_exactly_its_changes() {
    let mut failures = Vec::new();
    for (case, expected) in CASES {
        let (old, new) = pair(case);
        let found = lines(&changes_of(&old, &new));
        if found != *expected {
            failures.push(format!(
                "{case}:\n  expected:\n    {}\n  found:\n    {}",
                expected.join("\n    "),
                found.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_check_is_exercised_by_a_case() {
    let exercised: BTreeSet<&str> = CASES
        .iter()
        .flat_map(|(_, lines)| lines.iter())
        .filter_map(|line| line.split(' ').next())
        .collect();
    let missing: Vec<&str> = CHECKS
        .iter()
        .map(|check| check.id)
        .filter(|id| !exercised.contains(id))
        .collect();
    assert!(missing.is_empty(), "checks no case exercises: {missing:?}");
}

#[test]
fn the_flagship_v2_breaks_exactly_by_its_rename_and_its_pagination() {
    // v2 renames a user's `name` to `full_name` and pages users by cursor.
    let root = repository();
    let changes = changes_of(
        &root.join("specs/payments.yaml"),
        &root.join("specs/payments-v2.yaml"),
    );
    let breaking: Vec<String> = lines(&changes)
        .into_iter()
        .zip(&changes)
        .filter(|(_, change)| change.is_breaking())
        .map(|(line, _)| line)
        .collect();
    assert_eq!(
        breaking,
        [
            "pagination-changed | pagination changed from page numbers (`page`, `per_page`) to \
             cursors (`cursor`, `limit`) | GET /users",
            "request-parameter-removed | query parameter `page` removed | GET /users",
            "request-parameter-removed | query parameter `per_page` removed | GET /users",
            "request-type-changed | query parameter `sort`: pattern changed from \
             `^-?(name|email|created_at)$` to `^-?(full_name|email|created_at)$` | GET /users",
            "response-property-removed | response property `User.name` removed (renamed to \
             `full_name`?) | GET /users, POST /users, GET /users/{user_id}, PATCH /users/{user_id}",
            "request-property-removed | request property `UserCreate.name` removed (renamed to \
             `full_name`?) | POST /users",
            "new-required-request-property | new required request property \
             `UserCreate.full_name` | POST /users",
            "request-property-removed | request property `UserUpdate.name` removed (renamed to \
             `full_name`?) | PATCH /users/{user_id}",
        ]
    );
}

#[test]
fn reversing_a_pair_swaps_what_breaks() {
    // Undoing a safe request change breaks clients and vice versa: the
    // classification follows the direction data flows.
    let (old, new) = pair("request-schemas");
    let reversed = lines(&changes_of(&new, &old));
    for expected in [
        "request-type-narrowed | request property `Thing.note`: is no longer nullable | POST /things",
        "request-type-widened | request property `Thing.size`: format changed from `int32` to \
         `int64` | POST /things",
        "request-property-became-required | request property `Thing.name` became required | \
         POST /things",
    ] {
        assert!(
            reversed.iter().any(|line| line == expected),
            "{expected}\nin\n{}",
            reversed.join("\n")
        );
    }
}

#[test]
fn every_corpus_document_diffed_against_itself_reports_nothing() {
    let corpus = repository().join("../shared/corpus");
    let mut documents: Vec<PathBuf> = fs::read_dir(&corpus)
        .unwrap_or_else(|error| panic!("{}: {error}", corpus.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            )
        })
        .collect();
    documents.sort();
    documents.push(repository().join("specs/payments.yaml"));
    assert!(documents.len() > 10, "the corpus is there");
    for document in &documents {
        let changes = changes_of(document, document);
        assert!(
            changes.is_empty(),
            "{}: {}",
            document.display(),
            lines(&changes).join("\n")
        );
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specforge"))
        .current_dir(repository())
        .arg("diff")
        .args(args)
        .args(["--color", "never"])
        .output()
        .expect("specforge runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn text_output_locates_each_change_in_both_files() {
    let output = run(&[
        "tests/specs/diff/response-schemas/old.yaml",
        "tests/specs/diff/response-schemas/new.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1), "something breaks");
    let stdout = text(&output.stdout);
    let expected = "\
breaking[response-property-removed]: response property `User.nickname` removed (renamed to `display_name`?)
  --> tests/specs/diff/response-schemas/old.yaml:34:9 (#/components/schemas/User/properties/nickname)
   |
34 |         nickname: {type: string, maxLength: 30}
   |         ^
  --> tests/specs/diff/response-schemas/new.yaml:29:7 (#/components/schemas/User/properties)
   |
29 |       properties:
   |       ^
   = in: GET /users, GET /users/{id}
   = why: clients that read the field no longer find it, and generated clients lose it
";
    assert!(stdout.contains(expected), "{stdout}");
    // Breaking changes come first; safe ones follow without excerpts.
    let first_safe = stdout.find("safe[").expect("safe changes are listed");
    assert!(stdout.rfind("breaking[").unwrap() < first_safe);
    assert!(stdout
        .contains("safe[response-property-added]: response property `User.display_name` added\n"));
    assert!(stdout.ends_with(
        "tests/specs/diff/response-schemas/old.yaml -> tests/specs/diff/response-schemas/new.yaml: \
         6 breaking changes, 4 safe changes\n"
    ));

    let breaking_only = run(&[
        "tests/specs/diff/response-schemas/old.yaml",
        "tests/specs/diff/response-schemas/new.yaml",
        "--breaking-only",
    ]);
    assert!(!text(&breaking_only.stdout).contains("safe["));
}

#[test]
fn json_output_has_every_change_with_both_locations() {
    let output = run(&[
        "tests/specs/diff/parameters/old.yaml",
        "tests/specs/diff/parameters/new.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(report["breaking"], 7);
    assert_eq!(report["safe"], 4);
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 11);
    let limit = changes
        .iter()
        .find(|change| change["message"].as_str().unwrap().contains("`limit`"))
        .unwrap();
    assert_eq!(limit["check"], "request-type-narrowed");
    assert_eq!(limit["breaking"], true);
    assert_eq!(limit["operations"][0], "GET /search/{scope}");
    assert_eq!(
        limit["old"]["pointer"],
        "#/paths/~1search~1{scope}/get/parameters/2/schema/maximum"
    );
    assert_eq!(limit["old"]["line"], 9);
    assert_eq!(
        limit["new"]["pointer"],
        "#/paths/~1search~1{area}/get/parameters/1/schema/maximum"
    );
    assert_eq!(limit["new"]["line"], 8);
    let added = changes
        .iter()
        .find(|change| change["check"] == "new-optional-request-parameter")
        .unwrap();
    assert_eq!(added["breaking"], false);
    assert_eq!(added["old"]["pointer"], "#/paths/~1search~1{scope}/get");
}

#[test]
fn exit_codes_gate_merges() {
    let (old, new) = (
        "tests/specs/diff/operations/old.yaml",
        "tests/specs/diff/operations/new.yaml",
    );
    assert_eq!(run(&[old, new]).status.code(), Some(1), "breaking");
    assert_eq!(run(&[old, old]).status.code(), Some(0), "identical");
    let safe_only = run(&[
        "tests/specs/diff/equivalent/old.yaml",
        "tests/specs/diff/equivalent/new.yaml",
    ]);
    assert_eq!(
        safe_only.status.code(),
        Some(0),
        "{}",
        text(&safe_only.stdout)
    );
    let unreadable = run(&[old, "tests/specs/diff/missing.yaml"]);
    assert_eq!(unreadable.status.code(), Some(2));
    assert!(text(&unreadable.stderr).contains("missing.yaml"));
}

#[test]
fn docs_diff_md_explains_every_check() {
    let docs = fs::read_to_string(repository().join("docs/diff.md")).unwrap();
    for check in CHECKS {
        let class = if check.breaking { "breaking" } else { "safe" };
        assert!(
            docs.contains(&format!(
                "| `{}` | {class} | {} |",
                check.id, check.rationale
            )),
            "docs/diff.md's table lists {} as {class} with its rationale",
            check.id
        );
    }
}

//! `specforge init`: the app crate it writes beside the generated ones
//! compiles, passes clippy and rustfmt, serves, and answers every operation
//! `501 NOT_IMPLEMENTED` in the envelope; `init` never overwrites an app and
//! `generate` never touches one. The builds share `target/corpus-target`
//! with the corpus runner and start from the repository's `Cargo.lock`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

const PETSTORE: &str = "../shared/corpus/swagger-petstore-v3.yaml";

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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn succeeded(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// `cargo <args>` in the workspace at `dir`, with the shared target directory.
fn cargo(dir: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO"))
        .current_dir(dir)
        .args(args)
        .env(
            "CARGO_TARGET_DIR",
            repository().join("target/corpus-target"),
        )
        .output()
        .expect("cargo runs");
    succeeded(&output);
}

/// A directory outside the repository, whose workspace would claim it.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[tokio::test]
async fn init_writes_an_app_that_builds_serves_and_answers_501() {
    let scratch = scratch();
    let out = scratch.path().join("shop");
    let run = specforge(&["init", PETSTORE, "--name", "shop"], &out);
    succeeded(&run);
    let stdout = text(&run.stdout);
    assert!(stdout.contains("Created shop-app"), "{stdout}");
    for file in [
        "Cargo.toml",
        "shop-app/Cargo.toml",
        "shop-app/src/main.rs",
        "shop-app/src/api/mod.rs",
        // One file per tag.
        "shop-app/src/api/pet.rs",
        "shop-app/src/api/store.rs",
        "shop-app/src/api/user.rs",
        "shop-server/Cargo.toml",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let store = fs::read_to_string(out.join("shop-app/src/api/store.rs")).unwrap();
    assert!(store.contains("pub async fn get_order_by_id("), "{store}");
    assert!(store.contains("HandlerError::not_implemented(\"getOrderById\")"));

    fs::copy(repository().join("Cargo.lock"), out.join("Cargo.lock")).unwrap();
    cargo(&out, &["fmt", "--check"]);
    cargo(
        &out,
        &[
            "clippy", "--quiet", "-p", "shop-app", "--", "-D", "warnings",
        ],
    );
    cargo(&out, &["build", "--quiet", "-p", "shop-app"]);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let binary = repository().join("target/corpus-target/debug/shop-app");
    let mut app = Command::new(binary)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("the app starts");
    let base = format!("http://127.0.0.1:{port}/api/v3");
    let client = reqwest::Client::new();
    let mut answered = false;
    for _ in 0..200 {
        if client
            .get(format!("{base}/store/order/3"))
            .send()
            .await
            .is_ok()
        {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let get = |path: &str| {
        let request = client.get(format!("{base}{path}"));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = get("/store/order/3").await;
    let (secured_status, secured) = get("/pet/3").await;
    let _ = app.kill();
    let _ = app.wait();
    assert!(answered, "the app never answered");
    assert_eq!(status, 501, "{body}");
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "NOT_IMPLEMENTED");
    assert_eq!(
        body["error"]["message"],
        "The operation `getOrderById` is not implemented yet."
    );
    // Until `authenticate` is written, secured operations refuse everyone.
    assert_eq!(secured_status, 401, "{secured}");
}

#[test]
fn init_never_overwrites_an_app_and_generate_never_touches_it() {
    let scratch = scratch();
    let out = scratch.path().join("shop");
    succeeded(&specforge(&["init", PETSTORE, "--name", "shop"], &out));
    let handler = out.join("shop-app/src/api/store.rs");
    fs::write(&handler, "// the team's code\n").unwrap();
    fs::write(out.join("Cargo.toml"), "# the team's workspace\n").unwrap();

    let again = specforge(&["init", PETSTORE, "--name", "shop"], &out);
    assert_eq!(again.status.code(), Some(2));
    let stderr = text(&again.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(stderr.contains("specforge generate"), "{stderr}");

    succeeded(&specforge(&["generate", PETSTORE, "--name", "shop"], &out));
    assert_eq!(
        fs::read_to_string(&handler).unwrap(),
        "// the team's code\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("Cargo.toml")).unwrap(),
        "# the team's workspace\n"
    );
}

#[test]
fn inside_a_workspace_init_names_the_members_to_add() {
    let scratch = scratch();
    fs::write(
        scratch.path().join("Cargo.toml"),
        "[workspace]\nmembers = []\n",
    )
    .unwrap();
    let out = scratch.path().join("api");
    let run = specforge(&["init", PETSTORE, "--name", "shop"], &out);
    succeeded(&run);
    assert!(!out.join("Cargo.toml").exists(), "no second workspace");
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("Add shop-app and the three generated crates"),
        "{stdout}"
    );
}

#[test]
fn a_jwt_api_scaffold_takes_the_token_claims_as_its_principal() {
    let scratch = scratch();
    let out = scratch.path().join("tokens");
    succeeded(&specforge(
        &["init", "tests/specs/jwt.yaml", "--name", "tokens"],
        &out,
    ));
    let api = fs::read_to_string(out.join("tokens-app/src/api/mod.rs")).unwrap();
    assert!(
        api.contains("pub type Principal = tokens_server::JwtClaims;"),
        "{api}"
    );
    assert!(
        api.contains("Credentials::Jwt { claims, .. } => Some(claims)"),
        "{api}"
    );
    fs::copy(repository().join("Cargo.lock"), out.join("Cargo.lock")).unwrap();
    cargo(
        &out,
        &[
            "clippy",
            "--quiet",
            "-p",
            "tokens-app",
            "--",
            "-D",
            "warnings",
        ],
    );
}

#[test]
fn a_not_implemented_handler_error_names_its_operation() {
    // The 501 it is answered with is proven end to end above; this pins
    // the error's text, which handlers may log.
    let error = payments_server::HandlerError::not_implemented("createCharge");
    assert_eq!(
        error.to_string(),
        "the operation `createCharge` is not implemented yet"
    );
}

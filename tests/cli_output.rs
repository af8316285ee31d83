//! What the command line prints besides its errors: `--version`, the shell
//! completion scripts, and how much `-q` and `-v` show of a run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn specforge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specforge"))
        .current_dir(repository())
        .args(args)
        .output()
        .expect("specforge runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn version_names_the_program_and_its_version() {
    let output = specforge(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        text(&output.stdout).trim(),
        format!("specforge {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_cover_every_subcommand_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef specforge"),
        ("fish", "complete -c specforge"),
        ("elvish", "edit:completion:arg-completer[specforge]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let output = specforge(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = text(&output.stdout);
        assert!(script.contains(marker), "{shell}:\n{script}");
        // fish names long options without their dashes.
        for word in ["generate", "check", "completions", "deny-warnings"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    let unknown = specforge(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("possible values"));
}

#[test]
fn a_reader_that_stops_early_is_no_error() {
    // `specforge completions bash | head -0`: the reading end closes
    // before the script is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_specforge"))
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stderr), "");
}

#[test]
fn a_closed_stdout_does_not_fail_a_generation() {
    // `specforge generate ... -v | head -0`: the report has no reader.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_specforge"))
        .current_dir(repository())
        .args([
            "generate",
            "specs/payments.yaml",
            "--name",
            "payments",
            "-v",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stderr), "");
    assert!(out.join("payments-server/Cargo.toml").is_file());
}

/// A spec with one warning: a `pattern` with a look-around.
fn spec_with_a_warning(dir: &Path) -> String {
    let spec = dir.join("look.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: Look, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Name:\n      type: object\n      properties:\n        value:\n          type: string\n          pattern: '^(?!x)'\n",
    )
    .unwrap();
    spec.to_str().unwrap().to_string()
}

#[test]
fn quiet_prints_errors_only() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_with_a_warning(dir.path());
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();

    let quiet = specforge(&["generate", &spec, "--out", out, "-q"]);
    assert_eq!(quiet.status.code(), Some(0), "{}", text(&quiet.stderr));
    assert_eq!(text(&quiet.stdout), "");
    assert_eq!(text(&quiet.stderr), "");
    assert!(dir.path().join("out/look-server/Cargo.toml").is_file());

    // Still quiet when checking, and still loud about errors.
    let checked = specforge(&["check", &spec, "--out", out, "--quiet"]);
    assert_eq!(checked.status.code(), Some(0));
    assert_eq!(text(&checked.stdout), "");
    let denied = specforge(&["generate", &spec, "--out", out, "-q", "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(2));
    assert!(text(&denied.stderr).contains("error: `pattern` is not enforced"));

    let both = specforge(&["generate", &spec, "--out", out, "-q", "-v"]);
    assert_eq!(both.status.code(), Some(2), "-q and -v conflict");
}

#[test]
fn verbose_lists_each_crate_and_the_time_of_each_step() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let args = [
        "specs/payments.yaml",
        "--out",
        out,
        "--name",
        "payments",
        "-v",
    ];

    let generated = specforge(&[&["generate"], &args[..]].concat());
    assert_eq!(
        generated.status.code(),
        Some(0),
        "{}",
        text(&generated.stderr)
    );
    let printed = text(&generated.stdout);
    for name in ["payments-types", "payments-server", "payments-client"] {
        let line = printed
            .lines()
            .find(|line| line.contains(&format!("{name}:")))
            .unwrap_or_else(|| panic!("no line for {name}:\n{printed}"));
        assert!(
            line.contains(" files, ") && line.ends_with(" lines"),
            "{line}"
        );
    }
    assert!(printed.contains("load and generate "), "{printed}");
    assert!(printed.contains(", write "), "{printed}");
    assert!(printed.contains("Generated payments-types"), "{printed}");

    let checked = specforge(&[&["check"], &args[..]].concat());
    assert_eq!(checked.status.code(), Some(0));
    assert!(text(&checked.stdout).contains(", compare "));
}

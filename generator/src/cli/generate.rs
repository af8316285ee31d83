//! `generate`, `check` and `init`: load, generate, then write, compare, or
//! write and add the app.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use specforge::diagnostics::{
    render, render_all, render_with, Diagnostic, Diagnostics, RenderOptions, Sources,
};
use specforge::emit::{scaffold, CrateKind};
use specforge::{default_name, write, Generated, Settings};

use crate::{count, render_options, say, CommonArgs, Verbosity, EXIT_DRIFT, EXIT_FAILURE};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Generate,
    Check,
    Init,
}

pub(crate) fn run(args: &CommonArgs, mode: Mode, verbosity: Verbosity) -> ExitCode {
    let started = Instant::now();
    let options = render_options(args.color);
    let generated = match prepare(args) {
        Ok(generated) => generated,
        Err(mut diagnostics) => {
            diagnostics.locate_positions();
            eprint!("{}", render_all(&diagnostics, options));
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let (generated, settings) = generated;
    let prepared = started.elapsed();
    let mut warnings = generated.warnings.clone();
    if verbosity != Verbosity::Quiet {
        warnings.locate_positions();
        let mut sources = Sources::default();
        for warning in warnings.iter() {
            eprintln!("{}", render_with(warning, options, &mut sources));
        }
    }
    let owned: Vec<String> = CrateKind::ALL
        .iter()
        .map(|k| settings.crate_dir(*k))
        .collect();
    let app = scaffold::app_dir(&settings);
    if mode == Mode::Init && args.out.join(&app).exists() {
        let diagnostic = Diagnostic::error(format!(
            "`{}` already exists; `init` does not overwrite an app",
            args.out.join(&app).display()
        ))
        .with_hint(
            "run `specforge generate` to update the generated crates; it never touches the app",
        );
        eprint!("{}", render(&diagnostic, options));
        return ExitCode::from(EXIT_FAILURE);
    }
    match mode {
        Mode::Generate | Mode::Init => {
            if let Err(error) = write::write(&generated.output, &args.out, &owned) {
                let diagnostic =
                    Diagnostic::error(format!("cannot write to `{}`: {error}", args.out.display()))
                        .with_hint("the previous output, if any, was left as it was");
                eprint!("{}", render(&diagnostic, options));
                return ExitCode::from(EXIT_FAILURE);
            }
            if verbosity == Verbosity::Verbose {
                print_crates(&generated, &owned, &args.out);
                print_steps(prepared, started.elapsed() - prepared, "write");
            }
            if mode == Mode::Init {
                if let Err(code) = init_app(&generated, &settings, &args.out, options) {
                    return code;
                }
            }
            if verbosity == Verbosity::Quiet {
                return ExitCode::SUCCESS;
            }
            say(format_args!(
                "Generated {} ({}, {}{}) in {} [{:.2}s]",
                owned.join(", "),
                count(generated.api.types.len(), "type"),
                count(generated.api.operations.len(), "operation"),
                warning_note(&warnings),
                args.out.display(),
                started.elapsed().as_secs_f64()
            ));
            if mode == Mode::Init {
                say(format_args!(
                    "Created {app}: run it with `cargo run -p {app}` from {}, then fill in src/api/",
                    args.out.display()
                ));
            }
            ExitCode::SUCCESS
        }
        Mode::Check => match write::check(&generated.output, &args.out, &owned) {
            Ok(drift) if drift.is_empty() => {
                if verbosity == Verbosity::Verbose {
                    print_steps(prepared, started.elapsed() - prepared, "compare");
                }
                if verbosity == Verbosity::Quiet {
                    return ExitCode::SUCCESS;
                }
                say(format_args!(
                    "{} is up to date with {} [{:.2}s]",
                    args.out.display(),
                    display_file(&args.spec),
                    started.elapsed().as_secs_f64()
                ));
                ExitCode::SUCCESS
            }
            Ok(drift) => {
                eprintln!(
                    "{} is stale: {} file{} differ from what {} generates:",
                    args.out.display(),
                    drift.len(),
                    if drift.len() == 1 { "" } else { "s" },
                    display_file(&args.spec)
                );
                for item in &drift {
                    eprintln!("  {item}");
                }
                eprintln!("run `specforge generate` with the same arguments to update it");
                ExitCode::from(EXIT_DRIFT)
            }
            Err(error) => {
                let diagnostic =
                    Diagnostic::error(format!("cannot read `{}`: {error}", args.out.display()));
                eprint!("{}", render(&diagnostic, options));
                ExitCode::from(EXIT_FAILURE)
            }
        },
    }
}

/// Writes the app crate of `init`, and a workspace manifest when no
/// workspace encloses the output directory yet.
fn init_app(
    generated: &Generated,
    settings: &Settings,
    out: &Path,
    options: RenderOptions,
) -> Result<(), ExitCode> {
    let fail = |message: String| {
        let diagnostic = Diagnostic::error(message)
            .with_hint("the generated crates were written; remove them and run `init` again");
        eprint!("{}", render(&diagnostic, options));
        ExitCode::from(EXIT_FAILURE)
    };
    let app = scaffold::emit(&generated.api, settings);
    let dir = scaffold::app_dir(settings);
    write::create(&app, out, &dir).map_err(|error| {
        fail(format!(
            "cannot create `{}`: {error}",
            out.join(&dir).display()
        ))
    })?;
    match write::enclosing_workspace(out) {
        Some(manifest) => say(format_args!(
            "Add {dir} and the three generated crates to the members of {}",
            manifest.display()
        )),
        None => {
            let manifest = out.join("Cargo.toml");
            std::fs::write(&manifest, scaffold::workspace_manifest(settings))
                .map_err(|error| fail(format!("cannot write `{}`: {error}", manifest.display())))?;
        }
    }
    Ok(())
}

/// Loads and generates; `Err` holds everything that stops generation.
fn prepare(args: &CommonArgs) -> Result<(Generated, Settings), Diagnostics> {
    // The name can depend on the title, so load once to learn it when not given.
    let spec = specforge::load::load(&args.spec)?;
    let name = match &args.name {
        Some(name) => name.clone(),
        None => default_name(&spec.openapi.info.title),
    };
    if !is_crate_name(&name) {
        return Err(
            Diagnostic::error(format!("`{name}` cannot be used as a crate name"))
                .with_hint(
                    "pass `--name` with lowercase letters, digits and `-`, starting with a letter",
                )
                .into(),
        );
    }
    let settings = Settings {
        name,
        example_tests: args.example_tests,
    };
    let mut generated = specforge::generate_from(spec, &settings)?;
    if args.deny_warnings && !generated.warnings.is_empty() {
        generated.warnings.deny_warnings();
        return Err(generated.warnings);
    }
    Ok((generated, settings))
}

/// Each crate written: its directory, files and lines.
fn print_crates(generated: &Generated, owned: &[String], out: &Path) {
    for dir in owned {
        let prefix = format!("{dir}/");
        let files: Vec<&String> = generated
            .output
            .files
            .iter()
            .filter(|(path, _)| path.starts_with(&prefix))
            .map(|(_, text)| text)
            .collect();
        let lines: usize = files.iter().map(|text| text.lines().count()).sum();
        say(format_args!(
            "  {}: {}, {}",
            out.join(dir).display(),
            count(files.len(), "file"),
            count(lines, "line")
        ));
    }
}

/// How long loading and generating took, then the last step (`write` or
/// `compare`).
fn print_steps(prepared: Duration, finished: Duration, last: &str) {
    say(format_args!(
        "  load and generate {:.2}s, {last} {:.2}s",
        prepared.as_secs_f64(),
        finished.as_secs_f64()
    ));
}

fn is_crate_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn warning_note(warnings: &Diagnostics) -> String {
    match warnings.warning_count() {
        0 => String::new(),
        n => format!(", {}", count(n, "warning")),
    }
}

fn display_file(path: &Path) -> String {
    path.display().to_string()
}

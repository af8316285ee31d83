//! The `specforge` command line.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use specforge::diagnostics::{
    render, render_all, render_with, Diagnostic, Diagnostics, RenderOptions, Sources,
};
use specforge::emit::{scaffold, CrateKind};
use specforge::{default_name, write, Generated, Settings};

/// Generate an axum server crate, a typed async client crate and a types crate
/// from an OpenAPI 3.0 or 3.1 document.
#[derive(Parser)]
#[command(name = "specforge", version, about, long_about = None)]
struct Cli {
    /// Print errors only: no warnings, no summary.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print each crate written and how long each step took.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write `<name>-types`, `<name>-server` and `<name>-client` under the output directory.
    ///
    /// Only those three directories are replaced, each as a whole, after every
    /// file has been generated; anything else under the output directory is
    /// left alone. Exit code 2 if the spec cannot be generated.
    Generate(CommonArgs),
    /// Check that the output directory holds exactly what `generate` would write.
    ///
    /// Regenerates in memory and compares; exit code 1 with the list of files
    /// that differ when the output is stale, 0 when it is current.
    Check(CommonArgs),
    /// Start a project: `generate`, plus a `<name>-app` crate that serves the
    /// API at once, every operation answering `501 NOT_IMPLEMENTED` until
    /// its handler is written (one file per tag under `src/api/`).
    ///
    /// Refuses to run when `<name>-app` exists: the app is yours, and
    /// neither `init` nor `generate` ever writes to it again. Also writes a
    /// workspace `Cargo.toml` in the output directory unless one encloses it.
    Init(CommonArgs),
    /// Print a completion script for a shell.
    ///
    /// For example `specforge completions bash >
    /// ~/.local/share/bash-completion/completions/specforge`, or for zsh a
    /// file named `_specforge` in a directory of `$fpath`.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Args)]
struct CommonArgs {
    /// The OpenAPI document (YAML or JSON, OpenAPI 3.0.x or 3.1.x).
    spec: PathBuf,
    /// The directory that holds (or will hold) the generated crates.
    #[arg(long, short)]
    out: PathBuf,
    /// Base name of the crates: `<name>-types`, `<name>-server`, `<name>-client`.
    /// Defaults to the spec's `info.title` in kebab case.
    #[arg(long)]
    name: Option<String>,
    /// Treat warnings (constructs that are generated in a degraded form) as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Also write `<name>-types/tests/examples/`: a test that decodes the
    /// spec's own examples into the generated types and encodes them back.
    #[arg(long)]
    example_tests: bool,
    /// When to color diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

const EXIT_DRIFT: u8 = 1;
const EXIT_FAILURE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    match cli.command {
        Command::Generate(args) => run(&args, Mode::Generate, verbosity),
        Command::Check(args) => run(&args, Mode::Check, verbosity),
        Command::Init(args) => run(&args, Mode::Init, verbosity),
        Command::Completions { shell } => completions(shell),
    }
}

/// Prints the completion script for `shell`. Written in one piece: clap's
/// writer panics on a closed pipe (`specforge completions bash | head`),
/// which is no error for a script.
fn completions(shell: Shell) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "specforge", &mut script);
    match std::io::stdout().write_all(&script) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write the completion script: {error}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Prints a line of the run's report. A closed stdout (`| head -1`) is no
/// reason to fail a run that did its work, nor to panic as `println!` does.
fn say(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// How much a run prints besides its errors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verbosity {
    /// Errors only.
    Quiet,
    /// Warnings and a one-line summary.
    Normal,
    /// Also the crates written and the time of each step.
    Verbose,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Generate,
    Check,
    Init,
}

fn run(args: &CommonArgs, mode: Mode, verbosity: Verbosity) -> ExitCode {
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

/// `1 type`, `20 types`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn render_options(color: Color) -> RenderOptions {
    let color = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    RenderOptions { color }
}

fn display_file(path: &Path) -> String {
    path.display().to_string()
}

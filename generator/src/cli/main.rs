//! The `specforge` command line.

mod diff;
mod generate;
mod lint;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use specforge::diagnostics::RenderOptions;

use generate::{run, Mode};

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
    /// Check a spec against design rules: resource naming, methods and
    /// statuses, one error format, pagination, idempotency keys, rate
    /// limits, versions, deprecations, and Spectral's generic OpenAPI rules.
    ///
    /// Levels come from each rule's default, then `[lint]` in a
    /// `specforge.toml` beside the spec, then `--rule`. Exit code 1 when an
    /// error-level rule fires, 2 when the spec cannot be read.
    Lint(lint::LintArgs),
    /// Compare two versions of a spec and classify every change as breaking
    /// or safe for clients of the old one: operations, parameters, request
    /// bodies, responses, schemas, security and specforge's extensions.
    ///
    /// Operations match by method and path template. Breaking changes are
    /// printed first, located in both files. Exit code 1 when a change
    /// breaks clients (so CI can gate merges), 2 when a spec cannot be read.
    Diff(diff::DiffArgs),
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
        Command::Lint(args) => lint::run(&args, verbosity),
        Command::Diff(args) => diff::run(&args, verbosity),
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

pub(crate) fn render_options(color: Color) -> RenderOptions {
    render_options_on(color, std::io::stderr().is_terminal())
}

/// [`render_options`] for output that goes to a stream other than stderr:
/// `terminal` says whether that stream is one.
pub(crate) fn render_options_on(color: Color, terminal: bool) -> RenderOptions {
    let color = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    RenderOptions { color }
}

/// `1 type`, `20 types`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

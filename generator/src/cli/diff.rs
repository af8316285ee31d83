//! `specforge diff`: the changes between two versions of a spec, breaking
//! ones first, as text or JSON.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use specforge::diagnostics::render_all;
use specforge::diff::{self, report};

use crate::{count, render_options, render_options_on, say, Color, Verbosity, EXIT_FAILURE};

#[derive(Args)]
pub(crate) struct DiffArgs {
    /// The version clients were built against.
    old: PathBuf,
    /// The version to check.
    new: PathBuf,
    /// How to print the changes.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print only the breaking changes (text output).
    #[arg(long)]
    breaking_only: bool,
    /// When to color text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

const EXIT_BREAKING: u8 = 1;

/// Exit 0 when nothing breaks, 1 when something does, 2 when a spec cannot
/// be read.
pub(crate) fn run(args: &DiffArgs, verbosity: Verbosity) -> ExitCode {
    let mut specs = Vec::new();
    for path in [&args.old, &args.new] {
        match specforge::load::load(path) {
            Ok(spec) => specs.push(spec),
            Err(mut diagnostics) => {
                diagnostics.locate_positions();
                eprint!("{}", render_all(&diagnostics, render_options(args.color)));
                return ExitCode::from(EXIT_FAILURE);
            }
        }
    }
    let changes = diff::diff(&specs[0], &specs[1]);
    let files = (args.old.as_path(), args.new.as_path());
    let positions = report::locate(&changes, files.0, files.1);
    let (breaking, safe) = report::counts(&changes);
    let printed = match args.format {
        Format::Text => {
            // The changes go to stdout, so it decides whether to color them.
            let options = render_options_on(args.color, std::io::stdout().is_terminal());
            let with_safe = !args.breaking_only && verbosity != Verbosity::Quiet;
            let text = report::text(&changes, &positions, files, with_safe, options);
            let written = write!(std::io::stdout(), "{text}");
            if verbosity != Verbosity::Quiet {
                say(format_args!(
                    "{} -> {}: {}, {}",
                    files.0.display(),
                    files.1.display(),
                    count(breaking, "breaking change"),
                    count(safe, "safe change")
                ));
            }
            written
        }
        Format::Json => {
            let value = report::json(&changes, &positions, files);
            let text = serde_json::to_string_pretty(&value).expect("a JSON value serializes");
            writeln!(std::io::stdout(), "{text}")
        }
    };
    // A closed pipe (`| head`) is no reason to report anything else.
    drop(printed);
    if breaking > 0 {
        ExitCode::from(EXIT_BREAKING)
    } else {
        ExitCode::SUCCESS
    }
}

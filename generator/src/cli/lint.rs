//! `specforge lint`: the design rules over a spec, as text, JSON or SARIF.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use specforge::diagnostics::{render, render_all, Diagnostic};
use specforge::lint::{self, report, Level, LintConfig};

use crate::{count, render_options, say, Color, Verbosity, EXIT_FAILURE};

#[derive(Args)]
pub(crate) struct LintArgs {
    /// The OpenAPI document (YAML or JSON, OpenAPI 3.0.x or 3.1.x).
    spec: PathBuf,
    /// A rule's level, overriding its default and `specforge.toml`
    /// (`--rule paths-kebab-case=off`); repeat for more rules.
    #[arg(long = "rule", value_name = "ID=LEVEL")]
    rules: Vec<String>,
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// When to color text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

const EXIT_FINDINGS: u8 = 1;

/// Exit 0 clean (or warnings only), 1 when an error-level rule fires, 2 when
/// the spec or the configuration cannot be read.
pub(crate) fn run(args: &LintArgs, verbosity: Verbosity) -> ExitCode {
    let options = render_options(args.color);
    let fail = |message: String| {
        eprint!("{}", render(&Diagnostic::error(message), options));
        ExitCode::from(EXIT_FAILURE)
    };
    let mut config = LintConfig::defaults();
    if let Err(error) = config.read_beside(&args.spec) {
        return fail(error);
    }
    for assignment in &args.rules {
        if let Err(error) = config.set(assignment) {
            return fail(format!("--rule {error}"));
        }
    }
    let spec = match specforge::load::load(&args.spec) {
        Ok(spec) => spec,
        Err(mut diagnostics) => {
            diagnostics.locate_positions();
            eprint!("{}", render_all(&diagnostics, options));
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let findings = lint::lint(&spec, &config);
    let located = lint::diagnostics(&findings, &args.spec);
    let errors = report::count(&findings, Level::Error);
    let warnings = report::count(&findings, Level::Warning);
    match args.format {
        Format::Text => {
            if verbosity != Verbosity::Quiet || errors > 0 {
                eprint!("{}", render_all(&located, options));
            }
            if verbosity != Verbosity::Quiet {
                say(format_args!(
                    "{}: {}, {}",
                    args.spec.display(),
                    count(errors, "error"),
                    count(warnings, "warning")
                ));
            }
        }
        Format::Json | Format::Sarif => {
            let value = match args.format {
                Format::Json => report::json(&findings, &located, &args.spec),
                _ => report::sarif(&findings, &located, &args.spec),
            };
            let text = serde_json::to_string_pretty(&value).expect("a JSON value serializes");
            let _ = writeln!(std::io::stdout(), "{text}");
        }
    }
    if errors > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

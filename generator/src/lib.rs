//! specforge: generate an axum server crate, a typed client crate and a
//! types crate from an OpenAPI 3.0 or 3.1 document.
//!
//! The pipeline is `load -> lower -> emit -> write`: loading turns files into
//! one typed document, lowering into the IR, emitting into an in-memory map
//! of files, and writing is the only stage that touches the output directory.

pub mod diagnostics;
pub mod diff;
pub mod document;
pub mod emit;
pub mod ir;
pub mod lint;
pub mod load;
pub mod lower;
pub mod naming;
pub mod write;

use std::path::Path;

use diagnostics::Diagnostics;
pub use emit::{Output, Settings};

/// Everything `generate` and `check` need: the files and the warnings met on the way.
pub struct Generated {
    pub output: Output,
    pub warnings: Diagnostics,
    pub api: ir::Api,
}

/// Loads, lowers and emits the spec at `spec_path`. Touches no output directory.
pub fn generate(spec_path: &Path, settings: &Settings) -> Result<Generated, Diagnostics> {
    generate_from(load::load(spec_path)?, settings)
}

/// Lowers and emits an already loaded spec.
pub fn generate_from(spec: load::Spec, settings: &Settings) -> Result<Generated, Diagnostics> {
    let (api, warnings) = lower::lower(&spec)?;
    let output = emit::emit(&api, settings);
    Ok(Generated {
        output,
        warnings,
        api,
    })
}

/// The crate name `--name` defaults to: the spec's title in kebab case.
pub fn default_name(title: &str) -> String {
    use heck::ToKebabCase;
    let name = title.to_kebab_case();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("api-{name}").trim_end_matches('-').to_string()
    } else {
        name
    }
}

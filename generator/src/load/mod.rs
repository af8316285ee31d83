//! Loading: raw document -> bundled -> normalised to 3.0 -> typed `openapiv3`.

mod bundle;
pub mod locate;
mod normalise;
mod parse;
mod source;
mod yaml;

use std::path::{Path, PathBuf};

pub use bundle::{escape_segment, references};
pub use normalise::Version;

use crate::diagnostics::Diagnostics;

/// A loaded, self-contained OpenAPI document.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file the user named.
    pub path: PathBuf,
    /// The bundled document as JSON: the base of the served document, and
    /// of passes that need raw extension values. A 3.1 document is kept as
    /// declared (the served document speaks its dialect); a 3.0 one as
    /// mended by loading, without the nodes that were left out.
    pub raw: serde_json::Value,
    pub version: Version,
    /// The document in its 3.0 form (3.1 is normalised into it).
    pub openapi: openapiv3::OpenAPI,
    /// What loading degraded, such as 3.1 keywords with no 3.0 form.
    pub warnings: Diagnostics,
}

/// Loads the spec at `path`, resolving references to other files relative to it.
pub fn load(path: &Path) -> Result<Spec, Diagnostics> {
    let mut document = source::read_document(path)?;
    let version = normalise::version(path, &document)?;
    bundle::bundle(path, &mut document).propagate()?;
    let declared = (version == Version::V31).then(|| document.clone());
    let mut warnings = normalise::for_parse(path, version, &mut document);
    let openapi = parse::parse_openapi(path, &mut document, &mut warnings)?;
    let raw = declared.unwrap_or(document);
    Ok(Spec {
        path: path.to_path_buf(),
        raw,
        version,
        openapi,
        warnings,
    })
}

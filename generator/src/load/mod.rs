//! Loading: raw document -> normalised -> bundled -> typed `openapiv3`.

mod bundle;
pub mod locate;
mod normalise;
mod parse;
mod source;

use std::path::{Path, PathBuf};

pub use bundle::escape_segment;

use crate::diagnostics::Diagnostics;

/// A loaded, self-contained OpenAPI document.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file the user named.
    pub path: PathBuf,
    /// The bundled document as JSON, for passes that need the raw extension values.
    pub raw: serde_json::Value,
    pub openapi: openapiv3::OpenAPI,
}

/// Loads the spec at `path`, resolving references to other files relative to it.
pub fn load(path: &Path) -> Result<Spec, Diagnostics> {
    let mut raw = source::read_document(path)?;
    normalise::normalise(path, &mut raw)?;
    bundle::bundle(path, &mut raw).propagate()?;
    let openapi = parse::parse_openapi(path, raw.clone())?;
    Ok(Spec {
        path: path.to_path_buf(),
        raw,
        openapi,
    })
}

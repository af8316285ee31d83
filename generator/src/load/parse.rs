//! The typed parse: a normalised, bundled JSON value into `openapiv3::OpenAPI`.

use std::path::Path;

use serde_json::Value;

use super::bundle::escape_segment;
use crate::diagnostics::Diagnostic;

pub fn parse_openapi(path: &Path, document: Value) -> Result<openapiv3::OpenAPI, Diagnostic> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(document).map_err(|error| {
        let mut pointer = String::from("#");
        for segment in error.path().iter() {
            match segment {
                serde_path_to_error::Segment::Map { key } => {
                    pointer.push('/');
                    pointer.push_str(&escape_segment(key));
                }
                serde_path_to_error::Segment::Seq { index } => {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                }
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => {}
            }
        }
        Diagnostic::error(format!(
            "this node does not follow the OpenAPI 3.0 schema: {}",
            explain(&error.inner().to_string())
        ))
        .in_file(path)
        .at_pointer(pointer)
        .with_hint("compare this node with the OpenAPI 3.0.3 specification")
    })
}

/// serde's "did not match any variant" says nothing about why; say what was expected.
fn explain(message: &str) -> String {
    if message.starts_with("data did not match any variant of untagged enum ReferenceOr") {
        "expected either a `$ref` or an inline object of the right kind".to_string()
    } else if let Some(rest) =
        message.strip_prefix("data did not match any variant of untagged enum ")
    {
        format!("the value is not a valid `{rest}`")
    } else {
        message.to_string()
    }
}

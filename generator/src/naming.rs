//! Every Rust name the generator emits is made here, during lowering.
//!
//! Casing comes from heck; keywords are escaped the way prost does it
//! (`r#type`, `self_`); names that would shadow the prelude get a suffix; and
//! collisions resolve deterministically by numbering in document order.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords that can be raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Type names that generated code uses unqualified, so a model may not take them.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "Fn",
    "Iterator",
    "ToString",
    "BTreeMap",
    "Validate",
    "Decode",
    "DecodeError",
    "FromJson",
    "Property",
    "ValidationError",
    "ValidationErrors",
    "Path",
    "Value",
    "Serialize",
    "Deserialize",
    "Serializer",
    "Deserializer",
    "DateTime",
    "NaiveDate",
    "Utc",
    "Uuid",
    "Regex",
    "LazyLock",
    "Infallible",
    "FromStr",
    "ParseEnumError",
];

/// Keeps the ASCII letters and digits of a name, the rest become word breaks.
///
/// Rust accepts many non-ASCII identifiers, but not every character that
/// `char::is_alphanumeric` accepts; ASCII is always safe, and the wire name
/// keeps the original through serde renames.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// `charge_metadata` / `charge metadata` / `chargeMetadata` -> `ChargeMetadata`.
pub fn type_name(raw: &str) -> String {
    let mut name = ascii_words(raw).to_upper_camel_case();
    if name.is_empty() {
        name = "Model".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'N');
    }
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
        name.push_str("Model");
    }
    name
}

/// An enum variant name for a wire value; `None` if the value has no letters or digits.
pub fn variant_name(raw: &str) -> Option<String> {
    let mut name = ascii_words(raw).to_upper_camel_case();
    if name.is_empty() {
        return match raw {
            "" => Some("Empty".to_string()),
            _ => None,
        };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "Self" || name == "Unknown" {
        name.push_str("Value");
    }
    Some(name)
}

/// A field, parameter or method name: `createdAt` -> `created_at`, `type` -> `r#type`.
pub fn value_name(raw: &str) -> String {
    let mut name = ascii_words(raw).to_snake_case();
    if name.is_empty() {
        name = "value".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    } else if RAW_KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "r#");
    }
    name
}

/// A module (and file) name: `Pull Requests` -> `pull_requests`; keywords
/// take a suffix (`type_`), as a file cannot be named `r#type.rs`.
pub fn module_name(raw: &str) -> String {
    let name = value_name(raw);
    match name.strip_prefix("r#") {
        Some(keyword) => format!("{keyword}_"),
        None => name,
    }
}

/// The identifier text without a raw prefix (`r#type` -> `type`), for building other names.
pub fn bare(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// Hands out names within one namespace, numbering repeats: `Charge`, `Charge2`.
#[derive(Debug, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    pub fn new() -> Self {
        Namespace::default()
    }

    /// Marks a name as used without asking for it (generated helpers).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    pub fn claim(&mut self, candidate: &str) -> String {
        if self.taken.insert(candidate.to_string()) {
            return candidate.to_string();
        }
        // A numbered keyword is no longer a keyword: `type2`, not `r#type2`.
        let stem = bare(candidate);
        let mut counter = 2;
        loop {
            let name = format!("{stem}{counter}");
            if self.taken.insert(name.clone()) {
                return name;
            }
            counter += 1;
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        let cases = [
            ("charge", "Charge"),
            ("charge_metadata", "ChargeMetadata"),
            ("list-users sort", "ListUsersSort"),
            ("HTTPError", "HttpError"),
            ("200Response", "N200response"),
            ("Result", "ResultModel"),
            ("option", "OptionModel"),
            ("self", "SelfModel"),
            ("", "Model"),
            ("$$$", "Model"),
            ("Ünïcode²", "NCode"),
            ("Regex", "RegexModel"),
            ("Decode", "DecodeModel"),
            ("property", "PropertyModel"),
        ];
        for (raw, expected) in cases {
            assert_eq!(type_name(raw), expected, "{raw}");
        }
    }

    #[test]
    fn module_names() {
        assert_eq!(module_name("Pull Requests"), "pull_requests");
        assert_eq!(module_name("type"), "type_");
        assert_eq!(module_name("mod"), "mod_");
        assert_eq!(module_name("self"), "self_");
    }

    #[test]
    fn value_names() {
        let cases = [
            ("createdAt", "created_at"),
            ("per_page", "per_page"),
            ("X-Request-ID", "x_request_id"),
            ("type", "r#type"),
            ("match", "r#match"),
            ("self", "self_"),
            ("Self", "self_"),
            ("crate", "crate_"),
            ("2fa", "_2fa"),
            ("", "value"),
            ("@id", "id"),
            ("größe", "gr_e"),
        ];
        for (raw, expected) in cases {
            assert_eq!(value_name(raw), expected, "{raw}");
        }
    }

    #[test]
    fn variant_names() {
        let cases = [
            ("succeeded", Some("Succeeded")),
            ("requested_by_customer", Some("RequestedByCustomer")),
            ("in-progress", Some("InProgress")),
            ("1", Some("V1")),
            ("", Some("Empty")),
            ("unknown", Some("UnknownValue")),
            ("-", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(variant_name(raw).as_deref(), expected, "{raw}");
        }
    }

    #[test]
    fn namespace_numbers_repeats_in_order() {
        let mut names = Namespace::new();
        assert_eq!(names.claim("Charge"), "Charge");
        assert_eq!(names.claim("Charge"), "Charge2");
        assert_eq!(names.claim("Charge"), "Charge3");
        assert_eq!(names.claim("r#type"), "r#type");
        assert_eq!(names.claim("r#type"), "type2");
    }
}

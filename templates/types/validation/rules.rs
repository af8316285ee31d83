//! The checks that generated `validate_at` bodies call, one per rule.

use super::{Path, ValidationError};

pub(super) fn fail(
    path: &Path,
    code: &'static str,
    message: String,
    errors: &mut Vec<ValidationError>,
) {
    errors.push(ValidationError {
        field: path.to_string(),
        code,
        message,
    });
}

pub fn required(path: &Path, errors: &mut Vec<ValidationError>) {
    fail(path, "required", "is required".to_string(), errors);
}

/// Lengths count characters, not bytes, as JSON Schema does.
pub fn min_length(path: &Path, value: &str, min: usize, errors: &mut Vec<ValidationError>) {
    if value.chars().count() < min {
        let message = format!("must be at least {min} character{} long", plural(min));
        fail(path, "min_length", message, errors);
    }
}

pub fn max_length(path: &Path, value: &str, max: usize, errors: &mut Vec<ValidationError>) {
    if value.chars().count() > max {
        let message = format!("must be at most {max} character{} long", plural(max));
        fail(path, "max_length", message, errors);
    }
}

pub fn pattern(path: &Path, matches: bool, pattern: &str, errors: &mut Vec<ValidationError>) {
    if !matches {
        fail(
            path,
            "pattern",
            format!("must match the pattern `{pattern}`"),
            errors,
        );
    }
}

/// A format checked by parsing, such as `date-time` or `uuid`.
pub fn format(path: &Path, parses: bool, format: &str, errors: &mut Vec<ValidationError>) {
    if !parses {
        fail(path, "format", format!("must be a valid {format}"), errors);
    }
}

/// The checks of one variant of a `oneOf`/`anyOf`.
pub type VariantCheck<'a> = &'a dyn Fn(&mut Vec<ValidationError>);

/// Like serde with an untagged enum, accepts a value that fits any variant.
pub fn one_of(path: &Path, variants: &[VariantCheck<'_>], errors: &mut Vec<ValidationError>) {
    let fits = variants.iter().any(|check| {
        let mut attempt = Vec::new();
        check(&mut attempt);
        attempt.is_empty()
    });
    if !fits {
        let message = "must match one of the allowed shapes".to_string();
        fail(path, "one_of", message, errors);
    }
}

pub fn email(path: &Path, value: &str, errors: &mut Vec<ValidationError>) {
    if !is_email(value) {
        fail(
            path,
            "format",
            "must be an email address".to_string(),
            errors,
        );
    }
}

pub fn uri(path: &Path, value: &str, errors: &mut Vec<ValidationError>) {
    if !is_uri(value) {
        fail(
            path,
            "format",
            "must be an absolute URI".to_string(),
            errors,
        );
    }
}

pub fn minimum(path: &Path, value: f64, min: f64, errors: &mut Vec<ValidationError>) {
    if value < min {
        fail(path, "minimum", format!("must be at least {min}"), errors);
    }
}

pub fn exclusive_minimum(path: &Path, value: f64, min: f64, errors: &mut Vec<ValidationError>) {
    if value <= min {
        fail(
            path,
            "minimum",
            format!("must be greater than {min}"),
            errors,
        );
    }
}

pub fn maximum(path: &Path, value: f64, max: f64, errors: &mut Vec<ValidationError>) {
    if value > max {
        fail(path, "maximum", format!("must be at most {max}"), errors);
    }
}

pub fn exclusive_maximum(path: &Path, value: f64, max: f64, errors: &mut Vec<ValidationError>) {
    if value >= max {
        fail(path, "maximum", format!("must be less than {max}"), errors);
    }
}

pub fn multiple_of(path: &Path, value: f64, factor: f64, errors: &mut Vec<ValidationError>) {
    let quotient = value / factor;
    // Tolerates the rounding of decimal factors such as 0.01.
    if (quotient - quotient.round()).abs() > 1e-9 {
        fail(
            path,
            "multiple_of",
            format!("must be a multiple of {factor}"),
            errors,
        );
    }
}

pub fn min_items(path: &Path, len: usize, min: usize, errors: &mut Vec<ValidationError>) {
    if len < min {
        let message = format!("must have at least {min} item{}", plural(min));
        fail(path, "min_items", message, errors);
    }
}

pub fn max_items(path: &Path, len: usize, max: usize, errors: &mut Vec<ValidationError>) {
    if len > max {
        let message = format!("must have at most {max} item{}", plural(max));
        fail(path, "max_items", message, errors);
    }
}

pub fn unique_items<T: PartialEq>(path: &Path, items: &[T], errors: &mut Vec<ValidationError>) {
    let repeated = items
        .iter()
        .enumerate()
        .any(|(index, item)| items[..index].contains(item));
    if repeated {
        fail(
            path,
            "unique_items",
            "must not repeat items".to_string(),
            errors,
        );
    }
}

pub fn min_properties(path: &Path, len: usize, min: usize, errors: &mut Vec<ValidationError>) {
    if len < min {
        let message = format!("must have at least {min} entr{}", plural_y(min));
        fail(path, "min_properties", message, errors);
    }
}

pub fn max_properties(path: &Path, len: usize, max: usize, errors: &mut Vec<ValidationError>) {
    if len > max {
        let message = format!("must have at most {max} entr{}", plural_y(max));
        fail(path, "max_properties", message, errors);
    }
}

/// A map key longer than allowed; reported at the entry's path.
pub fn key_max_length(path: &Path, key: &str, max: usize, errors: &mut Vec<ValidationError>) {
    if key.chars().count() > max {
        let message = format!("key must be at most {max} character{} long", plural(max));
        fail(path, "max_length", message, errors);
    }
}

pub fn enumeration(
    path: &Path,
    value: &str,
    allowed: &[&str],
    errors: &mut Vec<ValidationError>,
) {
    if !allowed.contains(&value) {
        let message = format!("must be one of: {}", allowed.join(", "));
        fail(path, "enum", message, errors);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn plural_y(n: usize) -> &'static str {
    if n == 1 {
        "y"
    } else {
        "ies"
    }
}

/// A pragmatic check (RFC 5321 lengths, one `@`, a dotted domain), not the full grammar.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// An absolute URI: a scheme, a colon, and something after it, with no spaces.
pub fn is_uri(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    scheme_ok && !rest.is_empty() && !value.chars().any(char::is_whitespace)
}

//! What every string enum of the models does with its values, written once.
//!
//! Each enum spells out its own values: the variants, `as_str` and the parse
//! (`From<String>` for an open enum, `FromStr` for a closed one). The rest
//! (`Display`, serde, [`Decode`](crate::decode::Decode) and
//! [`FromJson`](crate::validation::FromJson)) is the same for every enum and
//! comes from one of these macros, so a thousand enums do not repeat it.

// @if open
/// The impls of an open enum (one with `Unknown(String)`, `KNOWN`, `as_str`
/// and `From<String>`): `enums::impl_open!(Status);`. Any string decodes;
/// a checked request may only send the values the spec lists.
macro_rules! impl_open {
    ($name:ident) => {
        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value.to_string()))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }

        $crate::enums::impl_common!($name, KNOWN);
    };
}
// @end

// @if closed
/// The impls of a closed enum (one with `ALL`, `as_str` and `FromStr`):
/// `enums::impl_closed!(Visibility);`. Only the values the spec lists decode.
macro_rules! impl_closed {
    ($name:ident) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as serde::Deserialize>::deserialize(deserializer)?;
                value
                    .parse()
                    .map_err(|_| $crate::enums::unknown_variant(&value, Self::ALL, Self::as_str))
            }
        }

        $crate::enums::impl_common!($name, ALL);
    };
}

/// serde's error for a value a closed enum does not list, worded as its
/// derive words it.
pub(crate) fn unknown_variant<E: serde::de::Error, T>(
    value: &str,
    values: &[T],
    as_str: fn(&T) -> &str,
) -> E {
    let expected: Vec<String> = values.iter().map(|v| format!("`{}`", as_str(v))).collect();
    let expected = match expected.as_slice() {
        [] => "there are no variants".to_string(),
        [only] => format!("expected {only}"),
        [first, second] => format!("expected {first} or {second}"),
        _ => format!("expected one of {}", expected.join(", ")),
    };
    E::custom(format_args!("unknown variant `{value}`, {expected}"))
}
// @end

/// What open and closed enums share; `$values` is the constant listing the
/// spec's values.
macro_rules! impl_common {
    ($name:ident, $values:ident) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl $crate::decode::Decode for $name {}

        impl $crate::validation::FromJson for $name {
            fn check_json(
                value: &serde_json::Value,
                path: &$crate::validation::Path,
                errors: &mut Vec<$crate::validation::ValidationError>,
            ) {
                $crate::validation::json::string_of(value, path, errors, Self::$values, Self::as_str);
            }
        }
    };
}

pub(crate) use impl_common;
// @if closed
pub(crate) use impl_closed;
// @end
// @if open
pub(crate) use impl_open;
// @end

//! Reading a request's parameters from path, query, headers and cookies in
//! the style the spec gives each, typed by the schema and checked, with
//! every failure reported.

use std::borrow::Cow;

use axum::extract::RawPathParams;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Number, Value};

use crate::runtime::error::{ErrorDetail, Location};
use crate::types::validation::{FromJson, ValidationErrors};

/// The raw parameters of a request, before they are typed. Query pairs
/// and headers are borrowed from the request: most need no decoding.
#[derive(Debug)]
pub struct RawRequest<'a> {
    /// The route's parameters, percent-decoded; `None` for a route without.
    pub path: Option<&'a RawPathParams>,
    pub query: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub headers: &'a HeaderMap,
}

impl<'a> RawRequest<'a> {
    pub fn new(
        path: Option<&'a RawPathParams>,
        query: Option<&'a str>,
        headers: &'a HeaderMap,
    ) -> Self {
        let query = form_urlencoded::parse(query.unwrap_or_default().as_bytes()).collect();
        RawRequest {
            path,
            query,
            headers,
        }
    }

    /// Every value of a parameter: query parameters may repeat (`?id=1&id=2`).
    fn values(&self, name: &str, location: Location) -> Vec<String> {
        match location {
            // A route names each of its parameters once.
            Location::Path => self
                .path_value(name)
                .map(str::to_string)
                .into_iter()
                .collect(),
            Location::Query => self
                .query
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.to_string())
                .collect(),
            Location::Header => self
                .headers
                .get_all(name)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .collect(),
            Location::Cookie => self.cookie(name).into_iter().collect(),
            Location::Body => Vec::new(),
        }
    }

    /// The items of a list parameter as its style writes them. `None` when
    /// the parameter is absent.
    fn items(&self, param: &Param) -> Option<Vec<String>> {
        let mut values = self.values(param.name, param.location);
        if values.is_empty() {
            return None;
        }
        let split = |text: &str, separator: char| -> Vec<String> {
            text.split(separator)
                .map(|item| item.trim().to_string())
                .collect()
        };
        let items = match param.style {
            Style::Repeated => values,
            Style::Comma => split(&values.swap_remove(0), ','),
            Style::Space => split(&values.swap_remove(0), ' '),
            Style::Pipe => split(&values.swap_remove(0), '|'),
            Style::Label { explode } => {
                let value = values.swap_remove(0);
                let value = value.strip_prefix('.').unwrap_or(&value).to_string();
                split(&value, if explode { '.' } else { ',' })
            }
            Style::Matrix { explode } => {
                let value = values.swap_remove(0);
                let matrix_prefix = format!(";{}=", param.name);
                if explode {
                    value
                        .split(';')
                        .filter_map(|part| part.strip_prefix(&matrix_prefix[1..]))
                        .map(str::to_string)
                        .collect()
                } else {
                    let value = value.strip_prefix(&matrix_prefix).unwrap_or(&value);
                    split(value, ',')
                }
            }
            // Objects are read by key, in `object`.
            Style::DeepObject => values,
        };
        Some(items)
    }

    /// A scalar parameter's text, without its style's punctuation (`.5`,
    /// `;id=5`). `None` when the parameter is absent.
    fn scalar(&self, param: &Param) -> Option<Cow<'_, str>> {
        let value = self.first_value(param.name, param.location)?;
        let bare = match param.style {
            Style::Label { .. } => value.strip_prefix('.'),
            Style::Matrix { .. } => value.strip_prefix(&format!(";{}=", param.name)),
            _ => None,
        }
        .map(str::to_string);
        Some(bare.map_or(value, Cow::Owned))
    }

    /// The first value of a parameter, borrowed where it can be: what a
    /// scalar reads, without collecting every value.
    fn first_value(&self, name: &str, location: Location) -> Option<Cow<'_, str>> {
        match location {
            Location::Path => self.path_value(name).map(Cow::Borrowed),
            Location::Query => self.query_value(name).map(Cow::Borrowed),
            _ => self
                .values(name, location)
                .into_iter()
                .next()
                .map(Cow::Owned),
        }
    }

    /// A `deepObject` parameter: `filter[status]=open` as `{"status": "open"}`.
    fn object(&self, name: &str) -> Option<Map<String, Value>> {
        let prefix = format!("{name}[");
        let members: Map<String, Value> = self
            .query
            .iter()
            .filter_map(|(key, value)| {
                let member = key.strip_prefix(&prefix)?.strip_suffix(']')?;
                Some((member.to_string(), Value::String(value.to_string())))
            })
            .collect();
        (!members.is_empty()).then_some(members)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    pub fn path_value(&self, name: &str) -> Option<&str> {
        self.path?.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| &**v)
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|line| line.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            // Clients percent-encode what a cookie value cannot hold (`,`, `;`, spaces).
            .map(|(_, value)| percent_decode_str(value).decode_utf8_lossy().into_owned())
    }

    /// The token of `Authorization: Bearer <token>`.
    pub fn bearer(&self) -> Option<String> {
        let value = self.headers.get(AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
            .then(|| token.trim().to_string())
    }

    /// The username and password of `Authorization: Basic <base64>`.
    pub fn basic(&self) -> Option<(String, String)> {
        let value = self.headers.get(AUTHORIZATION)?.to_str().ok()?;
        let (scheme, encoded) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (username, password) = decoded.split_once(':')?;
        Some((username.to_string(), password.to_string()))
    }
}

/// How a parameter's text becomes JSON for checking: what its schema says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    /// A list, each item of the inner kind.
    ArrayOf(ScalarKind),
    /// An object written `name[key]=value` (`deepObject`); its values are text.
    Object,
}

/// How a parameter writes a list (OpenAPI's `style` and `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `?id=1&id=2`: query `form`, exploded (the query default).
    Repeated,
    /// `1,2`: query `form` not exploded, path and header `simple`, cookies.
    Comma,
    /// `1 2`: query `spaceDelimited`.
    Space,
    /// `1|2`: query `pipeDelimited`.
    Pipe,
    /// `.1.2` (exploded) or `.1,2`: path `label`.
    Label { explode: bool },
    /// `;id=1;id=2` (exploded) or `;id=1,2`: path `matrix`.
    Matrix { explode: bool },
    /// `filter[status]=open`: query `deepObject`.
    DeepObject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    String,
    Integer,
    Number,
    Boolean,
}

/// One parameter of an operation.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The name on the wire, which is also the field of the params struct.
    pub name: &'static str,
    pub location: Location,
    pub kind: Kind,
    pub style: Style,
}

impl Param {
    /// A path parameter.
    pub const fn path(name: &'static str, kind: Kind, style: Style) -> Self {
        Param {
            name,
            location: Location::Path,
            kind,
            style,
        }
    }

    /// A query parameter.
    pub const fn query(name: &'static str, kind: Kind, style: Style) -> Self {
        Param {
            name,
            location: Location::Query,
            kind,
            style,
        }
    }

    /// A header parameter, looked up ignoring case.
    pub const fn header(name: &'static str, kind: Kind, style: Style) -> Self {
        Param {
            name,
            location: Location::Header,
            kind,
            style,
        }
    }

    /// A cookie parameter.
    pub const fn cookie(name: &'static str, kind: Kind, style: Style) -> Self {
        Param {
            name,
            location: Location::Cookie,
            kind,
            style,
        }
    }
}

fn coerce(text: Cow<'_, str>, kind: ScalarKind) -> Value {
    let parsed = match kind {
        ScalarKind::String => None,
        ScalarKind::Integer => text.parse::<i64>().ok().map(Value::from),
        ScalarKind::Number => text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number),
        ScalarKind::Boolean => match &*text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
    };
    // Text that does not parse stays text, and the schema check reports its type.
    parsed.unwrap_or_else(|| Value::String(text.into_owned()))
}

/// The parameters as their params struct, or a detail for every failure.
pub fn params<P: FromJson>(raw: &RawRequest<'_>, params: &[Param]) -> Result<P, Vec<ErrorDetail>> {
    let mut object = Map::new();
    for param in params {
        let value = match param.kind {
            Kind::Object => match raw.object(param.name) {
                Some(members) => Value::Object(members),
                None => continue,
            },
            Kind::ArrayOf(kind) => match raw.items(param) {
                Some(items) => Value::Array(
                    items
                        .into_iter()
                        .map(|text| coerce(Cow::Owned(text), kind))
                        .collect(),
                ),
                None => continue,
            },
            scalar => {
                let Some(text) = raw.scalar(param) else {
                    continue;
                };
                let kind = match scalar {
                    Kind::Integer => ScalarKind::Integer,
                    Kind::Number => ScalarKind::Number,
                    Kind::Boolean => ScalarKind::Boolean,
                    _ => ScalarKind::String,
                };
                coerce(text, kind)
            }
        };
        object.insert(param.name.to_string(), value);
    }
    P::from_json(Value::Object(object)).map_err(|errors| {
        details(errors, |field| {
            params
                .iter()
                .find(|p| field == p.name || field.starts_with(&format!("{}[", p.name)))
                .map_or(Location::Query, |p| p.location)
        })
    })
}

/// Validation errors as response details, located by their field.
pub fn details(errors: ValidationErrors, location: impl Fn(&str) -> Location) -> Vec<ErrorDetail> {
    errors
        .into_iter()
        .map(|error| ErrorDetail {
            location: location(&error.field),
            field: error.field,
            message: error.message,
            code: error.code.into(),
        })
        .collect()
}

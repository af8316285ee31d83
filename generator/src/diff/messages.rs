//! Request bodies and responses: whether they are there, their media
//! types, response statuses and headers, and the schemas they carry.

use serde_json::{Map, Value};

use super::change::Direction;
use super::checks;
use super::collect::Collector;
use super::schema::{self, Place};
use super::shape::Node;
use crate::document::{Document, OperationRef};
use crate::load::escape_segment;

pub(super) fn request_body(c: &mut Collector<'_>, old: &OperationRef<'_>, new: &OperationRef<'_>) {
    let (old_document, new_document) = (c.old, c.new);
    let old_body = body(old_document, old);
    let new_body = body(new_document, new);
    let required = |body: &Map<String, Value>| body.get("required") == Some(&Value::Bool(true));
    match (old_body, new_body) {
        (None, None) => {}
        (None, Some((body, at))) => {
            let (check, qualifier) = if required(body) {
                (&checks::NEW_REQUIRED_REQUEST_BODY, "required")
            } else {
                (&checks::NEW_OPTIONAL_REQUEST_BODY, "optional")
            };
            c.report(
                check,
                format!("new {qualifier} request body"),
                Some(&old.pointer),
                Some(&at),
            );
        }
        (Some((_, at)), None) => c.report(
            &checks::REQUEST_BODY_REMOVED,
            "request body removed".to_string(),
            Some(&at),
            Some(&new.pointer),
        ),
        (Some((old_body, old_at)), Some((new_body, new_at))) => {
            if required(old_body) != required(new_body) {
                let (check, state) = if required(new_body) {
                    (&checks::REQUEST_BODY_BECAME_REQUIRED, "required")
                } else {
                    (&checks::REQUEST_BODY_BECAME_OPTIONAL, "optional")
                };
                c.report(
                    check,
                    format!("request body became {state}"),
                    Some(&old_at),
                    Some(&new_at),
                );
            }
            content(
                c,
                Direction::Request,
                "request body",
                (old_body, &old_at),
                (new_body, &new_at),
            );
        }
    }
}

pub(super) fn responses(c: &mut Collector<'_>, old: &OperationRef<'_>, new: &OperationRef<'_>) {
    let (old_document, new_document) = (c.old, c.new);
    let old_responses = statuses(old_document, old);
    let new_responses = statuses(new_document, new);
    let responses_at = |op: &OperationRef<'_>| format!("{}/responses", op.pointer);
    for (status, old_response, old_at) in &old_responses {
        let Some((_, new_response, new_at)) =
            new_responses.iter().find(|(other, _, _)| other == status)
        else {
            c.report(
                &checks::RESPONSE_STATUS_REMOVED,
                format!("response {status} removed"),
                Some(old_at),
                Some(&responses_at(new)),
            );
            continue;
        };
        let subject = format!("response body ({status})");
        content(
            c,
            Direction::Response,
            &subject,
            (old_response, old_at),
            (new_response, new_at),
        );
        headers(c, status, (old_response, old_at), (new_response, new_at));
    }
    for (status, _, new_at) in &new_responses {
        if !old_responses.iter().any(|(other, _, _)| other == status) {
            c.report(
                &checks::RESPONSE_STATUS_ADDED,
                format!("response {status} added"),
                Some(&responses_at(old)),
                Some(new_at),
            );
        }
    }
}

/// The resolved request body and its pointer.
fn body<'a>(
    document: Document<'a>,
    op: &OperationRef<'a>,
) -> Option<(&'a Map<String, Value>, String)> {
    let node = op.node.get("requestBody")?;
    let (body, at) = document.resolve_at(node, &format!("{}/requestBody", op.pointer));
    Some((body.as_object()?, at))
}

/// The resolved responses by status (`2XX` for `2xx`), with their pointers.
fn statuses<'a>(
    document: Document<'a>,
    op: &OperationRef<'a>,
) -> Vec<(String, &'a Map<String, Value>, String)> {
    op.node
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(status, node)| {
            let at = format!("{}/responses/{}", op.pointer, escape_segment(status));
            let (response, at) = document.resolve_at(node, &at);
            Some((status.to_ascii_uppercase(), response.as_object()?, at))
        })
        .collect()
}

/// The media types of a body or response, by their lowercase essence
/// (`application/json`, without parameters), with their pointers.
fn media_types<'a>(owner: &'a Map<String, Value>, at: &str) -> Vec<(String, &'a Value, String)> {
    owner
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(media, node)| {
            let essence = media
                .split(';')
                .next()
                .unwrap_or(media)
                .trim()
                .to_ascii_lowercase();
            let pointer = format!("{at}/content/{}", escape_segment(media));
            (essence, node, pointer)
        })
        .collect()
}

/// Media types removed or added, and the schemas of those both have.
fn content(
    c: &mut Collector<'_>,
    direction: Direction,
    subject: &str,
    (old, old_at): (&Map<String, Value>, &str),
    (new, new_at): (&Map<String, Value>, &str),
) {
    let old_media = media_types(old, old_at);
    let new_media = media_types(new, new_at);
    let several = old_media.len() > 1 || new_media.len() > 1;
    let (removed, added) = match direction {
        Direction::Request => (
            &checks::REQUEST_MEDIA_TYPE_REMOVED,
            &checks::REQUEST_MEDIA_TYPE_ADDED,
        ),
        Direction::Response => (
            &checks::RESPONSE_MEDIA_TYPE_REMOVED,
            &checks::RESPONSE_MEDIA_TYPE_ADDED,
        ),
    };
    for (media, old_node, old_pointer) in &old_media {
        let Some((_, new_node, new_pointer)) = new_media.iter().find(|(m, _, _)| m == media) else {
            c.report(
                removed,
                format!("{subject}: media type `{media}` removed"),
                Some(old_pointer),
                Some(new_at),
            );
            continue;
        };
        let (Some(old_schema), Some(new_schema)) = (old_node.get("schema"), new_node.get("schema"))
        else {
            continue;
        };
        let text = if several {
            format!("{subject} `{media}`")
        } else {
            subject.to_string()
        };
        schema::compare(
            c,
            direction,
            &Place::root(text),
            Node::new(old_schema, format!("{old_pointer}/schema")),
            Node::new(new_schema, format!("{new_pointer}/schema")),
        );
    }
    // A response that had no content gains a body clients may ignore.
    if old_media.is_empty() && direction == Direction::Response {
        return;
    }
    for (media, _, new_pointer) in &new_media {
        if !old_media.iter().any(|(m, _, _)| m == media) {
            c.report(
                added,
                format!("{subject}: media type `{media}` added"),
                Some(old_at),
                Some(new_pointer),
            );
        }
    }
}

/// Response headers, by case-insensitive name.
fn headers(
    c: &mut Collector<'_>,
    status: &str,
    (old, old_at): (&Map<String, Value>, &str),
    (new, new_at): (&Map<String, Value>, &str),
) {
    let (old_document, new_document) = (c.old, c.new);
    let old_headers = declared_headers(old_document, old, old_at);
    let new_headers = declared_headers(new_document, new, new_at);
    let required = |header: &Value| header.get("required") == Some(&Value::Bool(true));
    for (name, old_header, old_pointer) in &old_headers {
        let Some((_, new_header, new_pointer)) = new_headers
            .iter()
            .find(|(other, _, _)| other.eq_ignore_ascii_case(name))
        else {
            c.report(
                &checks::RESPONSE_HEADER_REMOVED,
                format!("response header `{name}` ({status}) removed"),
                Some(old_pointer),
                Some(new_at),
            );
            continue;
        };
        if required(old_header) && !required(new_header) {
            c.report(
                &checks::RESPONSE_HEADER_BECAME_OPTIONAL,
                format!("response header `{name}` ({status}) became optional"),
                Some(old_pointer),
                Some(new_pointer),
            );
        }
        if let (Some(old_schema), Some(new_schema)) =
            (old_header.get("schema"), new_header.get("schema"))
        {
            schema::compare(
                c,
                Direction::Response,
                &Place::root(format!("response header `{name}` ({status})")),
                Node::new(old_schema, format!("{old_pointer}/schema")),
                Node::new(new_schema, format!("{new_pointer}/schema")),
            );
        }
    }
    for (name, _, new_pointer) in &new_headers {
        if !old_headers
            .iter()
            .any(|(other, _, _)| other.eq_ignore_ascii_case(name))
        {
            c.report(
                &checks::RESPONSE_HEADER_ADDED,
                format!("response header `{name}` ({status}) added"),
                Some(old_at),
                Some(new_pointer),
            );
        }
    }
}

/// A response's headers, resolved, but `Content-Type`, which OpenAPI says
/// to ignore there (the media types say it).
fn declared_headers<'a>(
    document: Document<'a>,
    response: &'a Map<String, Value>,
    at: &str,
) -> Vec<(&'a str, &'a Value, String)> {
    response
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("content-type"))
        .map(|(name, node)| {
            let pointer = format!("{at}/headers/{}", escape_segment(name));
            let (header, pointer) = document.resolve_at(node, &pointer);
            (name.as_str(), header, pointer)
        })
        .collect()
}

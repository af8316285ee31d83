//! Request bodies, responses, their headers and media types.

use indexmap::IndexMap;
use openapiv3::{
    MediaType, ParameterSchemaOrContent, QueryStyle, ReferenceOr, RequestBody as OaRequestBody,
    Response as OaResponse,
};

use super::{component_name, OperationLowering};
use crate::ir::{
    media_essence, BodyContent, BodyEncoding, FormStyle, Header, Name, RequestBody, Response,
    Schema, StatusCode, TypeKind, TypeRef,
};
use crate::load::escape_segment;
use crate::lower::schemas::SchemaRef;
use crate::naming::{self, Namespace};

impl<'a> OperationLowering<'a, '_> {
    pub(super) fn lower_request_body(
        &mut self,
        body: &'a ReferenceOr<OaRequestBody>,
        pointer: &str,
        type_stem: &str,
    ) -> Option<RequestBody> {
        let (body, pointer, hint) = match body {
            ReferenceOr::Item(body) => (body, pointer.to_string(), format!("{type_stem}Body")),
            ReferenceOr::Reference { reference } => {
                let name = component_name(reference, "requestBodies")?;
                match self
                    .openapi
                    .components
                    .as_ref()?
                    .request_bodies
                    .get(&name)?
                {
                    ReferenceOr::Item(body) => (
                        body,
                        format!("#/components/requestBodies/{}", escape_segment(&name)),
                        naming::type_name(&name),
                    ),
                    ReferenceOr::Reference { .. } => return None,
                }
            }
        };
        // The preferred content type first: JSON where there is one.
        let mut entries: Vec<(&String, &MediaType)> = body.content.iter().collect();
        if let Some(json) = entries
            .iter()
            .position(|(content_type, _)| is_json(content_type))
        {
            let preferred = entries.remove(json);
            entries.insert(0, preferred);
        }
        let preferred_schema = entries.first().map(|(_, media)| &media.schema);
        let mut variants = Namespace::new();
        let mut contents: Vec<BodyContent> = Vec::new();
        for (content_type, media) in entries {
            let content_pointer = format!("{pointer}/content/{}", escape_segment(content_type));
            // A content type that repeats the preferred one's schema reads
            // into the same type rather than a copy of it.
            let repeats = contents
                .first()
                .filter(|_| preferred_schema.is_some_and(|p| same_schema(p, &media.schema)));
            let (schema, schema_from) = match repeats {
                Some(first) => (first.schema.clone(), first.schema_from.clone()),
                None => {
                    let hint = match contents.len() {
                        0 => hint.clone(),
                        _ => format!("{hint}{}", media_variant(content_type)),
                    };
                    let schema = self.media_type_schema(media, &content_pointer, &hint);
                    (schema, content_pointer.clone())
                }
            };
            let (encoding, form_styles) =
                self.body_encoding(content_type, media, &schema, &content_pointer);
            let unbounded_binary = encoding == BodyEncoding::Bytes
                && !is_form(content_type)
                && !content_type.starts_with("multipart/")
                && schema.rules.max_length.is_none();
            contents.push(BodyContent {
                content_type: content_type.clone(),
                encoding,
                unbounded_binary,
                schema,
                schema_from,
                form_styles,
                variant: variants.claim(&media_variant(content_type)),
                pointer: content_pointer,
            });
        }
        if contents.is_empty() {
            return None;
        }
        Some(RequestBody {
            required: body.required,
            docs: body.description.clone(),
            contents,
            pointer,
        })
    }

    /// How a body of `content_type` is read, and the array styles of a form.
    fn body_encoding(
        &mut self,
        content_type: &str,
        media: &MediaType,
        schema: &Schema,
        pointer: &str,
    ) -> (BodyEncoding, Vec<(String, FormStyle)>) {
        if is_json(content_type) {
            (BodyEncoding::Json, Vec::new())
        } else if content_type.starts_with("text/") {
            (BodyEncoding::Text, Vec::new())
        } else if is_form(content_type) && self.is_object(schema) {
            (BodyEncoding::Form, self.form_styles(media, pointer))
        } else if is_multipart(content_type) && self.is_object(schema) {
            (BodyEncoding::Multipart, Vec::new())
        } else {
            if is_form(content_type) || content_type.starts_with("multipart/") {
                self.types.warn(
                    format!("`{content_type}` bodies are not parsed; the handler receives the raw bytes"),
                    pointer,
                    "give the body an object schema to get a typed, checked body",
                );
            }
            (BodyEncoding::Bytes, Vec::new())
        }
    }

    /// Whether a lowered schema is a struct, a union of structs or a map
    /// (what a form or multipart body can fill).
    fn is_object(&self, schema: &Schema) -> bool {
        let kind = |ty: &TypeRef| match ty {
            TypeRef::Named(id) => self.types.type_def(*id).map(|t| &t.kind),
            _ => None,
        };
        match (&schema.ty, kind(&schema.ty)) {
            // Each value of a map is one field: text, typed by the schema.
            (TypeRef::Map(values), _) => {
                matches!(values.ty, TypeRef::Primitive(_))
                    || matches!(kind(&values.ty), Some(TypeKind::Enum(_)))
            }
            (_, Some(TypeKind::Struct(_))) => true,
            (_, Some(TypeKind::Union(union))) => union
                .variants
                .iter()
                .all(|v| matches!(kind(&v.schema.ty), Some(TypeKind::Struct(_)))),
            _ => false,
        }
    }

    /// The `encoding` entries of a form body that change how arrays are written.
    fn form_styles(&mut self, media: &MediaType, pointer: &str) -> Vec<(String, FormStyle)> {
        media
            .encoding
            .iter()
            .map(|(property, encoding)| {
                let style = match (&encoding.style, encoding.explode) {
                    (Some(QueryStyle::DeepObject), _) => FormStyle::Brackets,
                    // The loader made an absent `explode` explicit (openapiv3 reads it as false).
                    (Some(QueryStyle::Form) | None, false) => FormStyle::Comma,
                    (Some(QueryStyle::Form) | None, true) => FormStyle::Repeated,
                    (Some(other), _) => {
                        self.types.warn(
                            format!("`style: {other:?}` is not a form body style; `form` is used"),
                            &format!("{pointer}/encoding/{}/style", escape_segment(property)),
                            "use `form` or `deepObject` in a form body's `encoding`",
                        );
                        FormStyle::Repeated
                    }
                };
                (property.clone(), style)
            })
            .collect()
    }

    pub(super) fn lower_responses(
        &mut self,
        responses: &'a openapiv3::Responses,
        pointer: &str,
        type_stem: &str,
    ) -> Vec<Response> {
        let mut entries: Vec<(StatusCode, &'a ReferenceOr<OaResponse>, String)> = responses
            .responses
            .iter()
            .map(|(code, response)| {
                let status = match code {
                    openapiv3::StatusCode::Code(code) => StatusCode::Code(*code),
                    openapiv3::StatusCode::Range(range) => StatusCode::Range(*range as u8),
                };
                (status, response, format!("{pointer}/responses/{code}"))
            })
            .collect();
        if let Some(default) = &responses.default {
            entries.push((
                StatusCode::Default,
                default,
                format!("{pointer}/responses/default"),
            ));
        }
        let with_body = entries.len();
        entries
            .into_iter()
            .filter_map(|(status, response, response_pointer)| {
                let (response, response_pointer) =
                    self.resolve_response(response, &response_pointer)?;
                let hint = match (status, with_body) {
                    (_, 1) => format!("{type_stem}Response"),
                    (StatusCode::Code(code), _) => format!("{type_stem}Response{code}"),
                    (StatusCode::Range(range), _) => format!("{type_stem}Response{range}xx"),
                    (StatusCode::Default, _) => format!("{type_stem}DefaultResponse"),
                };
                let media = self.media_schema(
                    &response.content,
                    &format!("{response_pointer}/content"),
                    &hint,
                );
                let headers = self.lower_headers(&response.headers, &response_pointer, &hint);
                Some(Response {
                    status,
                    docs: Some(response.description.clone()).filter(|d| !d.trim().is_empty()),
                    content_type: media.as_ref().map(|(content_type, _)| content_type.clone()),
                    body: media.map(|(_, schema)| schema),
                    headers,
                    pointer: response_pointer,
                })
            })
            .collect()
    }

    fn resolve_response(
        &mut self,
        response: &'a ReferenceOr<OaResponse>,
        pointer: &str,
    ) -> Option<(&'a OaResponse, String)> {
        match response {
            ReferenceOr::Item(response) => Some((response, pointer.to_string())),
            ReferenceOr::Reference { reference } => {
                let name = component_name(reference, "responses")?;
                let target = self.openapi.components.as_ref()?.responses.get(&name)?;
                self.resolve_response(
                    target,
                    &format!("#/components/responses/{}", escape_segment(&name)),
                )
            }
        }
    }

    fn lower_headers(
        &mut self,
        headers: &'a IndexMap<String, ReferenceOr<openapiv3::Header>>,
        pointer: &str,
        hint: &str,
    ) -> Vec<Header> {
        let mut names = Namespace::new();
        let mut lowered = Vec::new();
        for (wire, header) in headers {
            let header_pointer = format!("{pointer}/headers/{}", escape_segment(wire));
            let header = match header {
                ReferenceOr::Item(header) => Some(header),
                ReferenceOr::Reference { reference } => component_name(reference, "headers")
                    .and_then(|name| {
                        self.openapi
                            .components
                            .as_ref()
                            .and_then(|c| c.headers.get(&name))
                            .and_then(ReferenceOr::as_item)
                    }),
            };
            let Some(header) = header else { continue };
            let header_hint = format!("{hint}{}", naming::type_name(wire));
            let schema = match &header.format {
                ParameterSchemaOrContent::Schema(schema) => self.types.lower(
                    schema.into(),
                    &format!("{header_pointer}/schema"),
                    &header_hint,
                ),
                ParameterSchemaOrContent::Content(_) => Schema::of(TypeRef::Any),
            };
            lowered.push(Header {
                name: Name {
                    rust: names.claim(&naming::value_name(wire)),
                    wire: wire.clone(),
                },
                required: header.required,
                docs: header.description.clone(),
                schema,
            });
        }
        lowered
    }

    /// The content type to use (JSON first) and its schema.
    pub(super) fn media_schema(
        &mut self,
        content: &'a IndexMap<String, MediaType>,
        pointer: &str,
        hint: &str,
    ) -> Option<(String, Schema)> {
        let (content_type, media) = content
            .iter()
            .find(|(content_type, _)| is_json(content_type))
            .or_else(|| content.first())?;
        let media_pointer = format!("{pointer}/{}", escape_segment(content_type));
        let schema = self.media_type_schema(media, &media_pointer, hint);
        Some((content_type.clone(), schema))
    }

    /// The schema of one media type (free-form JSON without one), with its examples sampled.
    fn media_type_schema(&mut self, media: &'a MediaType, pointer: &str, hint: &str) -> Schema {
        let schema = match &media.schema {
            Some(schema) => {
                self.types
                    .lower(SchemaRef::from(schema), &format!("{pointer}/schema"), hint)
            }
            None => Schema::of(TypeRef::Any),
        };
        self.sample_examples(media, pointer, &schema);
        schema
    }

    /// A media type's `example` and `examples` (followed to
    /// `components/examples`), as examples of its schema's type.
    fn sample_examples(&mut self, media: &'a MediaType, pointer: &str, schema: &Schema) {
        if let Some(example) = &media.example {
            self.types
                .examples
                .add(schema, &format!("{pointer}/example"), example);
        }
        for (name, example) in &media.examples {
            let (example, example_pointer) = match example {
                ReferenceOr::Item(example) => (
                    Some(example),
                    format!("{pointer}/examples/{}", escape_segment(name)),
                ),
                ReferenceOr::Reference { reference } => {
                    let Some(component) = component_name(reference, "examples") else {
                        continue;
                    };
                    let example = self
                        .openapi
                        .components
                        .as_ref()
                        .and_then(|c| c.examples.get(&component))
                        .and_then(ReferenceOr::as_item);
                    let pointer = format!("#/components/examples/{}", escape_segment(&component));
                    (example, pointer)
                }
            };
            if let Some(value) = example.and_then(|e| e.value.as_ref()) {
                self.types
                    .examples
                    .add(schema, &format!("{example_pointer}/value"), value);
            }
        }
    }
}

/// Whether two media types give the same schema, written the same way.
fn same_schema(
    a: &Option<ReferenceOr<openapiv3::Schema>>,
    b: &Option<ReferenceOr<openapiv3::Schema>>,
) -> bool {
    match (a, b) {
        (
            Some(ReferenceOr::Reference { reference: a }),
            Some(ReferenceOr::Reference { reference: b }),
        ) => a == b,
        (Some(a), Some(b)) => serde_json::to_value(a).ok() == serde_json::to_value(b).ok(),
        _ => false,
    }
}

/// The variant name of a content type in a body enum: `Json`, `Form`,
/// `Multipart`, `Text`, `Bytes`, else the subtype's (`Xml`, `ImagePng`).
fn media_variant(content_type: &str) -> String {
    let essence = media_essence(content_type).to_ascii_lowercase();
    let name = match essence.as_str() {
        "application/json" => "Json",
        "application/x-www-form-urlencoded" => "Form",
        "multipart/form-data" => "Multipart",
        "text/plain" => "Text",
        "application/octet-stream" => "Bytes",
        "*/*" => "Any",
        other => {
            let (kind, subtype) = other.split_once('/').unwrap_or(("", other));
            let subtype = subtype.trim_start_matches("x-").replace('*', "");
            let words = match kind {
                "application" | "text" if !subtype.is_empty() => subtype,
                _ => format!("{kind} {subtype}"),
            };
            return naming::type_name(&words);
        }
    };
    name.to_string()
}

pub fn is_multipart(content_type: &str) -> bool {
    media_essence(content_type).eq_ignore_ascii_case("multipart/form-data")
}

pub fn is_form(content_type: &str) -> bool {
    media_essence(content_type).eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

pub fn is_json(content_type: &str) -> bool {
    let essence = media_essence(content_type);
    essence == "application/json" || essence.ends_with("+json")
}

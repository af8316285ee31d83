//! Paths and operations to IR operations.

use indexmap::IndexMap;
use openapiv3::{
    MediaType, OpenAPI, Parameter as OaParameter, ParameterSchemaOrContent, ReferenceOr,
    RequestBody as OaRequestBody, Response as OaResponse,
};

use super::extensions::ExtensionParser;
use super::schemas::{SchemaRef, TypeLowering};
use crate::ir::{
    BodyEncoding, Field, Header, Method, Name, ObjectRules, Operation, Parameter,
    ParameterLocation, RequestBody, Response, Schema, Security, SecurityRequirement, StatusCode,
    StructDef, TypeDef, TypeGroup, TypeId, TypeKind, TypeRef,
};
use crate::load::escape_segment;
use crate::naming::{self, Namespace};

pub struct OperationLowering<'a, 'b> {
    pub openapi: &'a OpenAPI,
    pub types: &'b mut TypeLowering<'a>,
    pub extensions: &'b mut ExtensionParser<'a>,
    pub method_names: Namespace,
}

impl<'a> OperationLowering<'a, '_> {
    pub fn lower_all(&mut self) -> Vec<Operation> {
        let mut operations = Vec::new();
        for (path, item) in &self.openapi.paths.paths {
            let item_pointer = format!("#/paths/{}", escape_segment(path));
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    self.types.warn(
                        "path items given by `$ref` are not supported; this path is skipped".into(),
                        &item_pointer,
                        "write the path item inline",
                    );
                    continue;
                }
            };
            let methods = [
                (Method::Get, &item.get),
                (Method::Put, &item.put),
                (Method::Post, &item.post),
                (Method::Delete, &item.delete),
                (Method::Options, &item.options),
                (Method::Head, &item.head),
                (Method::Patch, &item.patch),
                (Method::Trace, &item.trace),
            ];
            for (method, operation) in methods {
                if let Some(operation) = operation {
                    let pointer = format!("{item_pointer}/{}", method.as_str().to_lowercase());
                    operations.push(self.lower_operation(path, method, operation, item, &pointer));
                }
            }
        }
        operations
    }

    fn lower_operation(
        &mut self,
        path: &str,
        method: Method,
        operation: &'a openapiv3::Operation,
        item: &'a openapiv3::PathItem,
        pointer: &str,
    ) -> Operation {
        let shared_parameters = &item.parameters;
        // The operation's own servers, else its path's, else the API's.
        let servers = if operation.servers.is_empty() {
            &item.servers
        } else {
            &operation.servers
        };
        let base_path = match servers.first() {
            Some(server) => super::server_path(server),
            None => super::server_path_of(self.openapi),
        };
        let wire_id = operation
            .operation_id
            .clone()
            .unwrap_or_else(|| synthesise_operation_id(method, path));
        let rust_id = self.method_names.claim(&naming::value_name(&wire_id));
        let type_stem = naming::type_name(naming::bare(&rust_id));

        let parameters = self.lower_parameters(operation, shared_parameters, pointer, &type_stem);
        let params_type = self.params_struct(&parameters, &type_stem, pointer);
        let request_body = operation.request_body.as_ref().and_then(|body| {
            self.lower_request_body(body, &format!("{pointer}/requestBody"), &type_stem)
        });
        let responses = self.lower_responses(&operation.responses, pointer, &type_stem);
        let security = match operation
            .security
            .as_ref()
            .or(self.openapi.security.as_ref())
        {
            None => Security::Public,
            Some(requirements) if requirements.is_empty() => Security::Public,
            Some(requirements) => Security::AnyOf(
                requirements
                    .iter()
                    .map(|requirement| SecurityRequirement {
                        schemes: requirement.keys().cloned().collect(),
                    })
                    .collect(),
            ),
        };
        let extensions = self.extensions.operation(&operation.extensions, pointer);
        Operation {
            id: Name {
                rust: rust_id,
                wire: wire_id,
            },
            type_stem,
            method,
            base_path,
            path: path.to_string(),
            summary: operation.summary.clone(),
            description: operation.description.clone(),
            tags: operation.tags.clone(),
            parameters,
            params_type,
            request_body,
            responses,
            security,
            deprecated: operation.deprecated,
            extensions,
            pointer: pointer.to_string(),
        }
    }

    fn lower_parameters(
        &mut self,
        operation: &'a openapiv3::Operation,
        shared: &'a [ReferenceOr<OaParameter>],
        pointer: &str,
        type_stem: &str,
    ) -> Vec<Parameter> {
        // Operation parameters override path-item ones with the same name and location.
        let mut merged: IndexMap<(String, ParameterLocation), (&'a OaParameter, String)> =
            IndexMap::new();
        let sources = [
            (shared, format!("{}/parameters", parent_pointer(pointer))),
            (&operation.parameters[..], format!("{pointer}/parameters")),
        ];
        for (list, list_pointer) in sources {
            for (index, parameter) in list.iter().enumerate() {
                let parameter_pointer = format!("{list_pointer}/{index}");
                let Some((parameter, parameter_pointer)) =
                    self.resolve_parameter(parameter, &parameter_pointer)
                else {
                    continue;
                };
                let data = parameter.parameter_data_ref();
                merged.insert(
                    (data.name.clone(), location_of(parameter)),
                    (parameter, parameter_pointer),
                );
            }
        }
        let mut names = Namespace::new();
        merged
            .into_iter()
            .map(|((wire, location), (parameter, parameter_pointer))| {
                let data = parameter.parameter_data_ref();
                let hint = format!("{type_stem}{}", naming::type_name(&wire));
                let schema = match &data.format {
                    ParameterSchemaOrContent::Schema(schema) => self.types.lower(
                        schema.into(),
                        &format!("{parameter_pointer}/schema"),
                        &hint,
                    ),
                    ParameterSchemaOrContent::Content(content) => self
                        .media_schema(content, &format!("{parameter_pointer}/content"), &hint)
                        .map(|(_, schema)| schema)
                        .unwrap_or_else(|| Schema::of(TypeRef::Any)),
                };
                let default = match &data.format {
                    ParameterSchemaOrContent::Schema(ReferenceOr::Item(item)) => {
                        item.schema_data.default.as_ref().and_then(|value| {
                            self.types.literal(
                                value,
                                &schema,
                                &format!("{parameter_pointer}/schema"),
                            )
                        })
                    }
                    _ => None,
                };
                Parameter {
                    name: Name {
                        rust: names.claim(&naming::value_name(&wire)),
                        wire,
                    },
                    location,
                    required: data.required || location == ParameterLocation::Path,
                    deprecated: data.deprecated.unwrap_or(false),
                    docs: data.description.clone(),
                    schema,
                    default,
                    pointer: parameter_pointer,
                }
            })
            .collect()
    }

    fn resolve_parameter(
        &mut self,
        parameter: &'a ReferenceOr<OaParameter>,
        pointer: &str,
    ) -> Option<(&'a OaParameter, String)> {
        match parameter {
            ReferenceOr::Item(parameter) => Some((parameter, pointer.to_string())),
            ReferenceOr::Reference { reference } => {
                let name = component_name(reference, "parameters");
                let found = name.as_ref().and_then(|name| {
                    self.openapi
                        .components
                        .as_ref()
                        .and_then(|c| c.parameters.get(name))
                        .map(|p| {
                            (
                                p,
                                format!("#/components/parameters/{}", escape_segment(name)),
                            )
                        })
                });
                match found {
                    Some((ReferenceOr::Item(parameter), target)) => Some((parameter, target)),
                    Some((nested, target)) => self.resolve_parameter(nested, &target),
                    None => {
                        self.types.warn(
                            format!(
                                "`{reference}` does not name a parameter component; it is skipped"
                            ),
                            pointer,
                            "refer to a parameter under `components/parameters`",
                        );
                        None
                    }
                }
            }
        }
    }

    /// The operation's parameters as one struct in the types crate.
    fn params_struct(
        &mut self,
        parameters: &[Parameter],
        type_stem: &str,
        pointer: &str,
    ) -> Option<TypeId> {
        if parameters.is_empty() {
            return None;
        }
        let fields = parameters
            .iter()
            .map(|parameter| Field {
                name: parameter.name.clone(),
                docs: parameter.docs.clone(),
                schema: parameter.schema.clone(),
                required: parameter.required,
                read_only: false,
                write_only: false,
                deprecated: parameter.deprecated,
                default: parameter.default.clone(),
                boxed: false,
                pointer: parameter.pointer.clone(),
            })
            .collect();
        let docs = format!("The parameters of `{}`.", naming::value_name(type_stem));
        Some(
            self.types
                .add_struct(&format!("{type_stem}Params"), |name| TypeDef {
                    name,
                    docs: Some(docs),
                    kind: TypeKind::Struct(StructDef {
                        fields,
                        additional_properties: None,
                        rules: ObjectRules::default(),
                    }),
                    group: TypeGroup::Params,
                    pointer: format!("{pointer}/parameters"),
                }),
        )
    }

    fn lower_request_body(
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
        let (content_type, schema) =
            self.media_schema(&body.content, &format!("{pointer}/content"), &hint)?;
        let encoding = if is_json(&content_type) {
            BodyEncoding::Json
        } else if content_type.starts_with("text/") {
            BodyEncoding::Text
        } else {
            if content_type.starts_with("application/x-www-form-urlencoded")
                || content_type.starts_with("multipart/")
            {
                self.types.warn(
                    format!("`{content_type}` bodies are not parsed; the handler receives the raw bytes"),
                    &format!("{pointer}/content"),
                    "offer `application/json` as well to get a typed, checked body",
                );
            }
            BodyEncoding::Bytes
        };
        Some(RequestBody {
            content_type,
            encoding,
            required: body.required,
            docs: body.description.clone(),
            schema,
            pointer,
        })
    }

    fn lower_responses(
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
    fn media_schema(
        &mut self,
        content: &'a IndexMap<String, MediaType>,
        pointer: &str,
        hint: &str,
    ) -> Option<(String, Schema)> {
        let (content_type, media) = content
            .iter()
            .find(|(content_type, _)| is_json(content_type))
            .or_else(|| content.first())?;
        let media_pointer = format!("{pointer}/{}/schema", escape_segment(content_type));
        let schema = match &media.schema {
            Some(schema) => self
                .types
                .lower(SchemaRef::from(schema), &media_pointer, hint),
            None => Schema::of(TypeRef::Any),
        };
        Some((content_type.clone(), schema))
    }
}

pub fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence == "application/json" || essence.ends_with("+json")
}

fn location_of(parameter: &OaParameter) -> ParameterLocation {
    match parameter {
        OaParameter::Query { .. } => ParameterLocation::Query,
        OaParameter::Header { .. } => ParameterLocation::Header,
        OaParameter::Path { .. } => ParameterLocation::Path,
        OaParameter::Cookie { .. } => ParameterLocation::Cookie,
    }
}

fn component_name(reference: &str, kind: &str) -> Option<String> {
    let prefix = format!("#/components/{kind}/");
    reference
        .strip_prefix(&prefix)
        .map(|name| name.replace("~1", "/").replace("~0", "~"))
}

fn parent_pointer(pointer: &str) -> &str {
    pointer
        .rsplit_once('/')
        .map(|(parent, _)| parent)
        .unwrap_or(pointer)
}

/// `GET /users/{user_id}/charges` -> `get_users_by_user_id_charges`.
fn synthesise_operation_id(method: Method, path: &str) -> String {
    let mut id = method.as_str().to_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        id.push('_');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(parameter) => {
                id.push_str("by_");
                id.push_str(parameter);
            }
            None => id.push_str(segment),
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesised_operation_ids() {
        let cases = [
            (Method::Get, "/users", "get_users"),
            (Method::Get, "/users/{user_id}", "get_users_by_user_id"),
            (
                Method::Post,
                "/charges/{id}/refunds",
                "post_charges_by_id_refunds",
            ),
            (Method::Get, "/", "get"),
        ];
        for (method, path, expected) in cases {
            assert_eq!(synthesise_operation_id(method, path), expected);
        }
    }

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/plain"));
    }
}

//! Paths and operations to IR operations.

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, ReferenceOr};

mod bodies;
mod parameters;

pub use bodies::is_json;

use super::extensions::ExtensionParser;
use super::schemas::TypeLowering;
use crate::ir::{Method, Name, Operation, Security, SecurityRequirement};
use crate::load::escape_segment;
use crate::naming::{self, Namespace};

pub struct OperationLowering<'a, 'b> {
    pub openapi: &'a OpenAPI,
    pub types: &'b mut TypeLowering<'a>,
    pub extensions: &'b mut ExtensionParser<'a>,
    pub method_names: Namespace,
    /// Each operationId met so far, with the operation that has it (`GET /users`).
    pub operation_ids: BTreeMap<String, String>,
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

        if let Some(first) = self.operation_ids.get(&wire_id) {
            self.types.warn(
                format!(
                    "operationId `{wire_id}` is also the id of `{first}`; this operation's method is `{rust_id}`"
                ),
                &format!("{pointer}/operationId"),
                "give every operation its own operationId",
            );
        } else {
            self.operation_ids
                .insert(wire_id.clone(), format!("{} {path}", method.as_str()));
        }
        let mut parameters =
            self.lower_parameters(operation, shared_parameters, pointer, &type_stem);
        self.match_path_template(path, &mut parameters, pointer);
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

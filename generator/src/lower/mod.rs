//! Lowering: the only code that reads `openapiv3` types. It produces the IR
//! in named passes: components, operations, then fix-ups over the whole API.

mod effective;
mod examples;
mod extensions;
mod operations;
mod passes;
mod schemas;

use indexmap::IndexMap;
use openapiv3::{ReferenceOr, SecurityScheme as OaSecurityScheme};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::{Api, Modules, Name, ParameterLocation, SecurityScheme, SecuritySchemeKind};
use crate::load::{escape_segment, Spec};
use crate::naming::{self, Namespace};

pub use operations::is_json;

/// Lowers a loaded spec; `Ok` carries the warnings.
pub fn lower(spec: &Spec) -> Result<(Api, Diagnostics), Diagnostics> {
    let openapi = &spec.openapi;
    let empty = IndexMap::new();
    let components = openapi
        .components
        .as_ref()
        .map(|c| &c.schemas)
        .unwrap_or(&empty);
    let mut types = schemas::TypeLowering::new(components, spec.path.clone());
    types.lower_components();

    let mut extension_parser = extensions::ExtensionParser {
        file: &spec.path,
        problems: Vec::new(),
    };
    let api_extensions = extension_parser.api(&openapi.extensions);
    let operations = operations::OperationLowering {
        openapi,
        types: &mut types,
        extensions: &mut extension_parser,
        method_names: Namespace::new(),
        operation_ids: std::collections::BTreeMap::new(),
    }
    .lower_all();

    let mut diagnostics = spec.warnings.clone();
    diagnostics.extend(extension_parser.problems.into_iter().collect());
    let security_schemes = security_schemes(openapi, &spec.path, &mut diagnostics);
    let (types, examples, type_diagnostics) = types.into_types();
    diagnostics.extend(type_diagnostics);

    let mut api = Api {
        title: openapi.info.title.clone(),
        version: openapi.info.version.clone(),
        description: openapi.info.description.clone(),
        spec_file: spec
            .path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        base_path: server_path_of(openapi),
        server_origin: openapi.servers.first().and_then(server_origin),
        security_schemes,
        types,
        operations,
        examples: examples.into_examples(),
        extensions: api_extensions,
        effective_document: None,
        modules: Modules::default(),
    };
    passes::check_pagination(&api, &spec.path, &mut diagnostics);
    passes::drop_unknown_security(&mut api, &spec.path, &mut diagnostics);
    passes::check_envelope(&api, &spec.path, &mut diagnostics);
    passes::apply_version_deprecation(&mut api);
    passes::check_deprecation(&api, &spec.path, &mut diagnostics);
    passes::check_guards(&api, &spec.path, &mut diagnostics);
    passes::mark_open_enums(&mut api);
    passes::mark_request_fields(&mut api);
    passes::break_impossible_cycles(&mut api, &spec.path, &mut diagnostics);
    passes::box_recursive_fields(&mut api);
    passes::box_large_union_variants(&mut api);
    passes::assign_modules(&mut api);
    api.effective_document = effective::document(&spec.raw, spec.version, &api);
    let diagnostics = diagnostics.propagate()?;
    Ok((api, diagnostics))
}

/// The base path of the API: the path of its first server.
fn server_path_of(openapi: &openapiv3::OpenAPI) -> String {
    openapi.servers.first().map(server_path).unwrap_or_default()
}

/// The scheme and authority of an absolute server URL (`https://api.example.com`).
fn server_origin(server: &openapiv3::Server) -> Option<String> {
    let url = with_defaults(server);
    let scheme_end = url.find("://")?;
    let authority_end = url[scheme_end + 3..]
        .find('/')
        .map_or(url.len(), |i| scheme_end + 3 + i);
    let origin = &url[..authority_end];
    (authority_end > scheme_end + 3).then(|| origin.to_string())
}

/// A server URL with its variables replaced by their defaults.
fn with_defaults(server: &openapiv3::Server) -> String {
    let mut url = server.url.clone();
    for (name, variable) in server.variables.iter().flatten() {
        url = url.replace(&format!("{{{name}}}"), &variable.default);
    }
    url
}

/// The path of a server URL, with variables replaced by their defaults.
fn server_path(server: &openapiv3::Server) -> String {
    let url = with_defaults(server);
    let path = match url.find("://") {
        Some(scheme_end) => {
            let rest = &url[scheme_end + 3..];
            rest.find('/').map(|i| &rest[i..]).unwrap_or("")
        }
        None => url.as_str(),
    };
    path.trim_end_matches('/').to_string()
}

fn security_schemes(
    openapi: &openapiv3::OpenAPI,
    file: &std::path::Path,
    diagnostics: &mut Diagnostics,
) -> Vec<SecurityScheme> {
    let Some(components) = &openapi.components else {
        return Vec::new();
    };
    let mut names = Namespace::new();
    let mut schemes = Vec::new();
    for (wire, scheme) in &components.security_schemes {
        let pointer = format!("#/components/securitySchemes/{}", escape_segment(wire));
        let Some(scheme) = resolve_security_scheme(&components.security_schemes, scheme, 0) else {
            diagnostics.push(
                Diagnostic::error("this `$ref` does not lead to a security scheme")
                    .in_file(file)
                    .at_pointer(pointer)
                    .with_hint("refer to another entry of `components/securitySchemes`"),
            );
            continue;
        };
        let (kind, docs) = match scheme {
            OaSecurityScheme::APIKey {
                location,
                name,
                description,
                ..
            } => (
                SecuritySchemeKind::ApiKey {
                    location: match location {
                        openapiv3::APIKeyLocation::Query => ParameterLocation::Query,
                        openapiv3::APIKeyLocation::Header => ParameterLocation::Header,
                        openapiv3::APIKeyLocation::Cookie => ParameterLocation::Cookie,
                    },
                    parameter: name.clone(),
                },
                description,
            ),
            OaSecurityScheme::HTTP {
                scheme,
                bearer_format,
                description,
                ..
            } => match scheme.to_ascii_lowercase().as_str() {
                "bearer" => (
                    SecuritySchemeKind::HttpBearer {
                        format: bearer_format.clone(),
                    },
                    description,
                ),
                "basic" => (SecuritySchemeKind::HttpBasic, description),
                other => {
                    diagnostics.push(
                        Diagnostic::warning(format!(
                            "HTTP authentication scheme `{other}` is not supported; operations that need it get no credentials"
                        ))
                        .in_file(file)
                        .at_pointer(format!("{pointer}/scheme"))
                        .with_hint("use `bearer` or `basic`"),
                    );
                    continue;
                }
            },
            OaSecurityScheme::OAuth2 { description, .. } => {
                (SecuritySchemeKind::OAuth2, description)
            }
            OaSecurityScheme::OpenIDConnect { description, .. } => {
                (SecuritySchemeKind::OpenIdConnect, description)
            }
        };
        schemes.push(SecurityScheme {
            name: Name {
                rust: names.claim(&naming::value_name(wire)),
                wire: wire.clone(),
            },
            docs: docs.clone(),
            kind,
        });
    }
    schemes
}

/// Follows `$ref`s between security schemes (as left by bundling another file's scheme).
fn resolve_security_scheme<'a>(
    schemes: &'a IndexMap<String, ReferenceOr<OaSecurityScheme>>,
    scheme: &'a ReferenceOr<OaSecurityScheme>,
    depth: usize,
) -> Option<&'a OaSecurityScheme> {
    match scheme {
        ReferenceOr::Item(scheme) => Some(scheme),
        ReferenceOr::Reference { reference } if depth < 16 => {
            let name = reference.strip_prefix("#/components/securitySchemes/")?;
            let name = name.replace("~1", "/").replace("~0", "~");
            resolve_security_scheme(schemes, schemes.get(&name)?, depth + 1)
        }
        ReferenceOr::Reference { .. } => None,
    }
}

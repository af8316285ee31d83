//! The client's view of one operation, worked out once for the emitters of
//! its method, options and errors: arguments, options, what each status
//! decodes into.

mod body;
mod model;
mod responses;

pub use model::*;

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::rust::ident;
use crate::emit::typeref::{Imports, TypeWriter};
use crate::emit::wire::uses_envelope;
use crate::ir::{Api, Operation, Parameter, ParameterLocation, Primitive, Schema, TypeRef};
use crate::naming::Namespace;
use responses::{errors, success, walk};

/// The names every `Client` already has.
const CLIENT_METHODS: &[&str] = &["new", "builder", "with_options", "base_url", "call", "send"];

/// The plans of every operation. Type paths are written qualified
/// (`types::User`); each module's `use` items are found from its code.
pub fn plans(api: &Api) -> Vec<Plan<'_>> {
    let imports = &mut Imports::default();
    let mut methods = Namespace::new();
    for name in CLIENT_METHODS {
        methods.reserve(name);
    }
    api.operations
        .iter()
        .map(|operation| plan(api, operation, &mut methods, imports))
        .collect()
}

fn plan<'a>(
    api: &'a Api,
    operation: &'a Operation,
    methods: &mut Namespace,
    imports: &mut Imports,
) -> Plan<'a> {
    let writer = type_writer(api);
    let envelope = uses_envelope(api, operation);
    let method = methods.claim(&operation.id.rust);
    let mut names = Namespace::new();
    names.reserve("options");
    let sent = |parameter: &&Parameter| !is_generated_idempotency_key(operation, parameter);
    let mut required: Vec<&Parameter> = operation
        .parameters
        .iter()
        .filter(sent)
        .filter(|p| p.required || p.location == ParameterLocation::Path)
        .collect();
    required.sort_by_key(|p| p.location);
    let arguments = required
        .into_iter()
        .map(|parameter| {
            let ty = borrowed(&writer, &parameter.schema, imports);
            let ty = if parameter.schema.nullable {
                quote! { Option<#ty> }
            } else {
                ty
            };
            Argument {
                parameter,
                name: ident(&names.claim(&parameter.name.rust)),
                ty,
            }
        })
        .collect();
    let optional: Vec<Argument> = operation
        .parameters
        .iter()
        .filter(sent)
        .filter(|p| !p.required && p.location != ParameterLocation::Path)
        .map(|parameter| {
            let value = writer.tokens(&parameter.schema, imports);
            Argument {
                parameter,
                name: ident(&parameter.name.rust),
                ty: quote! { Option<#value> },
            }
        })
        .collect();
    let body = operation.request_body.as_ref().map(|body| {
        let name = ident(&names.claim("body"));
        body::argument(api, &writer, operation, body, name, imports)
    });
    let walk = walk(api, operation, &optional, imports);
    let helpers = walk.as_ref().map(|_| {
        let stem = crate::naming::bare(&method);
        (
            methods.claim(&format!("{stem}_stream")),
            methods.claim(&format!("{stem}_all")),
        )
    });
    Plan {
        operation,
        success: success(api, operation, envelope, imports),
        errors: errors(api, operation, envelope),
        method,
        helpers,
        arguments,
        optional,
        body,
        walk,
    }
}

/// The `Idempotency-Key` header of an `x-idempotency` operation is the
/// client's to send, once per call, not the caller's to pass.
fn is_generated_idempotency_key(operation: &Operation, parameter: &Parameter) -> bool {
    operation.idempotency().is_some()
        && parameter.location == ParameterLocation::Header
        && parameter.name.wire.eq_ignore_ascii_case("idempotency-key")
}

/// How a value is passed to a method: strings and arrays borrowed as
/// slices, named types and maps by reference, numbers by value.
pub(super) fn borrowed(
    writer: &TypeWriter<'_>,
    schema: &Schema,
    imports: &mut Imports,
) -> TokenStream {
    match &schema.ty {
        TypeRef::Primitive(Primitive::String) => quote! { &str },
        TypeRef::Primitive(Primitive::Binary) => quote! { &[u8] },
        TypeRef::Array(items) => {
            let items = writer.tokens(items, imports);
            quote! { &[#items] }
        }
        TypeRef::Primitive(_) => writer.tokens(schema, imports),
        TypeRef::Named(_) | TypeRef::Map(_) | TypeRef::Any => {
            let value = writer.tokens(schema, imports);
            quote! { &#value }
        }
    }
}

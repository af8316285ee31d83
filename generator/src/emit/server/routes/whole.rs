//! The handlers a runtime function does whole (`handle::params`,
//! `handle::json`): each names only where its parameters are, how its body
//! is read, which `Api` method answers and how.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::rust::ident;
use crate::emit::typeref::Imports;
use crate::emit::wire::route;
use crate::ir::{Api, Operation, ParameterLocation};

use super::steps::param_specs;

/// The handler of an operation that reads only parameters: `handle::params`
/// does all of it.
pub(super) fn params_handler(
    api: &Api,
    operation: &Operation,
    split: bool,
    imports: &mut Imports,
) -> TokenStream {
    whole_handler(
        api,
        operation,
        split,
        quote! { handle::params },
        None,
        imports,
    )
}

/// The handler of an operation that reads parameters and one JSON model:
/// `handle::json` (`optional_json` for an optional body) does all of it.
pub(super) fn json_handler(
    api: &Api,
    operation: &Operation,
    required: bool,
    object: bool,
    split: bool,
    imports: &mut Imports,
) -> TokenStream {
    imports.add("crate::runtime::handle::JsonBody");
    let reading = if object {
        quote! { let reading = JsonBody::object(shared.config.body_limit); }
    } else {
        quote! { let reading = JsonBody::any(shared.config.body_limit); }
    };
    let call = if required {
        quote! { handle::json }
    } else {
        quote! { handle::optional_json }
    };
    whole_handler(api, operation, split, call, Some(reading), imports)
}

/// `async fn <operation>`: the parameters' const, how the body is read
/// (`reading`, if it has one), then `call` with the `Api` method and the
/// response's renderer.
fn whole_handler(
    api: &Api,
    operation: &Operation,
    split: bool,
    call: TokenStream,
    reading: Option<TokenStream>,
    imports: &mut Imports,
) -> TokenStream {
    let name = ident(&operation.id.rust);
    imports.add("crate::runtime::handle");
    let (specs, specs_name) = param_specs(api, operation, true, imports);
    let has_path = operation
        .parameters
        .iter()
        .any(|p| p.location == ParameterLocation::Path);
    let (path_extractor, path_value) = if has_path {
        imports.add("crate::runtime::handle::PathParams");
        (quote! { path: PathParams, }, quote! { Some(path) })
    } else {
        (quote! {}, quote! { None })
    };
    let reading_arg = reading.is_some().then(|| quote! { reading, });
    let doc = format!(" `{} {}`", operation.method.as_str(), route(operation));
    let visibility = split.then(|| quote! { pub(super) });
    quote! {
        #[doc = #doc]
        #visibility async fn #name<A: Api>(State(shared): State<Arc<Shared<A>>>, #path_extractor request: Request) -> Response {
            #specs
            #reading
            let run = |context, checked| shared.api.#name(context, checked);
            #call(#path_value, request, #specs_name, #reading_arg run).await
        }
    }
}

//! The usage examples in the client's docs: doctests that compile, so they
//! cannot drift from the methods they show.

use proc_macro2::TokenStream;
use quote::quote;

use super::methods::{options_name, parameters};
use super::plan::Plan;
use crate::emit::{Context, CrateKind};

/// The example of an operation's method, as doc lines.
pub fn method(context: &Context<'_>, plan: &Plan<'_>) -> Vec<String> {
    let call = format!("client.{}({})", plan.method, arguments(plan));
    let mut lines = opening(context, plan, &[]);
    lines.push(format!(" let response = {call}.await?;"));
    lines.push(" println!(\"{:?}\", response.data);".to_string());
    closing(&mut lines);
    lines
}

/// The example of a paginated operation's stream, as doc lines.
pub fn stream(context: &Context<'_>, plan: &Plan<'_>, stream: &proc_macro2::Ident) -> Vec<String> {
    let krate = context.crate_ident(CrateKind::Client);
    let mut lines = opening(context, plan, &[format!(" use {krate}::TryStreamExt;")]);
    lines.push(format!(
        " let mut items = std::pin::pin!(client.{stream}({}));",
        arguments(plan)
    ));
    lines.push(" while let Some(item) = items.try_next().await? {".to_string());
    lines.push("     println!(\"{item:?}\");".to_string());
    lines.push(" }".to_string());
    closing(&mut lines);
    lines
}

fn arguments(plan: &Plan<'_>) -> String {
    let mut arguments: Vec<String> = plan.arguments.iter().map(|a| a.name.to_string()).collect();
    if let Some(body) = &plan.body {
        arguments.push(body.name.to_string());
    }
    if !plan.optional.is_empty() {
        arguments.push(format!("{}::default()", options_name(plan.operation)));
    }
    arguments.join(", ")
}

/// The fence, the hidden imports and the hidden function whose parameters
/// are the method's arguments, so any argument type works.
fn opening(context: &Context<'_>, plan: &Plan<'_>, visible: &[String]) -> Vec<String> {
    let krate = context.crate_ident(CrateKind::Client);
    let mut parameters: Vec<TokenStream> = parameters(plan);
    // The options are built in the example itself.
    if !plan.optional.is_empty() {
        parameters.pop();
    }
    let signature = signature(&parameters);
    let mut items = vec!["Client".to_string()];
    if !plan.optional.is_empty() {
        items.push(options_name(plan.operation).to_string());
    }
    if plan.body.as_ref().is_some_and(|b| b.enum_item.is_some()) {
        items.push(crate::emit::wire::body_choice_name(plan.operation));
    }
    if plan.operation.streams_body() {
        items.push("Upload".to_string());
    }
    if signature.contains("types::") {
        items.push("types".to_string());
    }
    let mut lines = vec![" ```no_run".to_string()];
    match items.as_slice() {
        [single] => lines.push(format!(" # use {krate}::{single};")),
        _ => lines.push(format!(" # use {krate}::{{{}}};", items.join(", "))),
    }
    for (needle, import) in [
        ("BTreeMap", "std::collections::BTreeMap"),
        ("DateTime", "chrono::{DateTime, Utc}"),
        ("NaiveDate", "chrono::NaiveDate"),
        ("Uuid", "uuid::Uuid"),
        ("Value", "serde_json::Value"),
    ] {
        if signature.contains(needle) {
            lines.push(format!(" # use {import};"));
        }
    }
    lines.extend(visible.iter().cloned());
    lines.push(format!(" # {signature}"));
    lines
}

fn closing(lines: &mut Vec<String>) {
    lines.push(" # Ok(()) }".to_string());
    lines.push(" ```".to_string());
}

/// `async fn example(client: &Client, ...) -> Result<..> {` on one line:
/// it is hidden from the rendered docs, so only its length in the source
/// matters.
fn signature(parameters: &[TokenStream]) -> String {
    let tokens = quote! {
        async fn example(client: &Client, #(#parameters),*) -> Result<(), Box<dyn std::error::Error>> {}
    };
    let file: syn::File = syn::parse2(tokens).expect("the example's signature parses");
    let text = prettyplease::unparse(&file);
    let text = text.trim_end();
    let text = text.strip_suffix("{}").unwrap_or(text);
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "{} {{",
        line.replace("( ", "(").replace(", )", ")").trim_end()
    )
}

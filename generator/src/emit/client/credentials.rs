//! `client.rs` of the client: where it connects by default, and a builder
//! method for each security scheme the spec declares.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::rust::{docs, module_docs};
use crate::emit::{Context, CrateKind};
use crate::ir::{ParameterLocation, SecurityScheme, SecuritySchemeKind};
use crate::naming::Namespace;

/// What `ClientBuilder` already names.
const BUILDER_METHODS: &[&str] = &[
    "new",
    "base_url",
    "timeout",
    "retry_policy",
    "user_agent",
    "default_header",
    "http_client",
    "credential_header",
    "credential_query",
    "build",
];

pub fn module(context: &Context<'_>) -> TokenStream {
    let api = context.api;
    let (base_url, builder_doc) = match &api.server_origin {
        Some(origin) => (
            Some(quote! {
                /// Where the spec's first server is: scheme and host, without the
                /// base path (such as `/v1`) that each operation's path carries.
                pub const DEFAULT_BASE_URL: &str = #origin;
            }),
            " A builder of a client of [`DEFAULT_BASE_URL`].",
        ),
        None => (
            None,
            " A builder of a client; the spec names no absolute server, so give one with [`ClientBuilder::base_url`].",
        ),
    };
    let start = match &api.server_origin {
        Some(_) => quote! { DEFAULT_BASE_URL },
        None => quote! { "" },
    };
    let methods = methods(&api.security_schemes);
    let doc = module_docs("Where the client connects by default, and the credentials the spec's security schemes take.");
    let credentials = (!methods.is_empty()).then(|| {
        quote! {
            impl ClientBuilder {
                #(#methods)*
            }
        }
    });
    quote! {
        #doc
        #base_url

        impl Client {
            #[doc = #builder_doc]
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new(#start)
            }
        }

        #credentials
    }
}

/// The builder method of each scheme, named after it.
fn methods(schemes: &[SecurityScheme]) -> Vec<TokenStream> {
    let mut names = Namespace::new();
    for name in BUILDER_METHODS {
        names.reserve(name);
    }
    schemes
        .iter()
        .map(|scheme| {
            let name = format_ident!("{}", names.claim(crate::naming::bare(&scheme.name.rust)));
            let mut text = format!("`{}`", scheme.name.wire);
            if let Some(description) = &scheme.docs {
                text.push_str(": ");
                text.push_str(description.trim());
            }
            let (how, parameters, body) = match &scheme.kind {
                SecuritySchemeKind::ApiKey {
                    location,
                    parameter,
                } => {
                    let body = match location {
                        ParameterLocation::Query => {
                            quote! { self.credential_query(#parameter, key) }
                        }
                        ParameterLocation::Cookie => {
                            let escaped = parameter.replace('{', "{{").replace('}', "}}");
                            let cookie = format!("{escaped}={{key}}");
                            quote! { self.credential_header("cookie", &format!(#cookie)) }
                        }
                        _ => {
                            let header = parameter.to_ascii_lowercase();
                            quote! { self.credential_header(#header, key) }
                        }
                    };
                    (
                        format!(
                            "The API key, sent in the `{parameter}` {}.",
                            location_noun(*location)
                        ),
                        quote! { key: &str },
                        body,
                    )
                }
                SecuritySchemeKind::HttpBasic => (
                    "HTTP Basic credentials, sent in `Authorization`.".to_string(),
                    quote! { user: &str, password: &str },
                    quote! {
                        self.credential_header(
                            "authorization",
                            &format!("Basic {}", encode::basic_credentials(user, password)),
                        )
                    },
                ),
                SecuritySchemeKind::HttpBearer { .. }
                | SecuritySchemeKind::OAuth2
                | SecuritySchemeKind::OpenIdConnect => (
                    "The bearer token, sent in `Authorization`.".to_string(),
                    quote! { token: &str },
                    quote! { self.credential_header("authorization", &format!("Bearer {token}")) },
                ),
            };
            text.push_str("\n\n");
            text.push_str(&how);
            let doc = docs(Some(&text));
            quote! {
                #doc
                pub fn #name(self, #parameters) -> Self {
                    #body
                }
            }
        })
        .collect()
}

fn location_noun(location: ParameterLocation) -> &'static str {
    match location {
        ParameterLocation::Query => "query parameter",
        ParameterLocation::Cookie => "cookie",
        _ => "header",
    }
}

/// The crate docs' example: a client built with the first scheme's
/// credentials, as doc lines.
pub fn crate_example(context: &Context<'_>) -> Vec<String> {
    let krate = context.crate_ident(CrateKind::Client);
    let mut names = Namespace::new();
    for name in BUILDER_METHODS {
        names.reserve(name);
    }
    let credential = context.api.security_schemes.first().map(|scheme| {
        let name = names.claim(crate::naming::bare(&scheme.name.rust));
        match scheme.kind {
            SecuritySchemeKind::HttpBasic => format!("     .{name}(\"user\", \"password\")"),
            _ => format!("     .{name}(&std::env::var(\"API_CREDENTIAL\")?)"),
        }
    });
    let base_url = match &context.api.server_origin {
        Some(_) => None,
        None => Some("     .base_url(\"https://api.example.com\")".to_string()),
    };
    let mut lines = vec![
        " ```no_run".to_string(),
        " # async fn example() -> Result<(), Box<dyn std::error::Error>> {".to_string(),
        format!(" let client = {krate}::Client::builder()"),
    ];
    lines.extend(base_url);
    lines.extend(credential);
    lines.push("     .timeout(std::time::Duration::from_secs(30))".to_string());
    lines.push("     .build()?;".to_string());
    lines.push(" # let _ = client;".to_string());
    lines.push(" # Ok(())".to_string());
    lines.push(" # }".to_string());
    lines.push(" ```".to_string());
    lines
}

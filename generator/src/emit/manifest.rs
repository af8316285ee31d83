//! `Cargo.toml` and `README.md` of each crate, rendered with minijinja.

use minijinja::{context, Environment, UndefinedBehavior};

use super::{Context, CrateKind, GENERATOR_VERSION};
use crate::ir::{Primitive, Schema, TypeKind, TypeRef};

const TYPES_CARGO: &str = include_str!("../../../templates/types/Cargo.toml.j2");
const TYPES_README: &str = include_str!("../../../templates/types/README.md.j2");
const SERVER_CARGO: &str = include_str!("../../../templates/server/Cargo.toml.j2");
const SERVER_README: &str = include_str!("../../../templates/server/README.md.j2");
const CLIENT_CARGO: &str = include_str!("../../../templates/client/Cargo.toml.j2");
const CLIENT_README: &str = include_str!("../../../templates/client/README.md.j2");

pub(super) fn render(template: &str, values: minijinja::Value) -> String {
    let mut environment = Environment::new();
    environment.set_undefined_behavior(UndefinedBehavior::Strict);
    environment.set_keep_trailing_newline(true);
    environment
        .render_str(template, values)
        .expect("specforge's templates render with the context they are given")
}

fn common(context: &Context<'_>, kind: CrateKind) -> minijinja::Value {
    context! {
        generator_version => GENERATOR_VERSION,
        spec_file => context.api.spec_file,
        api_name => context.api_name(),
        api_version => context.api.version,
        crate_name => context.crate_name(kind),
        crate_ident => context.crate_ident(kind),
        types_crate => context.crate_name(CrateKind::Types),
    }
}

pub fn types_cargo_toml(context: &Context<'_>) -> String {
    let uses = Uses::of(context.api);
    let mut dependencies = Vec::new();
    if uses.chrono {
        dependencies.push(r#"chrono = { version = "0.4.38", default-features = false, features = ["serde", "std"] }"#);
    }
    if uses.regex {
        dependencies.push(r#"regex = "1""#);
    }
    dependencies.push(r#"serde = { version = "1", features = ["derive"] }"#);
    // `FromJson` reads `serde_json::Value`s.
    dependencies.push(r#"serde_json = "1""#);
    if uses.uuid {
        dependencies.push(r#"uuid = { version = "1", features = ["serde"] }"#);
    }
    render(
        TYPES_CARGO,
        context! { dependencies, ..common(context, CrateKind::Types) },
    )
}

/// The server's dependencies: axum and what the copied runtime uses.
pub fn server_cargo_toml(context: &Context<'_>) -> String {
    let axum = if context.api.has_multipart_bodies() {
        r#"axum = { version = "0.8", default-features = false, features = ["http1", "matched-path", "multipart", "tokio"] }"#
    } else {
        r#"axum = { version = "0.8", default-features = false, features = ["http1", "matched-path", "tokio"] }"#
    };
    let api = context.api;
    let mut dependencies = vec![
        axum,
        r#"base64 = "0.22""#,
        r#"chrono = { version = "0.4.38", default-features = false, features = ["clock", "std"] }"#,
        r#"form_urlencoded = "1""#,
        r#"futures-util = { version = "0.3", default-features = false, features = ["std"] }"#,
        // The listener (`runtime/listener.rs`): hyper's connection settings,
        // which `axum::serve` keeps to itself; axum builds both already.
        r#"hyper = { version = "1", features = ["http1", "server"] }"#,
        r#"hyper-util = { version = "0.1", features = ["http1", "server", "tokio"] }"#,
        // `GET /metrics` (`runtime/metrics.rs`): the facade and its Prometheus
        // recorder, without the exporter's own HTTP listener.
        r#"metrics = { version = "0.24", default-features = false }"#,
        r#"metrics-exporter-prometheus = { version = "0.18", default-features = false }"#,
        r#"percent-encoding = "2""#,
        // The guard's future; like the two tower crates, axum builds it already.
        r#"pin-project-lite = "0.2""#,
        r#"serde = { version = "1", features = ["derive"] }"#,
        r#"serde_json = "1""#,
        r#"tokio = { version = "1", features = ["macros", "net", "signal", "sync", "time"] }"#,
        r#"tower-layer = "0.3""#,
        r#"tower-service = "0.3""#,
        r#"tracing = "0.1""#,
        // Request ids: `fast-rng` draws them from a thread-local generator, not one `getrandom` call each.
        r#"uuid = { version = "1", features = ["fast-rng", "v4"] }"#,
    ];
    if api.uses_cursors() {
        // Cursors are signed with HMAC-SHA256.
        dependencies.push(r#"hmac = "0.12""#);
    }
    if api.uses_cursors() || api.has_server_state() {
        // Signs cursors; fingerprints idempotent requests.
        dependencies.push(r#"sha2 = "0.10""#);
    }
    if api.uses_limiter() {
        // Writes the rate-limit headers' numbers (serde_json builds it already).
        dependencies.push(r#"itoa = "1""#);
    }
    let redis = api.has_server_state();
    if redis {
        dependencies.push(r#"redis = { version = "1.8", default-features = false, features = ["cluster-async", "connection-manager", "script", "tokio-comp"], optional = true }"#);
    }
    let postgres = api.uses_idempotency();
    if postgres {
        // The durable idempotency store (`runtime/postgres_idempotency.rs`):
        // tokio-postgres and its deadpool pool rather than sqlx, whose
        // macros and drivers would compile several times the code for a
        // few fixed statements; and a plain `Client` to lend handlers.
        dependencies.push(r#"deadpool-postgres = { version = "0.14", default-features = false, features = ["rt_tokio_1"], optional = true }"#);
        dependencies.push(r#"tokio-postgres = { version = "0.7", default-features = false, features = ["runtime"], optional = true }"#);
    }
    if api.uses_jwt() {
        // Verifies bearer JWTs (`runtime/jwt.rs`): RustCrypto rather than
        // aws-lc, which needs a C toolchain and CMake.
        dependencies.push(r#"jsonwebtoken = { version = "12", default-features = false, features = ["rust_crypto", "use_pem"] }"#);
    }
    if api.has_form_bodies() {
        // Reads the brackets of form bodies (`metadata[order_id]=6735`).
        dependencies.push(r#"serde_qs = "0.15""#);
    }
    dependencies.sort();
    render(
        SERVER_CARGO,
        context! { dependencies, redis, postgres, ..common(context, CrateKind::Server) },
    )
}

/// The client's dependencies: reqwest and what the copied runtime uses,
/// plus chrono where an operation's own parameters or bodies are dates.
pub fn client_cargo_toml(context: &Context<'_>, uses_chrono: bool) -> String {
    let mut dependencies = Vec::new();
    if uses_chrono {
        dependencies.push(r#"chrono = { version = "0.4.38", default-features = false, features = ["serde", "std"] }"#);
    }
    // Streamed uploads need reqwest's streams, `Bytes` and tokio's files.
    let (reqwest, tokio) = if context.api.has_streamed_bodies() {
        dependencies.push(r#"bytes = "1""#);
        (
            r#"reqwest = { version = "0.12", default-features = false, features = ["rustls-tls", "stream"] }"#,
            r#"tokio = { version = "1", features = ["fs", "time"] }"#,
        )
    } else {
        (
            r#"reqwest = { version = "0.12", default-features = false, features = ["rustls-tls"] }"#,
            r#"tokio = { version = "1", features = ["time"] }"#,
        )
    };
    dependencies.extend([
        r#"futures-util = { version = "0.3", default-features = false, features = ["std"] }"#,
        r#"httpdate = "1""#,
        reqwest,
        r#"serde = { version = "1", features = ["derive"] }"#,
        r#"serde_json = "1""#,
        tokio,
        r#"uuid = { version = "1", features = ["v4"] }"#,
    ]);
    render(
        CLIENT_CARGO,
        context! { dependencies, ..common(context, CrateKind::Client) },
    )
}

pub fn readme(context: &Context<'_>, kind: CrateKind, has_params: bool) -> String {
    let template = match kind {
        CrateKind::Types => TYPES_README,
        CrateKind::Server => SERVER_README,
        CrateKind::Client => CLIENT_README,
    };
    let api = context.api;
    render(
        template,
        context! {
            has_params,
            state => api.has_server_state(),
            limits => api.uses_limiter(),
            idempotency => api.uses_idempotency(),
            cursors => api.uses_cursors(),
            jwt => api.uses_jwt(),
            docs => api.effective_document.is_some(),
            ..common(context, kind)
        },
    )
}

/// Which optional dependencies the types crate needs.
#[derive(Default)]
pub struct Uses {
    /// For dates and date-times.
    pub chrono: bool,
    /// For `pattern`s.
    pub regex: bool,
    pub uuid: bool,
}

impl Uses {
    pub fn of(api: &crate::ir::Api) -> Self {
        let mut uses = Uses::default();
        for def in &api.types {
            match &def.kind {
                TypeKind::Struct(s) => {
                    for field in &s.fields {
                        uses.schema(&field.schema);
                    }
                    if let Some(values) = &s.additional_properties {
                        uses.schema(values);
                    }
                }
                TypeKind::Union(u) => {
                    for variant in &u.variants {
                        uses.schema(&variant.schema);
                    }
                }
                TypeKind::Enum(_) => {}
            }
        }
        uses
    }

    fn schema(&mut self, schema: &Schema) {
        self.regex |= schema.rules.pattern.is_some();
        match &schema.ty {
            TypeRef::Primitive(Primitive::DateTime | Primitive::Date) => self.chrono = true,
            TypeRef::Primitive(Primitive::Uuid) => self.uuid = true,
            TypeRef::Array(inner) | TypeRef::Map(inner) => self.schema(inner),
            TypeRef::Primitive(_) | TypeRef::Named(_) | TypeRef::Any => {}
        }
    }
}

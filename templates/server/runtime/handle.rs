//! The whole of handling a public operation that reads only parameters, or
//! parameters and one JSON model as its body: the same steps for each, so
//! its generated handler names only what is its own (where its parameters
//! are, which method answers, how).

use std::future::Future;

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{RawPathParams, Request};
use axum::response::Response;

use crate::runtime::context::Context;
use crate::runtime::envelope::{self, IntoHttp};
use crate::runtime::error::{ApiError, HandlerError};
use crate::runtime::params::{Param, RawRequest};
use crate::runtime::request::{self, Problems};
use crate::runtime::request_id;
use crate::types::validation::FromJson;

/// The request of an operation that reads only parameters.
#[derive(Debug, Clone)]
pub struct ParamsRequest<P> {
    /// The path, query, header and cookie parameters.
    pub params: P,
}

/// The path parameters as axum extracts them: an error when one is not
/// UTF-8 once percent-decoded.
pub type PathParams = Result<RawPathParams, RawPathParamsRejection>;

/// Reads and checks the parameters `spec` describes (`400 VALIDATION_ERROR`
/// with every problem), calls `run` with them and answers with its
/// response, or `500 INTERNAL_ERROR` when it fails.
pub async fn params<P, R, Run>(
    path: Option<PathParams>,
    request: Request,
    spec: &[Param],
    run: impl FnOnce(Context<()>, ParamsRequest<P>) -> Run,
) -> Response
where
    P: FromJson,
    R: IntoHttp,
    Run: Future<Output = Result<R, HandlerError>>,
{
    let (parts, _body) = request.into_parts();
    let request_id = request_id::of(&parts.extensions);
    let Some(path_params) = path_values(&path) else {
        return envelope::error(&ApiError::invalid_path(), &request_id);
    };
    let raw = RawRequest::new(path_params, parts.uri.query(), &parts.headers);
    let mut problems = Problems::default();
    let Some(params) = problems.params(&raw, spec) else {
        return envelope::error(&problems.into_error(), &request_id);
    };
    let context = Context::new(request_id.clone(), (), parts.extensions);
    answered(run(context, ParamsRequest { params }), &request_id).await
}

/// The request of an operation that reads parameters and a JSON body.
#[derive(Debug, Clone)]
pub struct JsonRequest<P, B> {
    /// The path, query, header and cookie parameters.
    pub params: P,
    /// The body (an `Option` when the body is optional).
    pub body: B,
}

/// How an operation's JSON body is read.
#[derive(Debug, Clone, Copy)]
pub struct JsonBody {
    /// The most bytes read (`413 PAYLOAD_TOO_LARGE` beyond).
    limit: usize,
    /// Whether the schema is an object, so any other JSON is refused whole.
    object: bool,
}

impl JsonBody {
    /// A body whose schema is an object, of at most `limit` bytes.
    pub const fn object(limit: usize) -> Self {
        JsonBody {
            limit,
            object: true,
        }
    }

    /// A body of any JSON its schema allows, of at most `limit` bytes.
    pub const fn any(limit: usize) -> Self {
        JsonBody {
            limit,
            object: false,
        }
    }
}

/// Like [`params`], for an operation whose body is one JSON model and is
/// required: the parameters and the body are checked together, so one
/// `400 VALIDATION_ERROR` lists the problems of both.
pub async fn json<P, B, R, Run>(
    path: Option<PathParams>,
    request: Request,
    spec: &[Param],
    body: JsonBody,
    run: impl FnOnce(Context<()>, JsonRequest<P, B>) -> Run,
) -> Response
where
    P: FromJson,
    B: FromJson,
    R: IntoHttp,
    Run: Future<Output = Result<R, HandlerError>>,
{
    handle_json(path, request, spec, (body, true), |body| body, run).await
}

/// [`json`] for an optional body: `None` when the request has none.
pub async fn optional_json<P, B, R, Run>(
    path: Option<PathParams>,
    request: Request,
    spec: &[Param],
    body: JsonBody,
    run: impl FnOnce(Context<()>, JsonRequest<P, Option<B>>) -> Run,
) -> Response
where
    P: FromJson,
    B: FromJson,
    R: IntoHttp,
    Run: Future<Output = Result<R, HandlerError>>,
{
    handle_json(path, request, spec, (body, false), Some, run).await
}

/// [`json`] and [`optional_json`]: `present` makes the body read (`None`
/// when an optional body is absent) what the operation takes, and is
/// `None` for a required body that is absent.
async fn handle_json<P, B, T, R, Run>(
    path: Option<PathParams>,
    request: Request,
    spec: &[Param],
    (how, required): (JsonBody, bool),
    present: fn(Option<B>) -> Option<T>,
    run: impl FnOnce(Context<()>, JsonRequest<P, T>) -> Run,
) -> Response
where
    P: FromJson,
    B: FromJson,
    R: IntoHttp,
    Run: Future<Output = Result<R, HandlerError>>,
{
    let (parts, body) = request.into_parts();
    let request_id = request_id::of(&parts.extensions);
    let Some(path_params) = path_values(&path) else {
        return envelope::error(&ApiError::invalid_path(), &request_id);
    };
    let raw = RawRequest::new(path_params, parts.uri.query(), &parts.headers);
    let bytes = match request::read_body(body, how.limit).await {
        Ok(bytes) => bytes,
        Err(error) => return envelope::error(&error, &request_id),
    };
    let mut problems = Problems::default();
    let params = problems.params(&raw, spec);
    let read = request::json_body(&parts.headers, &bytes, required, how.object);
    let body = match problems.body(read) {
        Ok(body) => body,
        Err(error) => return envelope::error(&error, &request_id),
    };
    // A part is `None` exactly when it recorded problems.
    let (Some(params), Some(Some(body))) = (params, body.map(present)) else {
        return envelope::error(&problems.into_error(), &request_id);
    };
    let context = Context::new(request_id.clone(), (), parts.extensions);
    let request = JsonRequest { params, body };
    answered(run(context, request), &request_id).await
}

/// The HTTP response of the method's response, or `500 INTERNAL_ERROR`
/// when the method failed.
async fn answered<R: IntoHttp>(
    run: impl Future<Output = Result<R, HandlerError>>,
    request_id: &str,
) -> Response {
    match run.await {
        Ok(response) => response.into_http(request_id),
        Err(error) => envelope::handler_failed(&error, request_id),
    }
}

/// The path parameters; `None` for percent-encoding that does not decode
/// to UTF-8.
fn path_values(path: &Option<PathParams>) -> Option<Option<&RawPathParams>> {
    match path {
        Some(Ok(path)) => Some(Some(path)),
        Some(Err(_)) => None,
        None => Some(None),
    }
}

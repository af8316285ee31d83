//! The whole of handling a public operation that reads only parameters:
//! the same steps for each, so its generated handler names only what is its
//! own (where its parameters are, which method answers, how).

use std::future::Future;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request};
use axum::response::Response;

use crate::runtime::context::Context;
use crate::runtime::envelope;
use crate::runtime::error::{ApiError, HandlerError};
use crate::runtime::params::{Param, RawRequest};
use crate::runtime::request::Problems;
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
pub type PathParams = Result<Path<Vec<(String, String)>>, PathRejection>;

/// Reads and checks the parameters `spec` describes (`400 VALIDATION_ERROR`
/// with every problem), calls `run` with them and answers with what
/// `answer` makes of its response, or `500 INTERNAL_ERROR` when it fails.
pub async fn params<P, R, Run, Answer>(
    path: Option<PathParams>,
    request: Request,
    spec: &[Param],
    run: impl FnOnce(Context<()>, ParamsRequest<P>) -> Run,
    answer: Answer,
) -> Response
where
    P: FromJson,
    Run: Future<Output = Result<R, HandlerError>>,
    Answer: FnOnce(R, &str) -> Response,
{
    let (parts, _body) = request.into_parts();
    let request_id = request_id::of(&parts.extensions);
    let path = match path {
        Some(Ok(Path(path))) => path,
        // Percent-encoding that does not decode to UTF-8.
        Some(Err(_)) => return envelope::error(&ApiError::invalid_path(), &request_id),
        None => Vec::new(),
    };
    let raw = RawRequest::new(path, parts.uri.query(), parts.headers.clone());
    let mut problems = Problems::default();
    let Some(params) = problems.params(&raw, spec) else {
        return envelope::error(&problems.into_error(), &request_id);
    };
    let context = Context::new(&request_id, (), parts.extensions);
    match run(context, ParamsRequest { params }).await {
        Ok(response) => answer(response, &request_id),
        Err(error) => envelope::handler_failed(&error, &request_id),
    }
}

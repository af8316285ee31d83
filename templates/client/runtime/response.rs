//! What a call returns: the typed body with the response's metadata, or an
//! [`Error`] that says which declared error it was, or what else went wrong.

use std::fmt;
use std::ops::Deref;

use reqwest::StatusCode;
use serde::Deserialize;

use crate::runtime::meta::ResponseMeta;
use crate::runtime::transport::{Answer, TransportError};

/// A successful response: the typed body, and the rest of the response.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The body: the envelope's `data` where the API wraps bodies.
    pub data: T,
    /// Status, headers, request id, replay flag, attempts, rate limits.
    pub meta: ResponseMeta,
}

impl<T> Response<T> {
    /// The body, without the metadata.
    pub fn into_data(self) -> T {
        self.data
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

/// The `error` member of the error envelope.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorBody {
    /// `UPPER_SNAKE_CASE`: `VALIDATION_ERROR`, `RATE_LIMIT_EXCEEDED`...
    pub code: String,
    /// For people, not for matching.
    pub message: String,
    /// One entry per failed rule of a `VALIDATION_ERROR`.
    #[serde(default)]
    pub details: Vec<ErrorDetail>,
    /// Seconds to wait before retrying (rate-limit errors).
    #[serde(default)]
    pub retry_after: Option<u64>,
}

/// One failed rule of a request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorDetail {
    /// The path inside its location: `email`, `items[2].name`.
    pub field: String,
    /// `body`, `query`, `path` or `header`.
    pub location: String,
    pub message: String,
    /// The rule: `required`, `format`, `maximum`...
    pub code: String,
}

/// The declared errors of one operation, decoded by status.
pub trait OperationError: Sized + fmt::Debug {
    /// The error for a status the operation declares, or `None` for any
    /// other status (or a body the generated layer did not write).
    fn decode(status: u16, body: &[u8]) -> Option<Result<Self, serde_json::Error>>;

    /// The error envelope's body, for errors that carry one.
    fn body(&self) -> Option<&ErrorBody>;
}

/// An error the operation declares, as the API answered it.
#[derive(Debug)]
pub struct ApiError<E> {
    /// Which one, with its decoded body.
    pub error: E,
    pub meta: ResponseMeta,
}

/// Why a call failed. Responses are boxed so a `Result` stays small.
#[derive(Debug)]
pub enum Error<E> {
    /// The API answered with an error the operation declares.
    Api(Box<ApiError<E>>),
    /// The API answered with a status the operation does not declare.
    UnexpectedStatus {
        meta: Box<ResponseMeta>,
        body: Vec<u8>,
    },
    /// The body did not match the spec.
    Decode {
        meta: Box<ResponseMeta>,
        source: serde_json::Error,
    },
    /// No answer in time, on every attempt.
    Timeout { attempts: u32 },
    /// The connection failed on every attempt.
    Connection {
        attempts: u32,
        source: reqwest::Error,
    },
    /// The request could not be sent as given (a header value that is not
    /// valid in HTTP, for instance); it was never sent.
    InvalidRequest(String),
}

impl<E: OperationError> Error<E> {
    /// The response, when there was one.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        match self {
            Error::Api(api) => Some(&api.meta),
            Error::UnexpectedStatus { meta, .. } | Error::Decode { meta, .. } => Some(meta),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<StatusCode> {
        self.meta().map(|meta| meta.status)
    }

    /// The request id: the `X-Request-ID` header, else the body's `meta.request_id`.
    pub fn request_id(&self) -> Option<&str> {
        self.meta()?.request_id.as_deref()
    }

    /// The declared error, when the API answered with one.
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Error::Api(api) => Some(&api.error),
            _ => None,
        }
    }

    /// The error envelope's body, when the error carries one.
    pub fn body(&self) -> Option<&ErrorBody> {
        self.api_error()?.body()
    }

    /// The error code (`RATE_LIMIT_EXCEEDED`), when the error carries one.
    pub fn code(&self) -> Option<&str> {
        self.body().map(|body| body.code.as_str())
    }
}

impl<E: OperationError> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(api) => match api.error.body() {
                Some(body) => write!(f, "{} {}: {}", api.meta.status, body.code, body.message),
                None => write!(f, "{}: {:?}", api.meta.status, api.error),
            },
            Error::UnexpectedStatus { meta, .. } => {
                write!(f, "the API answered {}, which the spec does not declare", meta.status)
            }
            Error::Decode { meta, source } => {
                write!(f, "the {} response does not match the spec: {source}", meta.status)
            }
            Error::Timeout { attempts } => write!(f, "no answer in time after {attempts} attempt(s)"),
            Error::Connection { attempts, source } => {
                write!(f, "the connection failed after {attempts} attempt(s): {source}")
            }
            Error::InvalidRequest(reason) => write!(f, "the request is invalid: {reason}"),
        }
    }
}

impl<E: OperationError> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Decode { source, .. } => Some(source),
            Error::Connection { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl<E> From<TransportError> for Error<E> {
    fn from(error: TransportError) -> Self {
        match error {
            TransportError::Timeout { attempts } => Error::Timeout { attempts },
            TransportError::Connection { attempts, source } => {
                Error::Connection { attempts, source }
            }
            TransportError::Request(reason) => Error::InvalidRequest(reason),
        }
    }
}

/// Turns an answer into the call's result: `success` decodes the statuses
/// the operation declares as successes, `E` its declared errors.
pub fn finish<T, E: OperationError>(
    answer: Answer,
    success: impl FnOnce(u16, &[u8]) -> Option<Result<T, serde_json::Error>>,
) -> Result<Response<T>, Error<E>> {
    let meta = ResponseMeta::of(&answer);
    let status = answer.status.as_u16();
    if let Some(decoded) = success(status, &answer.body) {
        return match decoded {
            Ok(data) => Ok(Response { data, meta }),
            Err(source) => Err(Error::Decode {
                meta: Box::new(meta),
                source,
            }),
        };
    }
    match E::decode(status, &answer.body) {
        Some(Ok(error)) => Err(Error::Api(Box::new(ApiError { error, meta }))),
        Some(Err(source)) => Err(Error::Decode {
            meta: Box::new(meta),
            source,
        }),
        None => Err(Error::UnexpectedStatus {
            meta: Box::new(meta),
            body: answer.body,
        }),
    }
}

/// [`finish`] for an operation with one success status, read by `decode`.
pub fn finish_on<T, E: OperationError>(
    answer: Answer,
    success: u16,
    decode: fn(&[u8]) -> Result<T, serde_json::Error>,
) -> Result<Response<T>, Error<E>> {
    finish(answer, |status, body| (status == success).then(|| decode(body)))
}

/// Body decoders for the generated code.
pub mod decode {
    use serde::de::DeserializeOwned;
    use serde::Deserialize;

    use super::ErrorBody;

    /// The whole body as JSON.
    pub fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// The success envelope's `data`.
    pub fn data<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
        #[derive(Deserialize)]
        struct Success<T> {
            data: T,
        }
        serde_json::from_slice::<Success<T>>(body).map(|envelope| envelope.data)
    }

    /// The error envelope's `error`.
    pub fn error<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
        #[derive(Deserialize)]
        struct Failure<T> {
            error: T,
        }
        serde_json::from_slice::<Failure<T>>(body).map(|envelope| envelope.error)
    }

    /// An error of the generated server layer (`RATE_LIMIT_EXCEEDED`...)
    /// for an API that does not wrap its own bodies, as the error enum's
    /// `variant`: `None` when the body is not one, as from a server that is
    /// not specforge's.
    pub fn layer_error<E>(
        body: &[u8],
        variant: fn(ErrorBody) -> E,
    ) -> Option<Result<E, serde_json::Error>> {
        error::<ErrorBody>(body).ok().map(|body| Ok(variant(body)))
    }

    /// A text body.
    pub fn text(body: &[u8]) -> Result<String, serde_json::Error> {
        Ok(String::from_utf8_lossy(body).into_owned())
    }

    /// A body of any media type, as bytes.
    pub fn bytes(body: &[u8]) -> Result<Vec<u8>, serde_json::Error> {
        Ok(body.to_vec())
    }

    /// A response without a body.
    pub fn empty(_body: &[u8]) -> Result<(), serde_json::Error> {
        Ok(())
    }
}

//! The `Api` of tests/specs/http-features.yaml: credentials it accepts,
//! and handlers that echo, panic, fail and stall on purpose.

use std::time::Duration;

use http_features_server::operations::*;
use http_features_server::types::{Caller, Item, PostNoteResponse202, Problem};
use http_features_server::{Api, Context, Credentials, HandlerError};

/// The `Api` of tests/specs/http-features.yaml, for tests/server_features.rs.
pub struct Features;

impl Api for Features {
    type Principal = String;

    async fn authenticate(&self, credentials: Credentials) -> Option<String> {
        match credentials {
            Credentials::Basic {
                username, password, ..
            } if password == "open sesame" => Some(format!("basic:{username}")),
            Credentials::Bearer { token, .. } if token == "good-token" => Some("bearer".into()),
            Credentials::ApiKey { scheme, key } if key == "good-key" => Some(scheme.to_string()),
            _ => None,
        }
    }

    async fn who_basic(
        &self,
        context: Context<String>,
        _: WhoBasicRequest,
    ) -> Result<WhoBasicResponse, HandlerError> {
        Ok(WhoBasicResponse::Ok(Caller {
            principal: context.principal,
        }))
    }

    async fn who_bearer(
        &self,
        context: Context<String>,
        _: WhoBearerRequest,
    ) -> Result<WhoBearerResponse, HandlerError> {
        Ok(WhoBearerResponse::Ok(Caller {
            principal: context.principal,
        }))
    }

    async fn who_by_key(
        &self,
        context: Context<String>,
        _: WhoByKeyRequest,
    ) -> Result<WhoByKeyResponse, HandlerError> {
        Ok(WhoByKeyResponse::Ok(Caller {
            principal: context.principal,
        }))
    }

    async fn get_item(
        &self,
        _: Context<()>,
        request: GetItemRequest,
    ) -> Result<GetItemResponse, HandlerError> {
        let params = request.params;
        if params.item_id.is_nil() {
            return Ok(GetItemResponse::NotFound(Problem {
                title: "no such item".into(),
            }));
        }
        Ok(GetItemResponse::Ok {
            body: Item {
                id: params.item_id,
                trace: params.x_trace,
                theme: params.theme.map(|theme| theme.to_string()),
                tags: params.tags.unwrap_or_default(),
                verbose: params.verbose,
            },
            x_item_version: 3,
        })
    }

    async fn post_note(
        &self,
        _: Context<()>,
        request: PostNoteRequest,
    ) -> Result<PostNoteResponse, HandlerError> {
        Ok(match request.body {
            Some(note) => PostNoteResponse::Created(note),
            None => PostNoteResponse::Accepted(PostNoteResponse202 { queued: true }),
        })
    }

    async fn echo(
        &self,
        _: Context<()>,
        request: EchoRequest,
    ) -> Result<EchoResponse, HandlerError> {
        Ok(EchoResponse::Ok(request.body))
    }

    async fn panic_now(
        &self,
        _: Context<()>,
        _: PanicNowRequest,
    ) -> Result<PanicNowResponse, HandlerError> {
        panic!("boom at /secret/path.rs");
    }

    async fn fail_now(
        &self,
        _: Context<()>,
        _: FailNowRequest,
    ) -> Result<FailNowResponse, HandlerError> {
        Err(HandlerError::new("database unreachable at 10.0.0.7"))
    }

    async fn slow_down(
        &self,
        _: Context<()>,
        _: SlowDownRequest,
    ) -> Result<SlowDownResponse, HandlerError> {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Ok(SlowDownResponse::NoContent)
    }

    async fn legacy(
        &self,
        _: Context<()>,
        _: LegacyRequest,
    ) -> Result<LegacyResponse, HandlerError> {
        Ok(LegacyResponse::NoContent)
    }

    async fn own_metrics(
        &self,
        _: Context<()>,
        _: OwnMetricsRequest,
    ) -> Result<OwnMetricsResponse, HandlerError> {
        Ok(OwnMetricsResponse::NoContent)
    }
}

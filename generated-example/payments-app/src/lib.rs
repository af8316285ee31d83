//! The Payments API on the generated server: users and charges per API key,
//! kept in memory. Written by hand; only `payments-server` is generated.

mod store;

use std::collections::BTreeSet;

use payments_server::operations::*;
use payments_server::types::{ErrorDetail, ErrorDetailLocation, Health};
use payments_server::{Api, Context, Credentials, HandlerError};

pub use store::Store;

/// The key used when `PAYMENTS_API_KEYS` is not set: for local use only.
pub const DEFAULT_API_KEY: &str = "local-dev-key";

/// Where the app listens and which keys it accepts.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub bind_addr: String,
    pub api_keys: Vec<String>,
}

impl AppConfig {
    /// `BIND_ADDR` (default `127.0.0.1:8080`) and `PAYMENTS_API_KEYS`
    /// (comma-separated, default [`DEFAULT_API_KEY`]).
    pub fn from_env() -> Self {
        let api_keys = std::env::var("PAYMENTS_API_KEYS")
            .ok()
            .map(|keys| {
                keys.split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|keys| !keys.is_empty())
            .unwrap_or_else(|| vec![DEFAULT_API_KEY.to_string()]);
        AppConfig {
            bind_addr: std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_string()),
            api_keys,
        }
    }
}

/// The API: each API key is a tenant that sees only its own data.
pub struct PaymentsApi {
    keys: BTreeSet<String>,
    store: Store,
}

impl PaymentsApi {
    pub fn new(keys: impl IntoIterator<Item = String>) -> Self {
        PaymentsApi {
            keys: keys.into_iter().collect(),
            store: Store::default(),
        }
    }
}

/// The tenant: the API key that made the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant(pub String);

fn error(code: &str, message: &str) -> payments_server::types::Error {
    payments_server::types::Error {
        code: code.to_string(),
        message: message.to_string(),
        details: Vec::new(),
        retry_after: None,
    }
}

/// A business-rule failure reported like a schema failure (`400 VALIDATION_ERROR`).
fn invalid(field: &str, code: &str, message: &str) -> payments_server::types::Error {
    payments_server::types::Error {
        details: vec![ErrorDetail {
            field: field.to_string(),
            location: ErrorDetailLocation::Body,
            message: message.to_string(),
            code: code.to_string(),
        }],
        ..error("VALIDATION_ERROR", "The request has 1 invalid value.")
    }
}

fn user_not_found() -> payments_server::types::Error {
    error("USER_NOT_FOUND", "No user with this id.")
}

fn charge_not_found() -> payments_server::types::Error {
    error("CHARGE_NOT_FOUND", "No charge with this id.")
}

impl Api for PaymentsApi {
    type Principal = Tenant;

    async fn authenticate(&self, credentials: Credentials) -> Option<Tenant> {
        match credentials {
            Credentials::ApiKey { key, .. } if self.keys.contains(&key) => Some(Tenant(key)),
            _ => None,
        }
    }

    async fn get_health(
        &self,
        _: Context<()>,
        _: GetHealthRequest,
    ) -> Result<GetHealthResponse, HandlerError> {
        Ok(GetHealthResponse::Ok(Health {
            status: "ok".to_string(),
        }))
    }

    async fn list_users(
        &self,
        context: Context<Tenant>,
        request: ListUsersRequest,
    ) -> Result<ListUsersResponse, HandlerError> {
        let page = self
            .store
            .tenant(&context.principal.0)
            .list_users(&request.params);
        Ok(ListUsersResponse::Ok(page))
    }

    async fn create_user(
        &self,
        context: Context<Tenant>,
        request: CreateUserRequest,
    ) -> Result<CreateUserResponse, HandlerError> {
        match self
            .store
            .tenant(&context.principal.0)
            .create_user(request.body)
        {
            Some(user) => Ok(CreateUserResponse::Created {
                location: format!("/v1/users/{}", user.id),
                body: user,
            }),
            None => Ok(CreateUserResponse::BadRequest(invalid(
                "email",
                "unique",
                "is already registered",
            ))),
        }
    }

    async fn get_user(
        &self,
        context: Context<Tenant>,
        request: GetUserRequest,
    ) -> Result<GetUserResponse, HandlerError> {
        Ok(
            match self
                .store
                .tenant(&context.principal.0)
                .user(request.params.user_id)
            {
                Some(user) => GetUserResponse::Ok(user),
                None => GetUserResponse::NotFound(user_not_found()),
            },
        )
    }

    async fn update_user(
        &self,
        context: Context<Tenant>,
        request: UpdateUserRequest,
    ) -> Result<UpdateUserResponse, HandlerError> {
        use store::UpdateOutcome;
        Ok(
            match self
                .store
                .tenant(&context.principal.0)
                .update_user(request.params.user_id, request.body)
            {
                UpdateOutcome::Updated(user) => UpdateUserResponse::Ok(user),
                UpdateOutcome::NotFound => UpdateUserResponse::NotFound(user_not_found()),
                UpdateOutcome::EmailTaken => UpdateUserResponse::BadRequest(invalid(
                    "email",
                    "unique",
                    "is already registered",
                )),
            },
        )
    }

    async fn delete_user(
        &self,
        context: Context<Tenant>,
        request: DeleteUserRequest,
    ) -> Result<DeleteUserResponse, HandlerError> {
        Ok(
            if self
                .store
                .tenant(&context.principal.0)
                .delete_user(request.params.user_id)
            {
                DeleteUserResponse::NoContent
            } else {
                DeleteUserResponse::NotFound(user_not_found())
            },
        )
    }

    async fn list_charges(
        &self,
        context: Context<Tenant>,
        request: ListChargesRequest,
    ) -> Result<ListChargesResponse, HandlerError> {
        let page = self
            .store
            .tenant(&context.principal.0)
            .list_charges(&request.params);
        Ok(ListChargesResponse::Ok(page))
    }

    async fn create_charge(
        &self,
        context: Context<Tenant>,
        request: CreateChargeRequest,
    ) -> Result<CreateChargeResponse, HandlerError> {
        use store::ChargeOutcome;
        Ok(
            match self
                .store
                .tenant(&context.principal.0)
                .create_charge(request.body)
            {
                ChargeOutcome::Created(charge) => CreateChargeResponse::Created(charge),
                ChargeOutcome::Declined => CreateChargeResponse::PaymentRequired(error(
                    "CARD_DECLINED",
                    "The card was declined.",
                )),
                ChargeOutcome::NoSuchCustomer => CreateChargeResponse::NotFound(user_not_found()),
            },
        )
    }

    async fn get_charge(
        &self,
        context: Context<Tenant>,
        request: GetChargeRequest,
    ) -> Result<GetChargeResponse, HandlerError> {
        Ok(
            match self
                .store
                .tenant(&context.principal.0)
                .charge(&request.params.charge_id)
            {
                Some(charge) => GetChargeResponse::Ok(charge),
                None => GetChargeResponse::NotFound(charge_not_found()),
            },
        )
    }

    async fn create_refund(
        &self,
        context: Context<Tenant>,
        request: CreateRefundRequest,
    ) -> Result<CreateRefundResponse, HandlerError> {
        use store::RefundOutcome;
        Ok(
            match self
                .store
                .tenant(&context.principal.0)
                .refund(&request.params.charge_id, request.body)
            {
                RefundOutcome::Refunded(refund) => CreateRefundResponse::Created(refund),
                RefundOutcome::NoSuchCharge => CreateRefundResponse::NotFound(charge_not_found()),
                RefundOutcome::TooMuch { remaining } => CreateRefundResponse::BadRequest(invalid(
                    "amount",
                    "maximum",
                    &format!("must be at most {remaining}, what remains of the charge"),
                )),
            },
        )
    }
}

//! The Payments API on the generated server: users and charges per API key,
//! kept in memory. Written by hand; only `payments-server` is generated.

mod store;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use payments_server::operations::*;
use payments_server::types::{ErrorDetail, ErrorDetailLocation, Health};
use payments_server::{Api, Context, Credentials, HandlerError, Identity};
use sha2::{Digest, Sha256};

pub use store::Store;

/// The key used when `PAYMENTS_API_KEYS` is not set: for local use only.
pub const DEFAULT_API_KEY: &str = "local-dev-key";

/// An accepted API key and its pricing tier (`free`, `pro`, `enterprise`),
/// which picks its rate limits; a key without a tier gets the default quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub key: String,
    pub tier: Option<String>,
}

impl ApiKey {
    /// `key` or `key:tier`.
    pub fn parse(text: &str) -> Option<Self> {
        let (key, tier) = match text.trim().split_once(':') {
            Some((key, tier)) => (key.trim(), Some(tier.trim().to_string())),
            None => (text.trim(), None),
        };
        (!key.is_empty()).then(|| ApiKey {
            key: key.to_string(),
            tier: tier.filter(|tier| !tier.is_empty()),
        })
    }
}

impl From<&str> for ApiKey {
    /// A key without a tier.
    fn from(key: &str) -> Self {
        ApiKey {
            key: key.to_string(),
            tier: None,
        }
    }
}

/// Where the app listens and which keys it accepts.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub bind_addr: String,
    pub api_keys: Vec<ApiKey>,
}

impl AppConfig {
    /// `BIND_ADDR` (default `127.0.0.1:8080`) and `PAYMENTS_API_KEYS`
    /// (comma-separated `key` or `key:tier`, default [`DEFAULT_API_KEY`]).
    pub fn from_env() -> Self {
        let api_keys = std::env::var("PAYMENTS_API_KEYS")
            .ok()
            .map(|keys| {
                keys.split(',')
                    .filter_map(ApiKey::parse)
                    .collect::<Vec<_>>()
            })
            .filter(|keys| !keys.is_empty())
            .unwrap_or_else(|| vec![ApiKey::from(DEFAULT_API_KEY)]);
        AppConfig {
            bind_addr: std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_string()),
            api_keys,
        }
    }
}

/// The API: each API key is a tenant that sees only its own data.
pub struct PaymentsApi {
    /// Each key's tenant.
    keys: BTreeMap<String, Tenant>,
    store: Store,
}

impl PaymentsApi {
    pub fn new(keys: impl IntoIterator<Item = ApiKey>) -> Self {
        let keys = keys.into_iter().map(|key| {
            let tenant = Tenant {
                id: tenant_id(&key.key).into(),
                tier: key.tier,
            };
            (key.key, tenant)
        });
        PaymentsApi {
            keys: keys.collect(),
            store: Store::default(),
        }
    }
}

/// The tenant an API key stands for: its id and its tier. The key itself
/// is not kept: the tenant is what logs, rate limits and idempotency keys
/// see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// `t_` and 16 hex digits of the key's SHA-256: the same for one key
    /// on every replica and after restarts, and safe to log. Shared, so
    /// authenticating a request copies no text.
    pub id: Arc<str>,
    pub tier: Option<String>,
}

/// A tenant's id: names the key without revealing it.
pub fn tenant_id(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let first: [u8; 8] = digest[..8].try_into().expect("a SHA-256 has 32 bytes");
    format!("t_{:016x}", u64::from_be_bytes(first))
}

impl Identity for Tenant {
    fn identity(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }

    fn tier(&self) -> Option<&str> {
        self.tier.as_deref()
    }
}

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
            Credentials::ApiKey { key, .. } => self.keys.get(&key).cloned(),
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
            .tenant(&context.principal.id)
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
            .tenant(&context.principal.id)
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
                .tenant(&context.principal.id)
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
                .tenant(&context.principal.id)
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
                .tenant(&context.principal.id)
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
            .tenant(&context.principal.id)
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
                .tenant(&context.principal.id)
                .create_charge(request.body)
            {
                ChargeOutcome::Created(charge) => CreateChargeResponse::Created {
                    location: charge_location(&charge.id),
                    body: charge,
                },
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
                .tenant(&context.principal.id)
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
                .tenant(&context.principal.id)
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

/// `/v1/charges/<id>`, allocated at its exact length so that the header
/// value takes the string's bytes as they are.
fn charge_location(id: &str) -> String {
    const PREFIX: &str = "/v1/charges/";
    let mut location = String::with_capacity(PREFIX.len() + id.len());
    location.push_str(PREFIX);
    location.push_str(id);
    location
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_id_names_its_key_without_revealing_it() {
        let id = tenant_id("local-dev-key");
        assert_eq!(id, tenant_id("local-dev-key"), "stable");
        assert_ne!(id, tenant_id("local-dev-key2"));
        assert!(id.starts_with("t_") && id.len() == 18, "{id}");
        assert!(id[2..].bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        assert!(!id.contains("local-dev-key"));
        let tenant = Tenant {
            id: id.clone().into(),
            tier: None,
        };
        assert_eq!(tenant.identity(), id);
        assert!(!format!("{tenant:?}").contains("local-dev-key"));
    }
}

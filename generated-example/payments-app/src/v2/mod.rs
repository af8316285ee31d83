//! Version 2 of the Payments API (`specs/payments-v2.yaml`): the
//! implementation, over the store. Each operation is a method of
//! [`PaymentsV2Api`] that takes the tenant and v2's request and returns
//! v2's response, so that v1 can serve itself through the same methods.

use std::collections::BTreeMap;
use std::sync::Arc;

use payments_v2_server::operations::*;
use payments_v2_server::types::{Error, ErrorDetail, ErrorDetailLocation, Health, User};
use payments_v2_server::Page;

use crate::store::{ChargeOutcome, Lent, RefundOutcome, Store, StoreError, UpdateOutcome};
use crate::{tenant_id, ApiKey, Tenant};

mod api;

/// The current version: each API key is a tenant that sees only its own
/// data. Cheap to clone: clones share the keys and the store.
#[derive(Clone)]
pub struct PaymentsV2Api(Arc<Shared>);

struct Shared {
    keys: BTreeMap<String, Tenant>,
    store: Store,
}

impl PaymentsV2Api {
    /// The API with `keys`, its data in memory.
    pub fn new(keys: impl IntoIterator<Item = ApiKey>) -> Self {
        PaymentsV2Api::with_store(keys, Store::default())
    }

    /// The API with `keys`, its data in `store`.
    pub fn with_store(keys: impl IntoIterator<Item = ApiKey>, store: Store) -> Self {
        let keys = keys.into_iter().map(|key| {
            let tenant = Tenant {
                id: tenant_id(&key.key).into(),
                tier: key.tier,
            };
            (key.key, tenant)
        });
        PaymentsV2Api(Arc::new(Shared {
            keys: keys.collect(),
            store,
        }))
    }

    pub(crate) fn tenant(&self, key: &str) -> Option<Tenant> {
        self.0.keys.get(key).cloned()
    }

    pub(crate) fn health(&self) -> GetHealthResponse {
        GetHealthResponse::Ok(Health {
            status: "ok".to_string(),
        })
    }

    pub(crate) async fn list_users(
        &self,
        tenant: &Tenant,
        request: ListUsersRequest,
    ) -> Result<ListUsersResponse, StoreError> {
        let params = request.params;
        let page = self
            .0
            .store
            .users_after(
                &tenant.id,
                &params.sort,
                params.search.as_deref(),
                params.cursor.as_deref(),
                params.limit,
            )
            .await?;
        Ok(ListUsersResponse::Ok(page))
    }

    pub(crate) async fn users_page(
        &self,
        tenant: &Tenant,
        sort: &str,
        search: Option<&str>,
        page: i32,
        per_page: i32,
    ) -> Result<Page<User>, StoreError> {
        self.0
            .store
            .users_page(&tenant.id, sort, search, page, per_page)
            .await
    }

    pub(crate) async fn create_user(
        &self,
        tenant: &Tenant,
        request: CreateUserRequest,
        lent: Lent<'_>,
    ) -> Result<CreateUserResponse, StoreError> {
        let created = self
            .0
            .store
            .create_user(lent, &tenant.id, request.body)
            .await?;
        Ok(match created {
            Some(user) => CreateUserResponse::Created {
                location: format!("/v2/users/{}", user.id),
                body: user,
            },
            None => CreateUserResponse::BadRequest(email_taken()),
        })
    }

    pub(crate) async fn get_user(
        &self,
        tenant: &Tenant,
        request: GetUserRequest,
    ) -> Result<GetUserResponse, StoreError> {
        Ok(
            match self
                .0
                .store
                .user(&tenant.id, request.params.user_id)
                .await?
            {
                Some(user) => GetUserResponse::Ok(user),
                None => GetUserResponse::NotFound(user_not_found()),
            },
        )
    }

    pub(crate) async fn update_user(
        &self,
        tenant: &Tenant,
        request: UpdateUserRequest,
        lent: Lent<'_>,
    ) -> Result<UpdateUserResponse, StoreError> {
        let outcome = self
            .0
            .store
            .update_user(lent, &tenant.id, request.params.user_id, request.body)
            .await?;
        Ok(match outcome {
            UpdateOutcome::Updated(user) => UpdateUserResponse::Ok(user),
            UpdateOutcome::NotFound => UpdateUserResponse::NotFound(user_not_found()),
            UpdateOutcome::EmailTaken => UpdateUserResponse::BadRequest(email_taken()),
        })
    }

    pub(crate) async fn delete_user(
        &self,
        tenant: &Tenant,
        request: DeleteUserRequest,
    ) -> Result<DeleteUserResponse, StoreError> {
        let deleted = self
            .0
            .store
            .delete_user(&tenant.id, request.params.user_id)
            .await?;
        Ok(if deleted {
            DeleteUserResponse::NoContent
        } else {
            DeleteUserResponse::NotFound(user_not_found())
        })
    }

    pub(crate) async fn list_charges(
        &self,
        tenant: &Tenant,
        request: ListChargesRequest,
    ) -> Result<ListChargesResponse, StoreError> {
        let page = self
            .0
            .store
            .list_charges(&tenant.id, &request.params)
            .await?;
        Ok(ListChargesResponse::Ok(page))
    }

    pub(crate) async fn create_charge(
        &self,
        tenant: &Tenant,
        request: CreateChargeRequest,
        lent: Lent<'_>,
    ) -> Result<CreateChargeResponse, StoreError> {
        let outcome = self
            .0
            .store
            .create_charge(lent, &tenant.id, request.body)
            .await?;
        Ok(match outcome {
            ChargeOutcome::Created(charge) => CreateChargeResponse::Created {
                location: charge_location(&charge.id),
                body: charge,
            },
            ChargeOutcome::Declined => CreateChargeResponse::PaymentRequired(error(
                "CARD_DECLINED",
                "The card was declined.",
            )),
            ChargeOutcome::NoSuchCustomer => CreateChargeResponse::NotFound(user_not_found()),
        })
    }

    pub(crate) async fn get_charge(
        &self,
        tenant: &Tenant,
        request: GetChargeRequest,
    ) -> Result<GetChargeResponse, StoreError> {
        Ok(
            match self
                .0
                .store
                .charge(&tenant.id, &request.params.charge_id)
                .await?
            {
                Some(charge) => GetChargeResponse::Ok(charge),
                None => GetChargeResponse::NotFound(charge_not_found()),
            },
        )
    }

    pub(crate) async fn create_refund(
        &self,
        tenant: &Tenant,
        request: CreateRefundRequest,
        lent: Lent<'_>,
    ) -> Result<CreateRefundResponse, StoreError> {
        let outcome = self
            .0
            .store
            .refund(lent, &tenant.id, &request.params.charge_id, request.body)
            .await?;
        Ok(match outcome {
            RefundOutcome::Refunded(refund) => CreateRefundResponse::Created(refund),
            RefundOutcome::NoSuchCharge => CreateRefundResponse::NotFound(charge_not_found()),
            RefundOutcome::TooMuch { remaining } => CreateRefundResponse::BadRequest(invalid(
                "amount",
                "maximum",
                &format!("must be at most {remaining}, what remains of the charge"),
            )),
        })
    }
}

fn error(code: &str, message: &str) -> Error {
    Error {
        code: code.to_string(),
        message: message.to_string(),
        details: Vec::new(),
        retry_after: None,
    }
}

/// A business-rule failure reported like a schema failure (`400 VALIDATION_ERROR`).
fn invalid(field: &str, code: &str, message: &str) -> Error {
    Error {
        details: vec![ErrorDetail {
            field: field.to_string(),
            location: ErrorDetailLocation::Body,
            message: message.to_string(),
            code: code.to_string(),
        }],
        ..error("VALIDATION_ERROR", "The request has 1 invalid value.")
    }
}

fn email_taken() -> Error {
    invalid("email", "unique", "is already registered")
}

fn user_not_found() -> Error {
    error("USER_NOT_FOUND", "No user with this id.")
}

fn charge_not_found() -> Error {
    error("CHARGE_NOT_FOUND", "No charge with this id.")
}

/// `/v2/charges/<id>`, allocated at its exact length so that the header
/// value takes the string's bytes as they are.
fn charge_location(id: &str) -> String {
    const PREFIX: &str = "/v2/charges/";
    let mut location = String::with_capacity(PREFIX.len() + id.len());
    location.push_str(PREFIX);
    location.push_str(id);
    location
}

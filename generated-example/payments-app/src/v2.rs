//! Version 2 of the Payments API (`specs/payments-v2.yaml`): the
//! implementation, over the store. Each operation is a method of
//! [`PaymentsV2Api`] that takes the tenant and v2's request and returns
//! v2's response, so that v1 can serve itself through the same methods.

use std::collections::BTreeMap;
use std::sync::Arc;

use payments_v2_server::operations::*;
use payments_v2_server::types::{Error, ErrorDetail, ErrorDetailLocation, Health, User};
use payments_v2_server::{Api, Context, Credentials, HandlerError, Page};

use crate::store::{ChargeOutcome, RefundOutcome, Store, UpdateOutcome};
use crate::{tenant_id, ApiKey, Tenant};

/// The current version: each API key is a tenant that sees only its own
/// data. Cheap to clone: clones share the keys and the store.
#[derive(Clone)]
pub struct PaymentsV2Api(Arc<Shared>);

struct Shared {
    /// Each key's tenant.
    keys: BTreeMap<String, Tenant>,
    store: Store,
}

impl PaymentsV2Api {
    pub fn new(keys: impl IntoIterator<Item = ApiKey>) -> Self {
        let keys = keys.into_iter().map(|key| {
            let tenant = Tenant {
                id: tenant_id(&key.key).into(),
                tier: key.tier,
            };
            (key.key, tenant)
        });
        PaymentsV2Api(Arc::new(Shared {
            keys: keys.collect(),
            store: Store::default(),
        }))
    }

    /// The tenant of an API key, if the key is one of ours.
    pub(crate) fn tenant(&self, key: &str) -> Option<Tenant> {
        self.0.keys.get(key).cloned()
    }

    pub(crate) fn health(&self) -> GetHealthResponse {
        GetHealthResponse::Ok(Health {
            status: "ok".to_string(),
        })
    }

    pub(crate) fn list_users(
        &self,
        tenant: &Tenant,
        request: ListUsersRequest,
    ) -> ListUsersResponse {
        let params = request.params;
        let page = self.0.store.tenant(&tenant.id).users_after(
            &params.sort,
            params.search.as_deref(),
            params.cursor.as_deref(),
            params.limit,
        );
        ListUsersResponse::Ok(page)
    }

    /// A page of users by number, with the count of all: what v1 lists,
    /// which v2's cursors replace (they do not count).
    pub(crate) fn users_page(
        &self,
        tenant: &Tenant,
        sort: &str,
        search: Option<&str>,
        page: i32,
        per_page: i32,
    ) -> Page<User> {
        self.0
            .store
            .tenant(&tenant.id)
            .users_page(sort, search, page, per_page)
    }

    pub(crate) fn create_user(
        &self,
        tenant: &Tenant,
        request: CreateUserRequest,
    ) -> CreateUserResponse {
        match self.0.store.tenant(&tenant.id).create_user(request.body) {
            Some(user) => CreateUserResponse::Created {
                location: format!("/v2/users/{}", user.id),
                body: user,
            },
            None => CreateUserResponse::BadRequest(email_taken()),
        }
    }

    pub(crate) fn get_user(&self, tenant: &Tenant, request: GetUserRequest) -> GetUserResponse {
        match self.0.store.tenant(&tenant.id).user(request.params.user_id) {
            Some(user) => GetUserResponse::Ok(user),
            None => GetUserResponse::NotFound(user_not_found()),
        }
    }

    pub(crate) fn update_user(
        &self,
        tenant: &Tenant,
        request: UpdateUserRequest,
    ) -> UpdateUserResponse {
        match self
            .0
            .store
            .tenant(&tenant.id)
            .update_user(request.params.user_id, request.body)
        {
            UpdateOutcome::Updated(user) => UpdateUserResponse::Ok(user),
            UpdateOutcome::NotFound => UpdateUserResponse::NotFound(user_not_found()),
            UpdateOutcome::EmailTaken => UpdateUserResponse::BadRequest(email_taken()),
        }
    }

    pub(crate) fn delete_user(
        &self,
        tenant: &Tenant,
        request: DeleteUserRequest,
    ) -> DeleteUserResponse {
        if self
            .0
            .store
            .tenant(&tenant.id)
            .delete_user(request.params.user_id)
        {
            DeleteUserResponse::NoContent
        } else {
            DeleteUserResponse::NotFound(user_not_found())
        }
    }

    pub(crate) fn list_charges(
        &self,
        tenant: &Tenant,
        request: ListChargesRequest,
    ) -> ListChargesResponse {
        ListChargesResponse::Ok(
            self.0
                .store
                .tenant(&tenant.id)
                .list_charges(&request.params),
        )
    }

    pub(crate) fn create_charge(
        &self,
        tenant: &Tenant,
        request: CreateChargeRequest,
    ) -> CreateChargeResponse {
        match self.0.store.tenant(&tenant.id).create_charge(request.body) {
            ChargeOutcome::Created(charge) => CreateChargeResponse::Created {
                location: charge_location(&charge.id),
                body: charge,
            },
            ChargeOutcome::Declined => CreateChargeResponse::PaymentRequired(error(
                "CARD_DECLINED",
                "The card was declined.",
            )),
            ChargeOutcome::NoSuchCustomer => CreateChargeResponse::NotFound(user_not_found()),
        }
    }

    pub(crate) fn get_charge(
        &self,
        tenant: &Tenant,
        request: GetChargeRequest,
    ) -> GetChargeResponse {
        match self
            .0
            .store
            .tenant(&tenant.id)
            .charge(&request.params.charge_id)
        {
            Some(charge) => GetChargeResponse::Ok(charge),
            None => GetChargeResponse::NotFound(charge_not_found()),
        }
    }

    pub(crate) fn create_refund(
        &self,
        tenant: &Tenant,
        request: CreateRefundRequest,
    ) -> CreateRefundResponse {
        match self
            .0
            .store
            .tenant(&tenant.id)
            .refund(&request.params.charge_id, request.body)
        {
            RefundOutcome::Refunded(refund) => CreateRefundResponse::Created(refund),
            RefundOutcome::NoSuchCharge => CreateRefundResponse::NotFound(charge_not_found()),
            RefundOutcome::TooMuch { remaining } => CreateRefundResponse::BadRequest(invalid(
                "amount",
                "maximum",
                &format!("must be at most {remaining}, what remains of the charge"),
            )),
        }
    }
}

impl Api for PaymentsV2Api {
    type Principal = Tenant;

    async fn authenticate(&self, credentials: Credentials) -> Option<Tenant> {
        match credentials {
            Credentials::ApiKey { key, .. } => self.tenant(&key),
            _ => None,
        }
    }

    async fn get_health(
        &self,
        _: Context<()>,
        _: GetHealthRequest,
    ) -> Result<GetHealthResponse, HandlerError> {
        Ok(self.health())
    }

    async fn list_users(
        &self,
        context: Context<Tenant>,
        request: ListUsersRequest,
    ) -> Result<ListUsersResponse, HandlerError> {
        Ok(PaymentsV2Api::list_users(self, &context.principal, request))
    }

    async fn create_user(
        &self,
        context: Context<Tenant>,
        request: CreateUserRequest,
    ) -> Result<CreateUserResponse, HandlerError> {
        Ok(PaymentsV2Api::create_user(
            self,
            &context.principal,
            request,
        ))
    }

    async fn get_user(
        &self,
        context: Context<Tenant>,
        request: GetUserRequest,
    ) -> Result<GetUserResponse, HandlerError> {
        Ok(PaymentsV2Api::get_user(self, &context.principal, request))
    }

    async fn update_user(
        &self,
        context: Context<Tenant>,
        request: UpdateUserRequest,
    ) -> Result<UpdateUserResponse, HandlerError> {
        Ok(PaymentsV2Api::update_user(
            self,
            &context.principal,
            request,
        ))
    }

    async fn delete_user(
        &self,
        context: Context<Tenant>,
        request: DeleteUserRequest,
    ) -> Result<DeleteUserResponse, HandlerError> {
        Ok(PaymentsV2Api::delete_user(
            self,
            &context.principal,
            request,
        ))
    }

    async fn list_charges(
        &self,
        context: Context<Tenant>,
        request: ListChargesRequest,
    ) -> Result<ListChargesResponse, HandlerError> {
        Ok(PaymentsV2Api::list_charges(
            self,
            &context.principal,
            request,
        ))
    }

    async fn create_charge(
        &self,
        context: Context<Tenant>,
        request: CreateChargeRequest,
    ) -> Result<CreateChargeResponse, HandlerError> {
        Ok(PaymentsV2Api::create_charge(
            self,
            &context.principal,
            request,
        ))
    }

    async fn get_charge(
        &self,
        context: Context<Tenant>,
        request: GetChargeRequest,
    ) -> Result<GetChargeResponse, HandlerError> {
        Ok(PaymentsV2Api::get_charge(self, &context.principal, request))
    }

    async fn create_refund(
        &self,
        context: Context<Tenant>,
        request: CreateRefundRequest,
    ) -> Result<CreateRefundResponse, HandlerError> {
        Ok(PaymentsV2Api::create_refund(
            self,
            &context.principal,
            request,
        ))
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

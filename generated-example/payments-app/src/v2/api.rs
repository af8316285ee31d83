//! v2's handler trait, each method calling [`PaymentsV2Api`]'s own with the
//! calling tenant and, for idempotent operations, the transaction the
//! generated layer lends.

use payments_v2_server::operations::*;
use payments_v2_server::{Api, Context, Credentials, HandlerError};

use super::PaymentsV2Api;
use crate::store::Lent;
use crate::Tenant;

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
        PaymentsV2Api::list_users(self, &context.principal, request)
            .await
            .map_err(HandlerError::new)
    }

    async fn create_user(
        &self,
        context: Context<Tenant>,
        request: CreateUserRequest,
    ) -> Result<CreateUserResponse, HandlerError> {
        let lent = lent(&context).await;
        PaymentsV2Api::create_user(self, &context.principal, request, lent)
            .await
            .map_err(HandlerError::new)
    }

    async fn get_user(
        &self,
        context: Context<Tenant>,
        request: GetUserRequest,
    ) -> Result<GetUserResponse, HandlerError> {
        PaymentsV2Api::get_user(self, &context.principal, request)
            .await
            .map_err(HandlerError::new)
    }

    async fn update_user(
        &self,
        context: Context<Tenant>,
        request: UpdateUserRequest,
    ) -> Result<UpdateUserResponse, HandlerError> {
        let lent = lent(&context).await;
        PaymentsV2Api::update_user(self, &context.principal, request, lent)
            .await
            .map_err(HandlerError::new)
    }

    async fn delete_user(
        &self,
        context: Context<Tenant>,
        request: DeleteUserRequest,
    ) -> Result<DeleteUserResponse, HandlerError> {
        PaymentsV2Api::delete_user(self, &context.principal, request)
            .await
            .map_err(HandlerError::new)
    }

    async fn list_charges(
        &self,
        context: Context<Tenant>,
        request: ListChargesRequest,
    ) -> Result<ListChargesResponse, HandlerError> {
        PaymentsV2Api::list_charges(self, &context.principal, request)
            .await
            .map_err(HandlerError::new)
    }

    async fn create_charge(
        &self,
        context: Context<Tenant>,
        request: CreateChargeRequest,
    ) -> Result<CreateChargeResponse, HandlerError> {
        let lent = lent(&context).await;
        PaymentsV2Api::create_charge(self, &context.principal, request, lent)
            .await
            .map_err(HandlerError::new)
    }

    async fn get_charge(
        &self,
        context: Context<Tenant>,
        request: GetChargeRequest,
    ) -> Result<GetChargeResponse, HandlerError> {
        PaymentsV2Api::get_charge(self, &context.principal, request)
            .await
            .map_err(HandlerError::new)
    }

    async fn create_refund(
        &self,
        context: Context<Tenant>,
        request: CreateRefundRequest,
    ) -> Result<CreateRefundResponse, HandlerError> {
        let lent = lent(&context).await;
        PaymentsV2Api::create_refund(self, &context.principal, request, lent)
            .await
            .map_err(HandlerError::new)
    }
}

/// The transaction the generated layer lends this call (on Postgres, when
/// the request has an `Idempotency-Key`), locked for the call.
async fn lent<P>(context: &Context<P>) -> Lent<'_> {
    match context.transaction() {
        Some(transaction) => Some(transaction.client().await),
        None => None,
    }
}

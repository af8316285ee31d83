//! Version 1 of the Payments API (`specs/payments.yaml`, deprecated): a
//! compatibility layer over v2. Each operation converts v1's request to
//! v2's, runs v2's implementation and converts the answer back; the one
//! thing v2 no longer does, listing users by page number with a total, is
//! asked of v2's store query directly.

mod convert;

use payments_server::operations::*;
use payments_server::types::params::ListUsersParams;
use payments_server::types::Health;
use payments_server::{Api, Context, Credentials, HandlerError};
use payments_v2_server::operations as v2;

use crate::store::Lent;
use crate::{ApiKey, PaymentsV2Api, Tenant};

/// The deprecated version, over [`PaymentsV2Api`]: what one version
/// creates, the other sees.
#[derive(Clone)]
pub struct PaymentsApi {
    v2: PaymentsV2Api,
}

impl PaymentsApi {
    /// v1 on a store of its own (with `keys`), as when it was the only version.
    pub fn new(keys: impl IntoIterator<Item = ApiKey>) -> Self {
        PaymentsApi::over(PaymentsV2Api::new(keys))
    }

    /// v1 over `v2`'s keys and store.
    pub fn over(v2: PaymentsV2Api) -> Self {
        PaymentsApi { v2 }
    }
}

impl Api for PaymentsApi {
    type Principal = Tenant;

    async fn authenticate(&self, credentials: Credentials) -> Option<Tenant> {
        match credentials {
            Credentials::ApiKey { key, .. } => self.v2.tenant(&key),
            _ => None,
        }
    }

    async fn get_health(
        &self,
        _: Context<()>,
        _: GetHealthRequest,
    ) -> Result<GetHealthResponse, HandlerError> {
        let v2::GetHealthResponse::Ok(health) = self.v2.health();
        Ok(GetHealthResponse::Ok(Health {
            status: health.status,
        }))
    }

    async fn list_users(
        &self,
        context: Context<Tenant>,
        request: ListUsersRequest,
    ) -> Result<ListUsersResponse, HandlerError> {
        let ListUsersParams {
            page,
            per_page,
            sort,
            search,
        } = request.params;
        let users = self
            .v2
            .users_page(
                &context.principal,
                convert::user_sort(&sort),
                search.as_deref(),
                page,
                per_page,
            )
            .await
            .map_err(HandlerError::new)?;
        Ok(ListUsersResponse::Ok(convert::users(users)))
    }

    async fn create_user(
        &self,
        context: Context<Tenant>,
        request: CreateUserRequest,
    ) -> Result<CreateUserResponse, HandlerError> {
        let request = v2::CreateUserRequest {
            body: convert::user_create(request.body),
        };
        Ok(
            match self
                .v2
                .create_user(&context.principal, request, lent(&context).await)
                .await
                .map_err(HandlerError::new)?
            {
                v2::CreateUserResponse::Created { location, body } => CreateUserResponse::Created {
                    location: convert::location(location),
                    body: convert::user(body),
                },
                v2::CreateUserResponse::BadRequest(error) => {
                    CreateUserResponse::BadRequest(convert::error(error))
                }
                v2::CreateUserResponse::Unauthorized(error) => {
                    CreateUserResponse::Unauthorized(convert::error(error))
                }
            },
        )
    }

    async fn get_user(
        &self,
        context: Context<Tenant>,
        request: GetUserRequest,
    ) -> Result<GetUserResponse, HandlerError> {
        let request = v2::GetUserRequest {
            params: payments_v2_server::types::params::GetUserParams {
                user_id: request.params.user_id,
            },
        };
        Ok(
            match self
                .v2
                .get_user(&context.principal, request)
                .await
                .map_err(HandlerError::new)?
            {
                v2::GetUserResponse::Ok(user) => GetUserResponse::Ok(convert::user(user)),
                v2::GetUserResponse::BadRequest(error) => {
                    GetUserResponse::BadRequest(convert::error(error))
                }
                v2::GetUserResponse::Unauthorized(error) => {
                    GetUserResponse::Unauthorized(convert::error(error))
                }
                v2::GetUserResponse::NotFound(error) => {
                    GetUserResponse::NotFound(convert::error(error))
                }
            },
        )
    }

    async fn update_user(
        &self,
        context: Context<Tenant>,
        request: UpdateUserRequest,
    ) -> Result<UpdateUserResponse, HandlerError> {
        let request = v2::UpdateUserRequest {
            params: payments_v2_server::types::params::UpdateUserParams {
                user_id: request.params.user_id,
            },
            body: convert::user_update(request.body),
        };
        Ok(
            match self
                .v2
                .update_user(&context.principal, request, lent(&context).await)
                .await
                .map_err(HandlerError::new)?
            {
                v2::UpdateUserResponse::Ok(user) => UpdateUserResponse::Ok(convert::user(user)),
                v2::UpdateUserResponse::BadRequest(error) => {
                    UpdateUserResponse::BadRequest(convert::error(error))
                }
                v2::UpdateUserResponse::Unauthorized(error) => {
                    UpdateUserResponse::Unauthorized(convert::error(error))
                }
                v2::UpdateUserResponse::NotFound(error) => {
                    UpdateUserResponse::NotFound(convert::error(error))
                }
            },
        )
    }

    async fn delete_user(
        &self,
        context: Context<Tenant>,
        request: DeleteUserRequest,
    ) -> Result<DeleteUserResponse, HandlerError> {
        let request = v2::DeleteUserRequest {
            params: payments_v2_server::types::params::DeleteUserParams {
                user_id: request.params.user_id,
            },
        };
        Ok(
            match self
                .v2
                .delete_user(&context.principal, request)
                .await
                .map_err(HandlerError::new)?
            {
                v2::DeleteUserResponse::NoContent => DeleteUserResponse::NoContent,
                v2::DeleteUserResponse::BadRequest(error) => {
                    DeleteUserResponse::BadRequest(convert::error(error))
                }
                v2::DeleteUserResponse::Unauthorized(error) => {
                    DeleteUserResponse::Unauthorized(convert::error(error))
                }
                v2::DeleteUserResponse::NotFound(error) => {
                    DeleteUserResponse::NotFound(convert::error(error))
                }
            },
        )
    }

    async fn list_charges(
        &self,
        context: Context<Tenant>,
        request: ListChargesRequest,
    ) -> Result<ListChargesResponse, HandlerError> {
        let params = request.params;
        let request = v2::ListChargesRequest {
            params: payments_v2_server::types::params::ListChargesParams {
                limit: params.limit,
                cursor: params.cursor,
                customer_id: params.customer_id,
                status: params.status.map(convert::charge_status_filter),
            },
        };
        Ok(
            match self
                .v2
                .list_charges(&context.principal, request)
                .await
                .map_err(HandlerError::new)?
            {
                v2::ListChargesResponse::Ok(page) => {
                    ListChargesResponse::Ok(convert::charges(page))
                }
                v2::ListChargesResponse::BadRequest(error) => {
                    ListChargesResponse::BadRequest(convert::error(error))
                }
                v2::ListChargesResponse::Unauthorized(error) => {
                    ListChargesResponse::Unauthorized(convert::error(error))
                }
            },
        )
    }

    async fn create_charge(
        &self,
        context: Context<Tenant>,
        request: CreateChargeRequest,
    ) -> Result<CreateChargeResponse, HandlerError> {
        let request = v2::CreateChargeRequest {
            body: convert::charge_create(request.body),
        };
        Ok(
            match self
                .v2
                .create_charge(&context.principal, request, lent(&context).await)
                .await
                .map_err(HandlerError::new)?
            {
                v2::CreateChargeResponse::Created { location, body } => {
                    CreateChargeResponse::Created {
                        location: convert::location(location),
                        body: convert::charge(body),
                    }
                }
                v2::CreateChargeResponse::BadRequest(error) => {
                    CreateChargeResponse::BadRequest(convert::error(error))
                }
                v2::CreateChargeResponse::Unauthorized(error) => {
                    CreateChargeResponse::Unauthorized(convert::error(error))
                }
                v2::CreateChargeResponse::PaymentRequired(error) => {
                    CreateChargeResponse::PaymentRequired(convert::error(error))
                }
                v2::CreateChargeResponse::NotFound(error) => {
                    CreateChargeResponse::NotFound(convert::error(error))
                }
            },
        )
    }

    async fn get_charge(
        &self,
        context: Context<Tenant>,
        request: GetChargeRequest,
    ) -> Result<GetChargeResponse, HandlerError> {
        let request = v2::GetChargeRequest {
            params: payments_v2_server::types::params::GetChargeParams {
                charge_id: request.params.charge_id,
            },
        };
        Ok(
            match self
                .v2
                .get_charge(&context.principal, request)
                .await
                .map_err(HandlerError::new)?
            {
                v2::GetChargeResponse::Ok(charge) => GetChargeResponse::Ok(convert::charge(charge)),
                v2::GetChargeResponse::Unauthorized(error) => {
                    GetChargeResponse::Unauthorized(convert::error(error))
                }
                v2::GetChargeResponse::NotFound(error) => {
                    GetChargeResponse::NotFound(convert::error(error))
                }
            },
        )
    }

    async fn create_refund(
        &self,
        context: Context<Tenant>,
        request: CreateRefundRequest,
    ) -> Result<CreateRefundResponse, HandlerError> {
        let request = v2::CreateRefundRequest {
            params: payments_v2_server::types::params::CreateRefundParams {
                charge_id: request.params.charge_id,
            },
            body: convert::refund_create(request.body),
        };
        Ok(
            match self
                .v2
                .create_refund(&context.principal, request, lent(&context).await)
                .await
                .map_err(HandlerError::new)?
            {
                v2::CreateRefundResponse::Created(refund) => {
                    CreateRefundResponse::Created(convert::refund(refund))
                }
                v2::CreateRefundResponse::BadRequest(error) => {
                    CreateRefundResponse::BadRequest(convert::error(error))
                }
                v2::CreateRefundResponse::Unauthorized(error) => {
                    CreateRefundResponse::Unauthorized(convert::error(error))
                }
                v2::CreateRefundResponse::NotFound(error) => {
                    CreateRefundResponse::NotFound(convert::error(error))
                }
            },
        )
    }
}

/// The transaction the generated layer lends this call (on Postgres, when
/// the request has an `Idempotency-Key`), locked for the call: v2's
/// implementation writes in it.
async fn lent<P>(context: &Context<P>) -> Lent<'_> {
    match context.transaction() {
        Some(transaction) => Some(transaction.client().await),
        None => None,
    }
}

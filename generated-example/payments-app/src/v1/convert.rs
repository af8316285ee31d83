//! v1's types to v2's and back: the same data but for a user's `name`,
//! which v2 calls `full_name`. Fields move; nothing is copied.

use payments_server::types as v1;
use payments_server::{CursorPage as V1CursorPage, Page as V1Page};
use payments_v2_server::types as v2;
use payments_v2_server::{CursorPage, Page};

pub fn user(user: v2::User) -> v1::User {
    v1::User {
        id: user.id,
        name: user.full_name,
        email: user.email,
        created_at: user.created_at,
        updated_at: user.updated_at,
    }
}

pub fn user_create(create: v1::UserCreate) -> v2::UserCreate {
    v2::UserCreate {
        full_name: create.name,
        email: create.email,
        password: create.password,
    }
}

pub fn user_update(update: v1::UserUpdate) -> v2::UserUpdate {
    v2::UserUpdate {
        full_name: update.name,
        email: update.email,
    }
}

pub fn users(page: Page<v2::User>) -> V1Page<v1::User> {
    V1Page {
        items: page.items.into_iter().map(user).collect(),
        total: page.total,
    }
}

/// v1's sort (`name`, `-name`, `email`, `created_at`...) in v2's terms.
pub fn user_sort(sort: &str) -> &str {
    match sort {
        "name" => "full_name",
        "-name" => "-full_name",
        other => other,
    }
}

pub fn charge(charge: v2::Charge) -> v1::Charge {
    v1::Charge {
        id: charge.id,
        amount: charge.amount,
        currency: charge.currency,
        status: charge_status(charge.status),
        source: charge.source,
        customer_id: charge.customer_id,
        description: charge.description,
        metadata: charge.metadata,
        amount_refunded: charge.amount_refunded,
        refunded: charge.refunded,
        created_at: charge.created_at,
    }
}

pub fn charges(page: CursorPage<v2::Charge>) -> V1CursorPage<v1::Charge> {
    V1CursorPage {
        items: page.items.into_iter().map(charge).collect(),
        next: page.next,
    }
}

pub fn charge_create(create: v1::ChargeCreate) -> v2::ChargeCreate {
    v2::ChargeCreate {
        amount: create.amount,
        currency: create.currency,
        source: create.source,
        customer_id: create.customer_id,
        description: create.description,
        metadata: create.metadata,
    }
}

pub fn charge_status(status: v2::ChargeStatus) -> v1::ChargeStatus {
    match status {
        v2::ChargeStatus::Pending => v1::ChargeStatus::Pending,
        v2::ChargeStatus::Succeeded => v1::ChargeStatus::Succeeded,
        v2::ChargeStatus::Failed => v1::ChargeStatus::Failed,
        v2::ChargeStatus::Unknown(other) => v1::ChargeStatus::Unknown(other),
    }
}

pub fn charge_status_filter(status: v1::ChargeStatus) -> v2::ChargeStatus {
    match status {
        v1::ChargeStatus::Pending => v2::ChargeStatus::Pending,
        v1::ChargeStatus::Succeeded => v2::ChargeStatus::Succeeded,
        v1::ChargeStatus::Failed => v2::ChargeStatus::Failed,
        v1::ChargeStatus::Unknown(other) => v2::ChargeStatus::Unknown(other),
    }
}

pub fn refund(refund: v2::Refund) -> v1::Refund {
    v1::Refund {
        id: refund.id,
        charge_id: refund.charge_id,
        amount: refund.amount,
        reason: refund.reason.map(|reason| match reason {
            v2::RefundReason::Duplicate => v1::RefundReason::Duplicate,
            v2::RefundReason::Fraudulent => v1::RefundReason::Fraudulent,
            v2::RefundReason::RequestedByCustomer => v1::RefundReason::RequestedByCustomer,
            v2::RefundReason::Unknown(other) => v1::RefundReason::Unknown(other),
        }),
        created_at: refund.created_at,
    }
}

pub fn refund_create(create: v1::RefundCreate) -> v2::RefundCreate {
    v2::RefundCreate {
        amount: create.amount,
        reason: create.reason.map(|reason| match reason {
            v1::RefundReason::Duplicate => v2::RefundReason::Duplicate,
            v1::RefundReason::Fraudulent => v2::RefundReason::Fraudulent,
            v1::RefundReason::RequestedByCustomer => v2::RefundReason::RequestedByCustomer,
            v1::RefundReason::Unknown(other) => v2::RefundReason::Unknown(other),
        }),
    }
}

pub fn error(error: v2::Error) -> v1::Error {
    v1::Error {
        code: error.code,
        message: error.message,
        details: error
            .details
            .into_iter()
            .map(|detail| v1::ErrorDetail {
                field: detail.field,
                location: match detail.location {
                    v2::ErrorDetailLocation::Body => v1::ErrorDetailLocation::Body,
                    v2::ErrorDetailLocation::Query => v1::ErrorDetailLocation::Query,
                    v2::ErrorDetailLocation::Path => v1::ErrorDetailLocation::Path,
                    v2::ErrorDetailLocation::Header => v1::ErrorDetailLocation::Header,
                    v2::ErrorDetailLocation::Unknown(other) => {
                        v1::ErrorDetailLocation::Unknown(other)
                    }
                },
                message: detail.message,
                code: detail.code,
            })
            .collect(),
        retry_after: error.retry_after,
    }
}

/// A v2 `Location` (`/v2/...`) as v1's (`/v1/...`): the same length, so
/// the string is changed in place.
pub fn location(mut location: String) -> String {
    if location.starts_with("/v2/") {
        location.replace_range(2..3, "1");
    }
    location
}

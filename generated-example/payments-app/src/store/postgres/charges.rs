//! The charges and refunds of the Postgres store.

use payments_v2_server::types::params::ListChargesParams;
use payments_v2_server::types::{Charge, ChargeCreate, ChargeStatus, Refund, RefundCreate};
use payments_v2_server::CursorPage;

use super::{charge, failed, Db, PostgresStore, CHARGE};
use crate::store::memory::random_id;
use crate::store::{ChargeOutcome, RefundOutcome, StoreError};

impl PostgresStore {
    /// Newest first; the cursor is the last charge's sequence number.
    pub async fn list_charges(
        &self,
        tenant: &str,
        params: &ListChargesParams,
    ) -> Result<CursorPage<Charge>, StoreError> {
        let s = &self.schema;
        let before = params
            .cursor
            .as_deref()
            .and_then(|cursor| cursor.parse::<i64>().ok());
        let status = params.status.as_ref().map(ChargeStatus::as_str);
        let fetch = i64::from(params.limit.max(1)) + 1;
        let connection = self.db(None).await?;
        let rows = connection
            .query(
                &format!(
                    "SELECT seq, {CHARGE} FROM {s}.charges
                     WHERE tenant = $1 AND ($2::bigint IS NULL OR seq < $2)
                       AND ($3::bigint IS NULL OR customer_id = $3)
                       AND ($4::text IS NULL OR status = $4)
                     ORDER BY seq DESC LIMIT $5"
                ),
                &[&tenant, &before, &params.customer_id, &status, &fetch],
            )
            .await
            .map_err(failed)?;
        let has_more = rows.len() as i64 == fetch;
        let page = &rows[..rows.len().min(params.limit.max(1) as usize)];
        Ok(CursorPage {
            next: page
                .last()
                .filter(|_| has_more)
                .map(|row| row.get::<_, i64>(0).to_string()),
            items: page.iter().map(|row| charge(row, 1)).collect(),
        })
    }

    pub async fn create_charge(
        &self,
        db: &Db<'_>,
        tenant: &str,
        create: ChargeCreate,
    ) -> Result<ChargeOutcome, StoreError> {
        let s = &self.schema;
        if let Some(customer) = create.customer_id {
            let exists = db
                .query_opt(
                    &format!("SELECT 1 FROM {s}.users WHERE tenant = $1 AND id = $2"),
                    &[&tenant, &customer],
                )
                .await
                .map_err(failed)?;
            if exists.is_none() {
                return Ok(ChargeOutcome::NoSuchCustomer);
            }
        }
        if create.source == "tok_chargeDeclined" {
            return Ok(ChargeOutcome::Declined);
        }
        let metadata =
            serde_json::to_string(&create.metadata.unwrap_or_default()).map_err(failed)?;
        let row = db
            .query_one(
                &format!(
                    "INSERT INTO {s}.charges (tenant, id, amount, currency, status, source,
                         customer_id, description, metadata, amount_refunded, created_at)
                     VALUES ($1, $2, $3, $4, 'succeeded', $5, $6, $7, $8, 0, now())
                     RETURNING {CHARGE}"
                ),
                &[
                    &tenant,
                    &random_id("ch_").0,
                    &create.amount,
                    &create.currency,
                    &create.source,
                    &create.customer_id,
                    &create.description,
                    &metadata,
                ],
            )
            .await
            .map_err(failed)?;
        Ok(ChargeOutcome::Created(charge(&row, 0)))
    }

    pub async fn charge(&self, tenant: &str, id: &str) -> Result<Option<Charge>, StoreError> {
        let s = &self.schema;
        let connection = self.db(None).await?;
        let row = connection
            .query_opt(
                &format!("SELECT {CHARGE} FROM {s}.charges WHERE tenant = $1 AND id = $2"),
                &[&tenant, &id],
            )
            .await
            .map_err(failed)?;
        Ok(row.map(|row| charge(&row, 0)))
    }

    pub async fn refund(
        &self,
        db: &Db<'_>,
        tenant: &str,
        charge_id: &str,
        create: RefundCreate,
    ) -> Result<RefundOutcome, StoreError> {
        let s = &self.schema;
        db.atomically(async {
            // Locked, so two refunds of one charge cannot both pass the check.
            let Some(row) = db
                .query_opt(
                    &format!(
                        "SELECT amount - amount_refunded FROM {s}.charges
                         WHERE tenant = $1 AND id = $2 FOR UPDATE"
                    ),
                    &[&tenant, &charge_id],
                )
                .await
                .map_err(failed)?
            else {
                return Ok(RefundOutcome::NoSuchCharge);
            };
            let remaining: i64 = row.get(0);
            let amount = create.amount.unwrap_or(remaining);
            if amount > remaining || amount < 1 {
                return Ok(RefundOutcome::TooMuch { remaining });
            }
            db.execute(
                &format!(
                    "UPDATE {s}.charges SET amount_refunded = amount_refunded + $3
                     WHERE tenant = $1 AND id = $2"
                ),
                &[&tenant, &charge_id, &amount],
            )
            .await
            .map_err(failed)?;
            let reason = create.reason.as_ref().map(|reason| reason.as_str());
            let id = random_id("re_").0;
            let row = db
                .query_one(
                    &format!(
                        "INSERT INTO {s}.refunds (id, tenant, charge_id, amount, reason, created_at)
                         VALUES ($1, $2, $3, $4, $5, now()) RETURNING created_at"
                    ),
                    &[&id, &tenant, &charge_id, &amount, &reason],
                )
                .await
                .map_err(failed)?;
            Ok(RefundOutcome::Refunded(Refund {
                id,
                charge_id: charge_id.to_string(),
                amount,
                reason: create.reason,
                created_at: row.get(0),
            }))
        })
        .await
    }
}

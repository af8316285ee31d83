//! The users of the Postgres store, listed in the memory store's orders.

use payments_v2_server::types::{User, UserCreate, UserUpdate};
use payments_v2_server::{CursorPage, Page};
use tokio_postgres::types::ToSql;

use super::{failed, sort_sql, user, Db, PostgresStore, USER};
use crate::store::sort::{Sort, SortKey};
use crate::store::{StoreError, UpdateOutcome};

impl PostgresStore {
    pub async fn users_after(
        &self,
        tenant: &str,
        sort: &str,
        search: Option<&str>,
        cursor: Option<&str>,
        limit: i32,
    ) -> Result<CursorPage<User>, StoreError> {
        let sort = Sort::parse(sort);
        let after = cursor.and_then(|cursor| sort.parse_cursor(cursor));
        let (column, order) = sort_sql(&sort);
        let comparison = if sort.descending { "<" } else { ">" };
        let (key_text, key_time, after_id) = match &after {
            Some((SortKey::Text(text), id)) => (Some(text.to_string()), None, Some(*id)),
            Some((SortKey::Time(micros), id)) => (
                None,
                chrono::DateTime::from_timestamp_micros(*micros),
                Some(*id),
            ),
            None => (None, None, None),
        };
        let key = if column == "created_at" {
            "$4::timestamptz"
        } else {
            "$3::text COLLATE \"C\""
        };
        let sql = format!(
            "SELECT {USER} FROM {s}.users
             WHERE tenant = $1 AND ($2::text IS NULL OR strpos(lower(full_name), lower($2)) > 0)
               AND ($5::bigint IS NULL OR ({column}, id) {comparison} ({key}, $5))
             ORDER BY {column} {order}, id {order} LIMIT $6",
            s = self.schema,
        );
        let connection = self.db(None).await?;
        let fetch = i64::from(limit.max(1)) + 1;
        let params: [&(dyn ToSql + Sync); 6] =
            [&tenant, &search, &key_text, &key_time, &after_id, &fetch];
        let rows = connection.query(&sql, &params).await.map_err(failed)?;
        let mut items: Vec<User> = rows.iter().map(user).collect();
        let has_more = items.len() as i64 == fetch;
        items.truncate(limit.max(1) as usize);
        Ok(CursorPage {
            next: items
                .last()
                .filter(|_| has_more)
                .map(|last| sort.cursor(last)),
            items,
        })
    }

    pub async fn users_page(
        &self,
        tenant: &str,
        sort: &str,
        search: Option<&str>,
        page: i32,
        per_page: i32,
    ) -> Result<Page<User>, StoreError> {
        let sort = Sort::parse(sort);
        let (column, order) = sort_sql(&sort);
        let filter =
            "tenant = $1 AND ($2::text IS NULL OR strpos(lower(full_name), lower($2)) > 0)";
        let s = &self.schema;
        let sql = format!(
            "SELECT {USER} FROM {s}.users WHERE {filter}
             ORDER BY {column} {order}, id {order} LIMIT $3 OFFSET $4"
        );
        let per_page = i64::from(per_page.max(1));
        let offset = i64::from(page.max(1) - 1) * per_page;
        let connection = self.db(None).await?;
        let rows = connection
            .query(&sql, &[&tenant, &search, &per_page, &offset])
            .await
            .map_err(failed)?;
        let total: i64 = connection
            .query_one(
                &format!("SELECT count(*) FROM {s}.users WHERE {filter}"),
                &[&tenant, &search],
            )
            .await
            .map_err(failed)?
            .get(0);
        Ok(Page {
            items: rows.iter().map(user).collect(),
            total: total as u64,
        })
    }

    pub async fn create_user(
        &self,
        db: &Db<'_>,
        tenant: &str,
        create: UserCreate,
    ) -> Result<Option<User>, StoreError> {
        let s = &self.schema;
        db.atomically(async {
            let taken = db
                .query_opt(
                    &format!("SELECT 1 FROM {s}.users WHERE tenant = $1 AND email = $2"),
                    &[&tenant, &create.email],
                )
                .await
                .map_err(failed)?;
            if taken.is_some() {
                return Ok(None);
            }
            let id: i64 = db
                .query_one(
                    &format!(
                        "INSERT INTO {s}.user_ids (tenant, last_id) VALUES ($1, 1)
                         ON CONFLICT (tenant) DO UPDATE SET last_id = {s}.user_ids.last_id + 1
                         RETURNING last_id"
                    ),
                    &[&tenant],
                )
                .await
                .map_err(failed)?
                .get(0);
            let row = db
                .query_one(
                    &format!(
                        "INSERT INTO {s}.users (tenant, id, full_name, email, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, now(), now()) RETURNING {USER}"
                    ),
                    &[&tenant, &id, &create.full_name, &create.email],
                )
                .await
                .map_err(failed)?;
            Ok(Some(user(&row)))
        })
        .await
    }

    pub async fn user(&self, tenant: &str, id: i64) -> Result<Option<User>, StoreError> {
        let s = &self.schema;
        let connection = self.db(None).await?;
        let row = connection
            .query_opt(
                &format!("SELECT {USER} FROM {s}.users WHERE tenant = $1 AND id = $2"),
                &[&tenant, &id],
            )
            .await
            .map_err(failed)?;
        Ok(row.as_ref().map(user))
    }

    pub async fn update_user(
        &self,
        db: &Db<'_>,
        tenant: &str,
        id: i64,
        update: UserUpdate,
    ) -> Result<UpdateOutcome, StoreError> {
        let s = &self.schema;
        db.atomically(async {
            if let Some(email) = &update.email {
                let taken = db
                    .query_opt(
                        &format!(
                            "SELECT 1 FROM {s}.users WHERE tenant = $1 AND email = $2 AND id <> $3"
                        ),
                        &[&tenant, email, &id],
                    )
                    .await
                    .map_err(failed)?;
                if taken.is_some() {
                    return Ok(UpdateOutcome::EmailTaken);
                }
            }
            let row = db
                .query_opt(
                    &format!(
                        "UPDATE {s}.users SET full_name = coalesce($3, full_name),
                             email = coalesce($4, email), updated_at = now()
                         WHERE tenant = $1 AND id = $2 RETURNING {USER}"
                    ),
                    &[&tenant, &id, &update.full_name, &update.email],
                )
                .await
                .map_err(failed)?;
            Ok(match row {
                Some(row) => UpdateOutcome::Updated(user(&row)),
                None => UpdateOutcome::NotFound,
            })
        })
        .await
    }

    pub async fn delete_user(&self, tenant: &str, id: i64) -> Result<bool, StoreError> {
        let s = &self.schema;
        let connection = self.db(None).await?;
        let deleted = connection
            .execute(
                &format!("DELETE FROM {s}.users WHERE tenant = $1 AND id = $2"),
                &[&tenant, &id],
            )
            .await
            .map_err(failed)?;
        Ok(deleted == 1)
    }
}

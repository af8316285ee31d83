//! Users, charges and refunds in memory, one set per tenant: the default
//! store, lost on restart.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, MutexGuard};

use chrono::Utc;
use payments_v2_server::types::params::ListChargesParams;
use payments_v2_server::types::{
    Charge, ChargeCreate, ChargeStatus, Refund, RefundCreate, User, UserCreate, UserUpdate,
};
use payments_v2_server::{CursorPage, Page};

use super::sort::Sort;
use super::{ChargeOutcome, RefundOutcome, UpdateOutcome};

/// Every tenant's data behind one lock: requests are short, and this keeps
/// each operation atomic.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tenants: Mutex<HashMap<String, TenantData>>,
}

#[derive(Debug, Default)]
struct TenantData {
    users: BTreeMap<i64, User>,
    next_user_id: i64,
    /// In creation order: the charge at index `i` has sequence number
    /// `i + 1`, its cursor position.
    charges: Vec<Charge>,
    /// Each charge's index in `charges`, by the random bits of its id.
    charge_index: HashMap<u128, usize, BuildHasherDefault<RandomBits>>,
}

impl TenantData {
    fn charge_mut(&mut self, id: &str) -> Option<&mut Charge> {
        let bits = id
            .strip_prefix("ch_")
            .and_then(|hex| u128::from_str_radix(hex, 16).ok())?;
        let index = *self.charge_index.get(&bits)?;
        // Other spellings of the same number (`CH_`, upper case) are not the id.
        self.charges.get_mut(index).filter(|charge| charge.id == id)
    }
}

/// A hasher for ids' random bits, which need no hashing: a lookup hashes no
/// text, and growing the index moves numbers instead of rehashing strings
/// (with std's SipHash over the ids, each doubling of an index of a million
/// charges held the tenant's lock for tens of milliseconds).
#[derive(Default)]
struct RandomBits(u64);

impl Hasher for RandomBits {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u128` is used; anything else still spreads.
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u128(&mut self, bits: u128) {
        // The low 64 of the 96 bits: all random but a UUID's version and
        // variant, which sit in the middle, away from the bits the map uses.
        self.0 = bits as u64;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl MemoryStore {
    /// The data of one tenant, locked for the duration of one operation.
    pub fn tenant<'a>(&'a self, key: &'a str) -> TenantRef<'a> {
        TenantRef {
            // A panic while holding the lock leaves consistent data (every
            // operation changes it in one step), so a poisoned lock is usable.
            guard: self
                .tenants
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
            key,
        }
    }
}

pub struct TenantRef<'a> {
    guard: MutexGuard<'a, HashMap<String, TenantData>>,
    key: &'a str,
}

/// A random id such as `ch_` followed by 24 hexadecimal digits, and the
/// 96 random bits they spell.
pub(super) fn random_id(prefix: &str) -> (String, u128) {
    let uuid = uuid::Uuid::new_v4();
    let mut buffer = uuid::Uuid::encode_buffer();
    let hex = uuid.simple().encode_lower(&mut buffer);
    ([prefix, &hex[..24]].concat(), uuid.as_u128() >> 32)
}

impl TenantRef<'_> {
    fn data(&mut self) -> &mut TenantData {
        // Looked up by `&str` first: a tenant's first request is the only
        // one that pays for its key.
        if !self.guard.contains_key(self.key) {
            self.guard
                .insert(self.key.to_string(), TenantData::default());
        }
        self.guard.get_mut(self.key).expect("inserted above")
    }

    /// The users whose full name contains `search` (ignoring case), in
    /// `sort`'s order.
    fn users(&mut self, sort: &Sort<'_>, search: Option<&str>) -> Vec<User> {
        let search = search.map(str::to_lowercase);
        let mut users: Vec<User> = self
            .data()
            .users
            .values()
            .filter(|user| {
                search
                    .as_ref()
                    .is_none_or(|term| user.full_name.to_lowercase().contains(term))
            })
            .cloned()
            .collect();
        users.sort_by(|a, b| sort.compare((&sort.key(a), a.id), (&sort.key(b), b.id)));
        users
    }

    /// One page of users after `cursor` (v2). The cursor is the last user
    /// returned, by id and sort key, so users created or deleted during a
    /// walk never make it skip or repeat one.
    pub fn users_after(
        mut self,
        sort: &str,
        search: Option<&str>,
        cursor: Option<&str>,
        limit: i32,
    ) -> CursorPage<User> {
        let sort = Sort::parse(sort);
        let after = cursor.and_then(|cursor| sort.parse_cursor(cursor));
        let limit = usize::try_from(limit).unwrap_or(1);
        let mut matching = self.users(&sort, search).into_iter().filter(|user| {
            after.as_ref().is_none_or(|(key, id)| {
                sort.compare((&sort.key(user), user.id), (key, *id)) == Ordering::Greater
            })
        });
        let items: Vec<User> = matching.by_ref().take(limit).collect();
        let has_more = matching.next().is_some();
        CursorPage {
            next: items
                .last()
                .filter(|_| has_more)
                .map(|last| sort.cursor(last)),
            items,
        }
    }

    /// Page `page` (from 1) of `per_page` users, and how many there are (v1).
    pub fn users_page(
        mut self,
        sort: &str,
        search: Option<&str>,
        page: i32,
        per_page: i32,
    ) -> Page<User> {
        let users = self.users(&Sort::parse(sort), search);
        let total = users.len() as u64;
        let per_page = usize::try_from(per_page).unwrap_or(1);
        let skip = usize::try_from(page - 1)
            .unwrap_or(0)
            .saturating_mul(per_page);
        Page {
            items: users.into_iter().skip(skip).take(per_page).collect(),
            total,
        }
    }

    pub fn create_user(mut self, create: UserCreate) -> Option<User> {
        let data = self.data();
        if data.users.values().any(|user| user.email == create.email) {
            return None;
        }
        data.next_user_id += 1;
        let now = Utc::now();
        let user = User {
            id: data.next_user_id,
            full_name: create.full_name,
            email: create.email,
            created_at: now,
            updated_at: now,
        };
        data.users.insert(user.id, user.clone());
        Some(user)
    }

    pub fn user(mut self, id: i64) -> Option<User> {
        self.data().users.get(&id).cloned()
    }

    pub fn update_user(mut self, id: i64, update: UserUpdate) -> UpdateOutcome {
        let data = self.data();
        if let Some(email) = &update.email {
            if data
                .users
                .values()
                .any(|user| user.id != id && &user.email == email)
            {
                return UpdateOutcome::EmailTaken;
            }
        }
        let Some(user) = data.users.get_mut(&id) else {
            return UpdateOutcome::NotFound;
        };
        if let Some(full_name) = update.full_name {
            user.full_name = full_name;
        }
        if let Some(email) = update.email {
            user.email = email;
        }
        user.updated_at = Utc::now();
        UpdateOutcome::Updated(user.clone())
    }

    pub fn delete_user(mut self, id: i64) -> bool {
        self.data().users.remove(&id).is_some()
    }

    /// Newest first. The cursor is the sequence number of the last charge
    /// returned, so charges created during a walk never shift its pages.
    pub fn list_charges(mut self, params: &ListChargesParams) -> CursorPage<Charge> {
        let before = params.cursor.as_deref().and_then(|c| c.parse::<u64>().ok());
        let limit = usize::try_from(params.limit).unwrap_or(1);
        let charges = &self.data().charges;
        // Sequence numbers are positions, so a page starts where its cursor
        // points instead of scanning down to it.
        let end = before.map_or(charges.len(), |before| {
            usize::try_from(before.saturating_sub(1))
                .map_or(charges.len(), |end| end.min(charges.len()))
        });
        let mut matching = charges[..end]
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, charge)| {
                params
                    .customer_id
                    .is_none_or(|id| charge.customer_id == Some(id))
            })
            .filter(|(_, charge)| {
                params
                    .status
                    .as_ref()
                    .is_none_or(|status| &charge.status == status)
            });
        let page: Vec<(usize, &Charge)> = matching.by_ref().take(limit).collect();
        let has_more = matching.next().is_some();
        CursorPage {
            next: page
                .last()
                .filter(|_| has_more)
                .map(|(index, _)| (index + 1).to_string()),
            items: page.into_iter().map(|(_, charge)| charge.clone()).collect(),
        }
    }

    pub fn create_charge(mut self, create: ChargeCreate) -> ChargeOutcome {
        let data = self.data();
        if let Some(customer) = create.customer_id {
            if !data.users.contains_key(&customer) {
                return ChargeOutcome::NoSuchCustomer;
            }
        }
        if create.source == "tok_chargeDeclined" {
            return ChargeOutcome::Declined;
        }
        let (id, bits) = random_id("ch_");
        let charge = Charge {
            id,
            amount: create.amount,
            currency: create.currency,
            status: ChargeStatus::Succeeded,
            source: create.source,
            customer_id: create.customer_id,
            description: create.description,
            metadata: create.metadata.unwrap_or_default(),
            amount_refunded: 0,
            refunded: false,
            created_at: Utc::now(),
        };
        data.charge_index.insert(bits, data.charges.len());
        data.charges.push(charge.clone());
        ChargeOutcome::Created(charge)
    }

    pub fn charge(mut self, id: &str) -> Option<Charge> {
        self.data().charge_mut(id).map(|charge| charge.clone())
    }

    pub fn refund(mut self, charge_id: &str, create: RefundCreate) -> RefundOutcome {
        let Some(charge) = self.data().charge_mut(charge_id) else {
            return RefundOutcome::NoSuchCharge;
        };
        let remaining = charge.amount - charge.amount_refunded;
        let amount = create.amount.unwrap_or(remaining);
        if amount > remaining || amount < 1 {
            return RefundOutcome::TooMuch { remaining };
        }
        charge.amount_refunded += amount;
        charge.refunded = charge.amount_refunded == charge.amount;
        RefundOutcome::Refunded(Refund {
            id: random_id("re_").0,
            charge_id: charge.id.clone(),
            amount,
            reason: create.reason,
            created_at: Utc::now(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(store: &MemoryStore, tenant: &str) -> Charge {
        let create = ChargeCreate {
            amount: 1000,
            currency: "USD".to_string(),
            source: "tok_visa".to_string(),
            customer_id: None,
            description: None,
            metadata: None,
        };
        match store.tenant(tenant).create_charge(create) {
            ChargeOutcome::Created(charge) => charge,
            _ => panic!("the charge was not created"),
        }
    }

    #[test]
    fn charges_are_found_by_their_exact_id_and_tenant_only() {
        let store = MemoryStore::default();
        let charges: Vec<Charge> = (0..100).map(|_| charge(&store, "a")).collect();
        let other = charge(&store, "b");
        for created in &charges {
            assert_eq!(
                store.tenant("a").charge(&created.id).as_ref(),
                Some(created)
            );
            // The same number spelled otherwise is not the id.
            let upper = format!("ch_{}", created.id[3..].to_uppercase());
            if upper != created.id {
                assert_eq!(store.tenant("a").charge(&upper), None);
            }
            assert_eq!(store.tenant("b").charge(&created.id), None);
        }
        assert_eq!(store.tenant("a").charge(&other.id), None);
        for id in [
            "",
            "ch_",
            "ch_zz",
            "re_0123456789abcdef01234567",
            "ch_+0123456789abcdef0123456",
        ] {
            assert_eq!(store.tenant("a").charge(id), None, "{id}");
        }
    }
}

//! Which master key sealed how many stored values, so an operator deletes
//! an old key only when nothing needs it any more (`tenantry keys status`).

use crate::backend::db;
use crate::backend::db::Db;
use crate::error::AppError;
use std::collections::BTreeMap;

/// Every column that holds sealed values, as the report names them.
const PLACES: &[(&str, &str, &str)] = &[
    ("registrations", "secret_sealed", "registration credentials"),
    (
        "registrations",
        "pending_key_sealed",
        "renewal keys waiting to be switched to",
    ),
    (
        "onboarding_links",
        "secret_sealed",
        "unfinished onboarding links",
    ),
    ("users", "secret_sealed", "second factors"),
    ("users", "mfa_pending_sealed", "second factors being set up"),
];

/// Key id → (what, how many) for every sealed value stored.
pub async fn count_by_key(
    pool: &Db,
) -> Result<BTreeMap<String, Vec<(&'static str, usize)>>, AppError> {
    let mut counts: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for (table, column, what) in PLACES {
        let values: Vec<(String,)> = crate::on_db!(pool, |c| sqlx::query_as(&format!(
            "SELECT {column} FROM {table} WHERE {column} IS NOT NULL"
        ))
        .fetch_all(c)
        .await)
        .map_err(db("could not read sealed values"))?;
        for (sealed,) in values {
            // `v1.<key id>.<nonce>.<ciphertext>`
            let key = sealed.split('.').nth(1).unwrap_or("unreadable").to_owned();
            *counts.entry(key).or_default().entry(what).or_default() += 1;
        }
    }
    Ok(counts
        .into_iter()
        .map(|(key, places)| (key, places.into_iter().collect()))
        .collect())
}

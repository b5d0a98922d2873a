//! Organisation API tokens as the admin page shows them: never the token
//! itself, except once in `ApiTokenCreated`.

use crate::ids::ApiTokenId;
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiTokenForm {
    pub name: String,
    /// `read`, `write`, `checks`.
    pub scopes: Vec<String>,
    /// Blank for a token that lasts until revoked.
    pub expires_in_days: String,
}

/// The one answer that carries the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenCreated {
    pub id: ApiTokenId,
    pub name: String,
    pub token: String,
    pub expires_at: Option<Timestamp>,
}

impl std::fmt::Debug for ApiTokenCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiTokenCreated")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: ApiTokenId,
    pub name: String,
    pub scopes: Vec<String>,
    /// The admin who made it, whose rights it acts with.
    pub created_by: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<Timestamp>,
    /// Neither revoked nor expired.
    pub active: bool,
}

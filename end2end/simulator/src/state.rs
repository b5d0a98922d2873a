//! What the simulated directory holds. Times are Unix seconds.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tenant {
    pub id: String,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default = "default_tenant_name")]
    pub display_name: String,
    #[serde(default = "default_cloud")]
    pub cloud: crate::microsoft::Cloud,
}

fn default_tenant_name() -> String {
    "Simulated tenant".into()
}

fn default_cloud() -> crate::microsoft::Cloud {
    crate::microsoft::Cloud::Global
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Secret {
    pub value: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Certificate {
    /// DER, base64 (standard alphabet) in JSON.
    pub der_base64: String,
    #[serde(skip)]
    pub sha1: String,
    #[serde(skip)]
    pub sha256: String,
    #[serde(skip)]
    pub public_key_der: Vec<u8>,
    #[serde(skip)]
    pub not_after: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct App {
    pub tenant_id: String,
    pub client_id: String,
    pub object_id: String,
    pub display_name: String,
    pub created_at: i64,
    #[serde(default)]
    pub secrets: Vec<Secret>,
    #[serde(default)]
    pub certificates: Vec<Certificate>,
    /// Application permissions (by name) an admin has consented to.
    #[serde(default)]
    pub roles: BTreeSet<String>,
    /// Granted, but Graph still refuses them (licence missing, propagation).
    #[serde(default)]
    pub ineffective: BTreeSet<String>,
    #[serde(default)]
    pub disabled: bool,
    /// The registration exists but has no service principal (enterprise
    /// application) in its tenant, as after `az ad app create` alone.
    #[serde(default)]
    pub without_service_principal: bool,
    /// `isFallbackPublicClient`: Entra treats the app as a public client,
    /// which may present no secret or assertion.
    #[serde(default)]
    pub fallback_public_client: bool,
    /// Application permissions the registration asks for (its API
    /// permissions); admin consent grants these.
    #[serde(default)]
    pub requested: BTreeSet<String>,
    /// Web redirect URIs; admin consent sends the admin back only to one.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// An Exchange application access policy: the only mailboxes the app
    /// may send as with Mail.Send (None: every mailbox of the tenant).
    #[serde(default)]
    pub mailboxes: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: String,
    pub tenant_id: String,
    pub activity: String,
    pub at: i64,
    pub target_object_id: String,
    pub target_app_id: String,
    pub target_name: String,
    /// The user principal name of the person who made the change.
    #[serde(default = "default_initiator")]
    pub initiated_by: String,
    /// The user's object id; a stable one is made up when absent.
    #[serde(default = "new_id")]
    pub initiator_id: String,
    /// Set when an application made the change instead of a person: its
    /// display name (the log then names no user).
    #[serde(default)]
    pub initiated_by_app: Option<String>,
    /// `success`, `failure` or `timeout`, as Microsoft logs them.
    #[serde(default = "default_result")]
    pub result: String,
    /// Hidden from `directoryAudits` until this instant (a lagging log),
    /// on top of the directory-wide delay.
    #[serde(default)]
    pub visible_at: Option<i64>,
    /// For `Add app role assignment to service principal`: the application
    /// permission granted to the app (`AppRole.Value`). Microsoft then names
    /// Microsoft Graph's service principal as the target, and the app only
    /// in the modified properties.
    #[serde(default)]
    pub granted_role: Option<String>,
    /// The granted role's GUID, when it is not Microsoft Graph's role of
    /// that name (a role of the same name on another API).
    #[serde(default)]
    pub granted_role_id: Option<String>,
}

fn default_initiator() -> String {
    "admin@simulated.example".into()
}

fn default_result() -> String {
    "success".into()
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Every matching request waits this long first.
    Latency { ms: u64 },
    /// Answer with this status (429 and 503 carry `Retry-After`).
    Status {
        code: u16,
        retry_after_secs: Option<u64>,
    },
    /// Never answer in time.
    Timeout,
    /// Answer 200 with a body that is not JSON.
    Malformed,
    /// Issue a token that is not a JWT.
    GarbledToken,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultScope {
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    /// `token` or `graph`; both when absent.
    pub endpoint: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fault {
    #[serde(default)]
    pub scope: FaultScope,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many requests it applies to; forever when absent.
    pub times: Option<u32>,
}

/// A whole scenario, as read from a file or posted to the admin API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Scenario {
    #[serde(default)]
    pub tenants: Vec<Tenant>,
    #[serde(default)]
    pub apps: Vec<NewApp>,
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Seconds before a new audit event shows up in `directoryAudits`.
    #[serde(default)]
    pub audit_delay_secs: i64,
    #[serde(default)]
    pub audit_page_size: Option<usize>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewApp {
    pub tenant_id: String,
    pub client_id: Option<String>,
    pub object_id: Option<String>,
    pub display_name: Option<String>,
    pub created_at: Option<i64>,
    #[serde(default)]
    pub secrets: Vec<Secret>,
    #[serde(default)]
    pub certificates_pem: Vec<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub ineffective: Vec<String>,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub requested: Vec<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Who the audit log says created the app: a user principal name
    /// (the default administrator when absent)…
    #[serde(default)]
    pub created_by: Option<String>,
    /// …or an application, by display name.
    #[serde(default)]
    pub created_by_app: Option<String>,
    /// Who granted the app's roles with admin consent (a user principal
    /// name): the creator when absent, or the default administrator when
    /// an application created it.
    #[serde(default)]
    pub consented_by: Option<String>,
    /// The creation shows up in the audit log only this many seconds after
    /// the app is added.
    #[serde(default)]
    pub creation_visible_after_secs: Option<i64>,
}

/// Everything the simulator knows. Apps and audit events are indexed, so a
/// request costs the same with ten apps or ten thousand: the benchmark
/// measures Tenantry, not this double.
#[derive(Debug, Default)]
pub struct Directory {
    pub tenants: Vec<Tenant>,
    apps: Vec<App>,
    /// Lower-cased client id → position in `apps`.
    app_index: HashMap<String, usize>,
    audit: Vec<AuditEvent>,
    /// Tenant id → positions in `audit`, oldest first.
    audit_by_tenant: HashMap<String, Vec<usize>>,
    pub faults: Vec<Fault>,
    pub audit_delay_secs: i64,
    /// At most this many audit events per page, whatever `$top` asks
    /// (Microsoft may return fewer than asked).
    pub audit_page_size: Option<usize>,
    pub token_requests: u64,
    pub graph_requests: u64,
    /// Messages sent through `sendMail`, oldest first.
    pub sent_mail: Vec<SentMail>,
}

/// One message an app sent as a mailbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentMail {
    pub tenant_id: String,
    pub client_id: String,
    pub mailbox: String,
    pub to: Vec<String>,
    pub subject: String,
    pub content_type: String,
    pub body: String,
}

impl Directory {
    pub fn tenant(&self, reference: &str) -> Option<&Tenant> {
        let wanted = reference.to_ascii_lowercase();
        self.tenants
            .iter()
            .find(|t| t.id == wanted || t.domains.iter().any(|d| d.eq_ignore_ascii_case(&wanted)))
    }

    pub fn app(&self, client_id: &str) -> Option<&App> {
        let at = *self.app_index.get(&client_id.to_ascii_lowercase())?;
        self.apps.get(at)
    }

    pub fn app_mut(&mut self, client_id: &str) -> Option<&mut App> {
        let at = *self.app_index.get(&client_id.to_ascii_lowercase())?;
        self.apps.get_mut(at)
    }

    /// The app `client_id` of tenant `tenant_id`.
    pub fn app_in(&self, tenant_id: &str, client_id: &str) -> Option<&App> {
        self.app(client_id).filter(|app| app.tenant_id == tenant_id)
    }

    /// Adds an app, replacing one with the same client id.
    pub fn add_app(&mut self, app: App) {
        let key = app.client_id.to_ascii_lowercase();
        match self.app_index.get(&key) {
            Some(&at) => self.apps[at] = app,
            None => {
                self.app_index.insert(key, self.apps.len());
                self.apps.push(app);
            }
        }
    }

    pub fn record(&mut self, event: AuditEvent) {
        let positions = self
            .audit_by_tenant
            .entry(event.tenant_id.clone())
            .or_default();
        let events = &self.audit;
        // Kept in time order, also when a scenario backdates an event.
        let slot = positions.partition_point(|&i| events[i].at <= event.at);
        positions.insert(slot, self.audit.len());
        self.audit.push(event);
    }

    /// Makes every held-back audit event visible now.
    pub fn reveal_audit(&mut self) {
        for event in &mut self.audit {
            event.visible_at = None;
        }
    }

    /// A tenant's audit events, newest first.
    pub fn audit_of<'a>(&'a self, tenant_id: &str) -> impl Iterator<Item = &'a AuditEvent> + 'a {
        self.audit_by_tenant
            .get(tenant_id)
            .into_iter()
            .flat_map(|positions| positions.iter().rev())
            .map(|&i| &self.audit[i])
    }
}

/// Short ways to write the scenarios tests start from.
impl Tenant {
    /// A tenant in the global cloud with one domain.
    pub fn global(id: &str, domain: &str, display_name: &str) -> Tenant {
        Tenant {
            id: id.into(),
            domains: vec![domain.into()],
            display_name: display_name.into(),
            cloud: crate::microsoft::Cloud::Global,
        }
    }
}

impl NewApp {
    /// An app with one client secret that expires in `days` days, and
    /// admin consent for `roles`.
    pub fn with_secret(
        tenant_id: &str,
        client_id: &str,
        secret: &str,
        days: i64,
        roles: &[&str],
    ) -> NewApp {
        NewApp {
            tenant_id: tenant_id.into(),
            client_id: Some(client_id.into()),
            secrets: vec![Secret {
                value: secret.into(),
                expires_at: crate::now() + days * 86_400,
            }],
            roles: roles.iter().map(|r| r.to_string()).collect(),
            ..NewApp::default()
        }
    }
}

impl Scenario {
    pub fn of(tenants: Vec<Tenant>, apps: Vec<NewApp>) -> Scenario {
        Scenario {
            tenants,
            apps,
            ..Scenario::default()
        }
    }
}

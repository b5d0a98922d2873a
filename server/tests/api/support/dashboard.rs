//! A small fleet of customer tenants in the Entra simulator, each
//! registration in a different state, and ways to read the dashboard.

use super::onboarding::in_days;
use super::{spawn_app_with, TestApp};
use app::model::DashboardView;
use domain::evaluation::Status;
use entra_simulator::state::{NewApp, Scenario, Tenant};
use entra_simulator::Simulator;
use reqwest::{Client, StatusCode};
use std::collections::HashMap;

const SECRET: &str = "Fleet~Secret.Value_0123456789abcdef";
pub const EXTRA: &str = "Directory.ReadWrite.All";

/// One registration of the fleet: tenant name, cloud, Microsoft's ids,
/// roles consented in the simulator (None: the app is not there), the
/// secret Tenantry is given and when Tenantry believes it expires.
struct Member {
    key: &'static str,
    tenant: &'static str,
    cloud: &'static str,
    tenant_id: &'static str,
    client_id: &'static str,
    roles: Option<&'static [&'static str]>,
    secret: &'static str,
    expires_in_days: i64,
}

const MEMBERS: [Member; 7] = [
    Member {
        key: "adatum",
        tenant: "Adatum",
        cloud: "global",
        tenant_id: "a0000000-0000-0000-0000-000000000001",
        client_id: "c0000000-0000-0000-0000-000000000001",
        roles: Some(&["Mail.Send"]),
        secret: SECRET,
        expires_in_days: 200,
    },
    Member {
        key: "contoso-extra",
        tenant: "Contoso",
        cloud: "global",
        tenant_id: "a0000000-0000-0000-0000-000000000002",
        client_id: "c0000000-0000-0000-0000-000000000002",
        roles: Some(&["Mail.Send", EXTRA]),
        secret: SECRET,
        expires_in_days: 200,
    },
    Member {
        key: "contoso-consent",
        tenant: "Contoso",
        cloud: "global",
        tenant_id: "a0000000-0000-0000-0000-000000000002",
        client_id: "c0000000-0000-0000-0000-000000000003",
        roles: Some(&[]),
        secret: SECRET,
        expires_in_days: 200,
    },
    Member {
        key: "fabrikam",
        tenant: "Fabrikam",
        cloud: "global",
        tenant_id: "a0000000-0000-0000-0000-000000000004",
        client_id: "c0000000-0000-0000-0000-000000000004",
        roles: Some(&["Mail.Send"]),
        secret: "Not~The.Secret_Microsoft_Issued_000",
        expires_in_days: 200,
    },
    Member {
        key: "litware",
        tenant: "Litware",
        cloud: "global",
        tenant_id: "a0000000-0000-0000-0000-000000000005",
        client_id: "c0000000-0000-0000-0000-000000000005",
        roles: Some(&["Mail.Send", EXTRA]),
        secret: SECRET,
        expires_in_days: 10,
    },
    Member {
        key: "northwind",
        tenant: "Northwind Traders",
        cloud: "global",
        tenant_id: "a0000000-0000-0000-0000-000000000006",
        client_id: "c0000000-0000-0000-0000-000000000006",
        roles: Some(&["Mail.Send"]),
        secret: SECRET,
        expires_in_days: 200,
    },
    Member {
        key: "tailspin",
        tenant: "Tailspin",
        cloud: "gcc-high",
        tenant_id: "a0000000-0000-0000-0000-000000000007",
        client_id: "c0000000-0000-0000-0000-000000000007",
        roles: None,
        secret: SECRET,
        expires_in_days: 100,
    },
];

pub struct Fleet {
    pub app: TestApp,
    pub staff: Client,
    sim: Option<Simulator>,
    /// Registration ids by member key.
    pub registrations: HashMap<&'static str, String>,
    /// Customer tenant ids by name.
    pub tenants: HashMap<&'static str, String>,
}

/// Every member recorded by Northwind IT's admin; all but Tailspin
/// checked once, Northwind Traders while Microsoft answers 503 for it.
/// Standing: Adatum healthy; Contoso one warning (extra permission) and
/// one failing (no consent); Fabrikam failing (wrong secret); Litware
/// warning (secret expires in 10 days, extra permission); Northwind
/// Traders could not check; Tailspin never checked.
pub async fn fleet() -> Fleet {
    fleet_with(&[]).await
}

/// The same fleet on a server with more settings.
pub async fn fleet_with(extra: &[(&'static str, String)]) -> Fleet {
    let mut tenants: Vec<Tenant> = Vec::new();
    let mut apps = Vec::new();
    for member in MEMBERS.iter().filter(|m| m.roles.is_some()) {
        if !tenants.iter().any(|t| t.id == member.tenant_id) {
            tenants.push(Tenant::global(
                member.tenant_id,
                &format!("{}.example", member.key),
                member.tenant,
            ));
        }
        apps.push(NewApp::with_secret(
            member.tenant_id,
            member.client_id,
            SECRET,
            365,
            member.roles.unwrap_or_default(),
        ));
    }
    let sim = entra_simulator::spawn("127.0.0.1:0".parse().unwrap(), Scenario::of(tenants, apps))
        .await
        .expect("simulator starts");
    let mut settings = vec![
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_CHECK_INTERVAL_HOURS", "1".to_owned()),
    ];
    settings.extend(extra.iter().cloned());
    let app = spawn_app_with(&settings).await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    super::watch::admin(
        &sim,
        "/_admin/faults",
        serde_json::json!({"scope": {"tenant_id": MEMBERS[5].tenant_id, "endpoint": "token"}, "kind": "status", "code": 503}),
    )
    .await;
    let mut fleet = Fleet {
        app,
        staff,
        sim: Some(sim),
        registrations: HashMap::new(),
        tenants: HashMap::new(),
    };
    for member in &MEMBERS {
        let tenant = match fleet.tenants.get(member.tenant) {
            Some(id) => id.clone(),
            None => {
                let id = fleet
                    .add_tenant(member.tenant, member.tenant_id, member.cloud)
                    .await;
                fleet.tenants.insert(member.tenant, id.clone());
                id
            }
        };
        let registration = fleet
            .add_registration(
                &tenant,
                member.client_id,
                member.secret,
                member.expires_in_days,
            )
            .await;
        if member.roles.is_some() {
            fleet.check(&registration).await;
        }
        fleet.registrations.insert(member.key, registration);
    }
    fleet
}

impl Fleet {
    /// A fleet of the test's own making, in `sim`.
    pub fn with_microsoft(app: TestApp, staff: Client, sim: Simulator) -> Fleet {
        Fleet {
            app,
            staff,
            sim: Some(sim),
            registrations: HashMap::new(),
            tenants: HashMap::new(),
        }
    }

    /// Tenants and registrations recorded without ever asking Microsoft.
    pub fn without_microsoft(app: TestApp, staff: Client) -> Fleet {
        Fleet {
            app,
            staff,
            sim: None,
            registrations: HashMap::new(),
            tenants: HashMap::new(),
        }
    }

    /// A customer's admin grants the member's app these application
    /// permissions in Microsoft (the simulator).
    pub async fn grant(&self, key: &str, roles: &[&str]) {
        let member = MEMBERS
            .iter()
            .find(|member| member.key == key)
            .expect("a member of the fleet");
        super::watch::admin(
            self.sim(),
            &format!("/_admin/apps/{}/roles", member.client_id),
            serde_json::json!({ "grant": roles }),
        )
        .await;
    }

    /// A customer's admin takes these application permissions back.
    pub async fn revoke(&self, key: &str, roles: &[&str]) {
        let member = MEMBERS
            .iter()
            .find(|member| member.key == key)
            .expect("a member of the fleet");
        super::watch::admin(
            self.sim(),
            &format!("/_admin/apps/{}/roles", member.client_id),
            serde_json::json!({ "revoke": roles }),
        )
        .await;
    }

    pub fn sim(&self) -> &Simulator {
        self.sim.as_ref().expect("a fleet with Microsoft")
    }

    pub async fn add_tenant(&self, name: &str, tenant_id: &str, cloud: &str) -> String {
        let contacts = format!("it@{}.example", name.to_lowercase().replace(' ', "-"));
        let form = [
            ("form[display_name]", name),
            ("form[tenant_id]", tenant_id),
            ("form[primary_domain]", ""),
            ("form[cloud]", cloud),
            ("form[contacts]", contacts.as_str()),
            ("form[notes]", ""),
        ];
        let response = self.app.call(&self.staff, "create_tenant", &form).await;
        assert_eq!(response.status(), StatusCode::OK, "tenant {name} saved");
        response.json().await.unwrap()
    }

    pub async fn add_registration(
        &self,
        tenant: &str,
        client_id: &str,
        secret: &str,
        expires_in_days: i64,
    ) -> String {
        self.add_registration_with(tenant, client_id, secret, &in_days(expires_in_days))
            .await
    }

    /// A registration whose secret expires at midnight UTC of `date`.
    pub async fn add_registration_expiring(
        &self,
        tenant: &str,
        client_id: &str,
        date: &str,
    ) -> String {
        self.add_registration_with(tenant, client_id, SECRET, date)
            .await
    }

    async fn add_registration_with(
        &self,
        tenant: &str,
        client_id: &str,
        secret: &str,
        expires: &str,
    ) -> String {
        let response = self
            .app
            .call(
                &self.staff,
                "add_registration",
                &[
                    ("customer_tenant_id", tenant),
                    ("form[profiles]", "email"),
                    ("form[client_id]", client_id),
                    ("form[secret]", secret),
                    ("form[secret_expires]", expires),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn check(&self, registration: &str) -> Status {
        let response = self
            .app
            .call(
                &self.staff,
                "check_registration",
                &[("registration_id", registration)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub fn id(&self, key: &str) -> String {
        self.registrations[key].clone()
    }

    /// The dashboard as `client` sees it with the URL query `pairs`.
    pub async fn dashboard_as(&self, client: &Client, pairs: &[(&str, &str)]) -> DashboardView {
        let form: Vec<(String, &str)> = pairs
            .iter()
            .map(|(name, value)| (format!("query[{name}]"), *value))
            .collect();
        let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        let response = self.app.call(client, "load_dashboard", &form).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("a dashboard")
    }

    pub async fn dashboard(&self, pairs: &[(&str, &str)]) -> DashboardView {
        self.dashboard_as(&self.staff, pairs).await
    }

    /// The CSV export of the same view: its data rows.
    pub async fn export(&self, pairs: &[(&str, &str)]) -> Vec<String> {
        let response = self
            .staff
            .get(self.app.url("/export/dashboard.csv"))
            .query(pairs)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        text.lines().skip(1).map(str::to_owned).collect()
    }
}

pub fn count(view: &DashboardView, status: Status) -> usize {
    view.counts
        .iter()
        .find(|c| c.status == status)
        .map(|c| c.count)
        .unwrap_or_default()
}

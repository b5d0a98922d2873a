#![allow(dead_code)]
//! A simulator per test, a client pointed at it, and test certificates.

use domain::ids::{ClientId, SecretValue, TenantRef};
use domain::profile::{self, Profile};
use domain::Cloud;
use entra::retry::RetryPolicy;
use entra::{Credential, Endpoints, EntraClient, VerifyReport, VerifyRequest};
use entra_simulator::state::{NewApp, Scenario, Tenant};
use entra_simulator::Simulator;
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::Duration;

pub const TENANT: &str = "11111111-1111-1111-1111-111111111111";
pub const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
pub const SECRET: &str = "sim~Correct.Secret.Value";

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn tenant(id: &str, domain: &str, cloud: Cloud) -> Tenant {
    Tenant {
        id: id.into(),
        domains: vec![domain.into()],
        display_name: format!("Tenant {domain}"),
        // The simulator names clouds as scenario files do.
        cloud: serde_json::from_value(serde_json::to_value(cloud).unwrap())
            .expect("the simulator knows every cloud"),
    }
}

pub fn app(roles: &[&str]) -> NewApp {
    NewApp {
        display_name: Some("Tenantry Recovery".into()),
        ..NewApp::with_secret(TENANT, CLIENT, SECRET, 90, roles)
    }
}

pub async fn simulator(apps: Vec<NewApp>) -> Simulator {
    entra_simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario(apps))
        .await
        .unwrap()
}

/// Contoso, Fabrikam and a GCC High agency, with `apps`.
pub fn scenario(apps: Vec<NewApp>) -> Scenario {
    Scenario {
        tenants: vec![
            tenant(TENANT, "contoso.example", Cloud::Global),
            tenant(
                "33333333-3333-3333-3333-333333333333",
                "fabrikam.example",
                Cloud::Global,
            ),
            tenant(
                "44444444-4444-4444-4444-444444444444",
                "agency.example.us",
                Cloud::GccHigh,
            ),
        ],
        apps,
        ..Scenario::default()
    }
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(2),
    }
}

pub fn client_for(sim: &Simulator) -> EntraClient {
    client_with(sim, Duration::from_secs(5), fast_retry())
}

pub fn client_with(sim: &Simulator, timeout: Duration, retry: RetryPolicy) -> EntraClient {
    EntraClient::new(
        Endpoints::overridden(Some(sim.base_url()), Some(sim.base_url())),
        timeout,
        retry,
    )
    .unwrap()
}

pub fn secret(value: &str) -> Credential {
    Credential::Secret(SecretValue::new(value).unwrap())
}

pub struct Check {
    pub cloud: Cloud,
    pub tenant: TenantRef,
    pub expected_tenant: Option<String>,
    pub client_id: ClientId,
    pub profiles: Vec<Profile>,
}

impl Default for Check {
    fn default() -> Self {
        Self {
            cloud: Cloud::Global,
            tenant: TenantRef::parse(TENANT).unwrap(),
            expected_tenant: None,
            client_id: ClientId::parse(CLIENT).unwrap(),
            profiles: vec![profile::recovery()],
        }
    }
}

pub async fn verify(client: &EntraClient, check: &Check, credential: &Credential) -> VerifyReport {
    entra::verify(
        client,
        &VerifyRequest {
            cloud: check.cloud,
            tenant: &check.tenant,
            expected_tenant_id: check.expected_tenant.as_deref(),
            client_id: &check.client_id,
            credential,
            profiles: &check.profiles,
            secret_expires_at: None,
            now: now(),
        },
    )
    .await
}

pub async fn admin(sim: &Simulator, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(json!(null))
}

pub async fn stats(sim: &Simulator) -> Value {
    reqwest::get(format!("{}/_admin/stats", sim.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A good client-authentication certificate and its key, made once per
/// test binary.
pub fn test_certificate() -> &'static test_certificates::Made {
    static CERT: OnceLock<test_certificates::Made> = OnceLock::new();
    CERT.get_or_init(|| test_certificates::make("tenantry-test.example", Default::default()))
}

pub fn pkcs12(cert: &test_certificates::Made, password: &str) -> Vec<u8> {
    test_certificates::pfx(cert, password)
}

//! A registration under watch, as staff see it through its page: the
//! helpers the watch's tests share.

use super::onboarding::in_days;
use super::simulator::{CLIENT, SECRET, TENANT};
use super::{TestApp, PASSWORD};
use app::model::RegistrationPage;
use domain::evaluation::Status;
use domain::finding::FindingCode;
use entra_simulator::Simulator;
use reqwest::{Client, StatusCode};
use std::time::Duration;

pub struct Watched {
    pub app: TestApp,
    pub staff: Client,
    pub registration: String,
}

/// Contoso's e-mail registration, recorded by hand with `SECRET`, which
/// Tenantry believes expires in `expires_in_days`.
pub async fn watched(app: TestApp, expires_in_days: i64) -> Watched {
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let tenant = app.add_tenant(&staff, "Contoso", TENANT).await;
    let expires = in_days(expires_in_days);
    let response = app
        .call(
            &staff,
            "add_registration",
            &[
                ("customer_tenant_id", tenant.as_str()),
                ("form[profiles]", "email"),
                ("form[client_id]", CLIENT),
                ("form[secret]", SECRET),
                ("form[secret_expires]", expires.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let registration: String = response.json().await.unwrap();
    Watched {
        app,
        staff,
        registration,
    }
}

impl Watched {
    pub async fn page(&self) -> RegistrationPage {
        let response = self
            .app
            .call(
                &self.staff,
                "load_registration",
                &[("registration_id", self.registration.as_str())],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("a registration page")
    }

    pub async fn check_now(&self) -> Status {
        let response = self
            .app
            .call(
                &self.staff,
                "check_registration",
                &[("registration_id", self.registration.as_str())],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Moving the clock by hours ends the sign-in, as it would in life.
    pub async fn sign_in_again(&mut self) {
        self.staff = self
            .app
            .signed_in("nadia@northwind.example", PASSWORD)
            .await;
    }

    pub fn checks(page: &RegistrationPage) -> usize {
        page.timeline.iter().map(|run| run.checks.len()).sum()
    }

    /// Waits (in real time) until the page shows `count` checks.
    pub async fn until_checked(&self, count: usize) -> RegistrationPage {
        for _ in 0..100 {
            let page = self.page().await;
            if Self::checks(&page) >= count {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{count} checks were not stored in time");
    }
}

pub async fn admin(sim: &Simulator, path: &str, body: serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "simulator {path}");
}

pub fn codes(page: &RegistrationPage) -> Vec<FindingCode> {
    page.verdict
        .as_ref()
        .map(|v| v.findings.iter().map(|f| f.code).collect())
        .unwrap_or_default()
}

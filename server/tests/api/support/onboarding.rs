//! A customer's admin working through an onboarding link, one server
//! function per wizard step, as the hydrated page calls them.

use super::{browser, TestApp};
use app::model::{OnboardingCreated, OnboardingView, TestResult};
use reqwest::{Client, Response, StatusCode};

pub struct Customer {
    base: String,
    pub token: String,
    client: Client,
}

/// Creates an onboarding link for `profiles` (comma-separated ids) and
/// returns the customer holding it.
pub async fn invite(app: &TestApp, staff: &Client, tenant: &str, profiles: &str) -> Customer {
    let response = app
        .call(
            staff,
            "create_onboarding_link",
            &[("customer_tenant_id", tenant), ("profiles", profiles)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let created: OnboardingCreated = response.json().await.unwrap();
    assert!(created.link.starts_with(&app.address));
    Customer::holding(&app.address, &created.link).await
}

pub fn in_days(days: i64) -> String {
    let date = (time::OffsetDateTime::now_utc() + time::Duration::days(days)).date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

impl Customer {
    /// Opens `link` as a browser does: the token moves from the address
    /// into the flow's cookie, and the hop page continues at `/onboard`.
    pub async fn holding(base: &str, link: &str) -> Customer {
        let client = browser();
        let opened = client.get(link).send().await.expect("link opens");
        assert_eq!(super::continues_at(opened).await, "/onboard", "{link}");
        Customer {
            base: base.to_owned(),
            token: link.rsplit('/').next().unwrap().to_owned(),
            client,
        }
    }

    /// A browser that never opened a link.
    pub fn without_a_link(base: &str) -> Customer {
        Customer {
            base: base.to_owned(),
            token: String::new(),
            client: browser(),
        }
    }

    /// A browser holding a link nobody issued.
    pub async fn guessing(base: &str) -> Customer {
        Customer::holding(base, &format!("{base}/onboard/{}", "G".repeat(43))).await
    }

    /// The wizard's page, as this browser loads it.
    pub async fn page(&self) -> Response {
        self.client
            .get(format!("{}/onboard", self.base))
            .send()
            .await
            .expect("page loads")
    }

    pub async fn call(&self, function: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}/api/{function}", self.base))
            .form(form)
            .send()
            .await
            .expect("request reaches the server")
    }

    pub async fn open(&self) -> OnboardingView {
        let response = self.call("open_onboarding", &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn finish(&self, step: u8) -> Response {
        self.call("finish_onboarding_step", &[("step", &step.to_string())])
            .await
    }

    /// Says steps 1 to 3 (done in Entra) are done.
    pub async fn finish_entra_steps(&self) {
        for step in 1..=3 {
            assert_eq!(self.finish(step).await.status(), StatusCode::OK);
        }
    }

    pub async fn save_secret(&self, secret: &str, expires: &str) -> Response {
        self.call(
            "save_onboarding_secret",
            &[("form[secret]", secret), ("form[secret_expires]", expires)],
        )
        .await
    }

    pub async fn upload(&self, certificate: &str, private_key: &str, password: &str) -> Response {
        self.call(
            "upload_onboarding_certificate",
            &[
                ("form[certificate]", certificate),
                ("form[private_key]", private_key),
                ("form[password]", password),
            ],
        )
        .await
    }

    pub async fn generate(&self) -> Response {
        self.call("generate_onboarding_certificate", &[]).await
    }

    pub async fn save_ids(&self, tenant_id: &str, client_id: &str, object_id: &str) -> Response {
        self.call(
            "save_onboarding_ids",
            &[
                ("form[tenant_id]", tenant_id),
                ("form[client_id]", client_id),
                ("form[object_id]", object_id),
            ],
        )
        .await
    }

    pub async fn test(&self) -> TestResult {
        let response = self.call("test_onboarding", &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// The test of an ownership-proof link, with the recovery app's secret
    /// typed at the test.
    pub async fn prove_with(&self, secret: &str) -> Response {
        self.call("test_onboarding", &[("secret", secret)]).await
    }

    pub async fn download_certificate(&self) -> Response {
        self.client
            .get(format!("{}/onboard/certificate.cer", self.base))
            .send()
            .await
            .unwrap()
    }
}

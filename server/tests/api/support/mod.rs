//! `spawn_app()`: a real Tenantry server on a random loopback port with a
//! fresh database, driven over HTTP like a browser or script would.
#![allow(dead_code)]

pub mod certificates;
pub mod dashboard;
pub mod database;
pub mod onboarding;
pub mod process;
pub mod receiver;
pub mod simulator;
pub mod watch;

use app::backend::ManualClock;
use app::error::AppError;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use server::{Application, Config};
use std::collections::HashMap;

pub struct TestApp {
    pub address: String,
    /// `TENANTRY_METRICS_ADDR`'s listener, when configured.
    pub metrics_address: Option<String>,
    pub setup_link: Option<String>,
    pub config: Config,
    /// The in-process server's clock (a separate binary has the system's).
    clock: Option<ManualClock>,
    /// The in-process server's shared state, to see what it does in the
    /// background.
    backend: Option<app::backend::Backend>,
    _data: tempfile::TempDir,
}

pub const PASSWORD: &str = "correct horse battery staple";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// A server with extra configuration, e.g. pointed at the Entra simulator.
pub async fn spawn_app_with(extra: &[(&'static str, String)]) -> TestApp {
    let data = tempfile::tempdir().expect("temp dir");
    let mut vars: HashMap<&str, String> = extra.iter().cloned().collect();
    vars.insert("TENANTRY_ADDR", "127.0.0.1:0".to_owned());
    vars.insert("TENANTRY_DATA_DIR", data.path().display().to_string());
    vars.insert("TENANTRY_SITE_ROOT", data.path().display().to_string());
    if !vars.contains_key("TENANTRY_DATABASE_URL") {
        if let Some(url) = database::fresh_database_url().await {
            vars.insert("TENANTRY_DATABASE_URL", url);
        }
    }
    // Tests that watch registrations turn the scheduler on themselves.
    vars.entry("TENANTRY_SCHEDULER")
        .or_insert_with(|| "off".to_owned());
    // Every test signs in from 127.0.0.1, many times a minute; the tests
    // of that limit set their own.
    vars.entry("TENANTRY_SIGN_IN_ATTEMPTS_PER_MINUTE")
        .or_insert_with(|| "1000".to_owned());
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("test config");
    let clock = ManualClock::starting_at(time::OffsetDateTime::now_utc());
    let app = Application::build_with_clock(&config, clock.clone().into())
        .await
        .expect("server starts");
    let address = format!("http://{}", app.local_addr());
    let metrics_address = app.metrics_addr().map(|addr| format!("http://{addr}"));
    let setup_link = app.open_setup_if_empty().await.expect("set-up state");
    let backend = app.backend().clone();
    tokio::spawn(app.serve(std::future::pending()));
    TestApp {
        address,
        metrics_address,
        setup_link,
        config,
        clock: Some(clock),
        backend: Some(backend),
        _data: data,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects so tests
/// can see where they point.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("http client")
}

impl TestApp {
    /// The server's clock: it starts at the real time and moves only when
    /// a test moves it, so expiries are reached exactly.
    pub fn clock(&self) -> &ManualClock {
        self.clock
            .as_ref()
            .expect("only an in-process server has a settable clock")
    }

    async fn organisation_named(&self, organisation: &str) -> app::ids::OrganisationId {
        let backend = self.backend.as_ref().expect("an in-process server");
        app::on_db!(&backend.pool, |c| sqlx::query_scalar(
            "SELECT id FROM organisations WHERE name = $1"
        )
        .bind(organisation)
        .fetch_one(c)
        .await)
        .expect("the organisation")
    }

    /// When the server last read the organisation's dashboard, whether a
    /// page asked for it or not.
    pub async fn dashboard_read_at(&self, organisation: &str) -> Option<i64> {
        let id = self.organisation_named(organisation).await;
        let backend = self.backend.as_ref().expect("an in-process server");
        backend.dashboards.kept_at(&id)
    }

    /// Stands for a reading of the organisation's dashboard under way (the
    /// background refresh, another viewer's) until the guard is dropped.
    pub async fn hold_dashboard_reading(
        &self,
        organisation: &str,
    ) -> tokio::sync::OwnedMutexGuard<()> {
        let id = self.organisation_named(organisation).await;
        let backend = self.backend.as_ref().expect("an in-process server");
        backend.dashboards.hold_reading_turn(&id).await
    }

    /// Claims up to `limit` due registrations as the scheduler would,
    /// and gives their client ids (a claim's rows come back in no
    /// particular order).
    pub async fn claim_due(&self, limit: usize) -> Vec<String> {
        let backend = self.backend.as_ref().expect("an in-process server");
        let claims = app::backend::checks::claim::due(backend, limit)
            .await
            .expect("a claim");
        let mut client_ids = Vec::new();
        for claim in claims {
            let client_id: String = app::on_db!(&backend.pool, |c| sqlx::query_scalar(
                "SELECT client_id FROM registrations WHERE id = $1"
            )
            .bind(claim.registration_id())
            .fetch_one(c)
            .await)
            .expect("the claimed registration");
            client_ids.push(client_id);
        }
        client_ids
    }

    /// Weighs stored checks into alerts now: what the server does after
    /// checks are written and on every poll, done before the test goes on.
    pub async fn weigh_alerts(&self) {
        let backend = self.backend.as_ref().expect("an in-process server");
        while app::backend::alerts::assessing::assess_due(backend)
            .await
            .expect("alerts are weighed")
            > 0
        {}
    }

    /// Sends the digests whose hour has come, as the server does on every
    /// poll.
    pub async fn send_digests(&self) -> usize {
        let backend = self.backend.as_ref().expect("an in-process server");
        app::backend::alerts::digest::send_due(backend)
            .await
            .expect("digests are sent")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn setup_token(&self) -> String {
        let link = self
            .setup_link
            .as_ref()
            .expect("an empty database opens set-up");
        link.split("token=")
            .nth(1)
            .expect("token in link")
            .to_owned()
    }

    /// A browser that opened `link` (set-up or invitation): its token is
    /// now in that flow's cookie and the address continues without it.
    pub async fn holding(&self, link: &str) -> Client {
        let client = browser();
        let opened = client.get(link).send().await.expect("link opens");
        let next = continues_at(opened).await;
        assert!(!next.contains("token") && next.len() < 20, "{next}");
        client
    }

    /// A browser that opened the first-run set-up link.
    pub async fn holding_the_set_up_link(&self) -> Client {
        self.holding(self.setup_link.as_ref().expect("set-up is open"))
            .await
    }

    /// Calls a server function the way the hydrated page does.
    pub async fn call(&self, client: &Client, function: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(&format!("/api/{function}")))
            .form(form)
            .send()
            .await
            .expect("request reaches the server")
    }

    pub async fn create_organisation(&self, org: &str, email: &str) {
        let dir = tempfile::tempdir().unwrap();
        let password_file = dir.path().join("password");
        std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
        let args = server::cli::CreateArgs {
            org: org.to_owned(),
            email: email.to_owned(),
            name: Some(format!("Admin of {org}")),
            password_file,
        };
        server::cli::create_organisation(&self.config, &args)
            .await
            .expect("organisation created");
    }

    /// Creates organisation `org` with `email` as its admin, signed in.
    pub async fn admin_of(&self, org: &str, email: &str) -> Client {
        self.create_organisation(org, email).await;
        self.signed_in(email, PASSWORD).await
    }

    /// The admin's organisation names `tenant` (global cloud) as its own
    /// and allows company recovery with the longest window.
    pub async fn allow_recovery(&self, admin: &Client, tenant: &str) {
        for (function, form) in [
            (
                "save_home_tenant",
                [("home_tenant_id", tenant), ("home_cloud", "global")],
            ),
            (
                "save_recovery_settings",
                [("enabled", "true"), ("window_hours", "72")],
            ),
        ] {
            let saved = self.call(admin, function, &form).await;
            let status = saved.status();
            assert_eq!(
                status,
                StatusCode::OK,
                "{function}: {}",
                saved.text().await.unwrap()
            );
        }
    }

    pub async fn signed_in(&self, email: &str, password: &str) -> Client {
        let client = browser();
        let response = self
            .call(
                &client,
                "login",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "sign-in as {email} succeeds"
        );
        client
    }

    /// Invites `email` with `role` as `admin`, accepts the invitation and
    /// returns the new member's signed-in client.
    pub async fn add_member(&self, admin: &Client, email: &str, role: &str) -> Client {
        let response = self
            .call(admin, "invite_staff", &[("email", email), ("role", role)])
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let created: app::model::InvitationCreated = response.json().await.unwrap();
        let invited = self.holding(&created.link).await;
        let response = self
            .call(
                &invited,
                "accept_invitation",
                &[("name", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        self.signed_in(email, PASSWORD).await
    }
}

/// Where a link's hop page sends the browser once the token is in the
/// flow's cookie (its refresh target); asserts the hop's shape.
pub async fn continues_at(opened: Response) -> String {
    assert_eq!(opened.status(), StatusCode::OK);
    assert!(opened
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .is_some_and(|cookie| cookie.to_str().unwrap().contains("SameSite=Strict")));
    let page = opened.text().await.unwrap();
    assert!(
        page.contains("<meta name=\"referrer\" content=\"no-referrer\">"),
        "the page holding the token names it to nobody, Tenantry included"
    );
    let target = page
        .split("content=\"0;url=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("a refresh in {page}"));
    target.replace("&amp;", "&")
}

/// `create_tenant`'s form for a tenant on the global cloud.
pub fn tenant_form(name: &str, tenant_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("form[display_name]", name.to_owned()),
        ("form[tenant_id]", tenant_id.to_owned()),
        ("form[primary_domain]", String::new()),
        ("form[cloud]", "global".to_owned()),
        ("form[contacts]", String::new()),
        ("form[notes]", String::new()),
    ]
}

impl TestApp {
    /// Adds a customer tenant on the global cloud; returns its id.
    pub async fn add_tenant(&self, staff: &Client, name: &str, tenant_id: &str) -> String {
        let form = tenant_form(name, tenant_id);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = self.call(staff, "create_tenant", &form).await;
        assert_eq!(response.status(), StatusCode::OK, "tenant {name} saved");
        response.json().await.unwrap()
    }

    /// The registrations `client` may see for a customer tenant.
    pub async fn registrations(
        &self,
        client: &Client,
        tenant: &str,
    ) -> Vec<app::model::RegistrationView> {
        let response = self
            .call(
                client,
                "list_registrations",
                &[("customer_tenant_id", tenant)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("registrations")
    }

    /// The onboarding links `client` may see for a customer tenant.
    pub async fn onboarding_links(
        &self,
        client: &Client,
        tenant: &str,
    ) -> Vec<app::model::OnboardingLinkView> {
        let response = self
            .call(
                client,
                "onboarding_links",
                &[("customer_tenant_id", tenant)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("onboarding links")
    }

    pub async fn staff(&self, client: &Client) -> app::model::StaffOverview {
        self.call(client, "load_staff", &[])
            .await
            .json()
            .await
            .expect("staff overview")
    }

    pub async fn member(&self, client: &Client, email: &str) -> app::model::StaffMember {
        self.staff(client)
            .await
            .members
            .into_iter()
            .find(|member| member.email == email)
            .unwrap_or_else(|| panic!("{email} is listed"))
    }

    pub async fn me(&self, client: &Client) -> app::model::SignedInUser {
        self.call(client, "current_user", &[])
            .await
            .json()
            .await
            .expect("signed-in user")
    }
}

pub async fn app_error(response: Response) -> AppError {
    response.json().await.expect("a client-safe error body")
}

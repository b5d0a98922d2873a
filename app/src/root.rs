use crate::components::shell::Shell;
use crate::pages::{
    coming_soon::RecoveryPage,
    dashboard::DashboardPage,
    invite::InvitePage,
    login::LoginPage,
    not_found::NotFound,
    onboard::OnboardPage,
    registration::RegistrationPageView,
    setup::SetupPage,
    staff::StaffPage,
    tenants::{TenantPage, TenantsPage},
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser once the page is interactive; the mark
    // lets browser tests (and support staff) tell a hydrated page from HTML.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/tenantry.css"/>
        <Title formatter=|page: String| {
            if page.is_empty() { "Tenantry".to_owned() } else { format!("{page} · Tenantry") }
        }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/setup") view=SetupPage/>
                <Route path=path!("/invite/:token") view=InvitePage/>
                <Route path=path!("/onboard/:token") view=OnboardPage/>
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=DashboardPage/>
                    <Route path=path!("tenants") view=TenantsPage/>
                    <Route path=path!("tenants/:id") view=TenantPage/>
                    <Route path=path!("registrations/:id") view=RegistrationPageView/>
                    <Route path=path!("recovery") view=RecoveryPage/>
                    <Route path=path!("settings") view=StaffPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

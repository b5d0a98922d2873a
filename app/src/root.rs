use crate::components::page_ready::PageReady;
use crate::components::shell::Shell;
use crate::pages::{
    account::AccountPage,
    audit::AuditPage,
    dashboard::DashboardPage,
    invite::InvitePage,
    login::LoginPage,
    not_found::NotFound,
    onboard::OnboardPage,
    recover::RecoverPage,
    recovery_settings::RecoverySettingsPage,
    registration::RegistrationPageView,
    reset::ResetPasswordPage,
    second_factor::{SignInCodePage, SignInEnrolPage},
    setup::SetupPage,
    staff::StaffPage,
    tenants::{TenantPage, TenantsPage},
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

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
                <HydrationScripts options islands=true/>
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
    view! {
        <Stylesheet id="leptos" href="/pkg/tenantry.css"/>
        <Title formatter=|page: String| {
            if page.is_empty() { "Tenantry".to_owned() } else { format!("{page} · Tenantry") }
        }/>
        // Every page is rendered whole before it is sent (`Async`): its title
        // is in the head, and each island is in the HTML when the browser
        // wakes the islands up, in document order.
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/login/code") view=SignInCodePage ssr=SsrMode::Async/>
                <Route path=path!("/login/enrol") view=SignInEnrolPage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/invite") view=InvitePage ssr=SsrMode::Async/>
                <Route path=path!("/reset") view=ResetPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/onboard") view=OnboardPage ssr=SsrMode::Async/>
                <Route path=path!("/recover") view=RecoverPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=Shell ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("tenants") view=TenantsPage ssr=SsrMode::Async/>
                    <Route path=path!("tenants/:id") view=TenantPage ssr=SsrMode::Async/>
                    <Route path=path!("registrations/:id") view=RegistrationPageView ssr=SsrMode::Async/>
                    <Route path=path!("recovery") view=RecoverySettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("alerts") view=crate::pages::alerts::AlertsPage ssr=SsrMode::Async/>
                    <Route path=path!("api-tokens") view=crate::pages::api_tokens::ApiTokensPage ssr=SsrMode::Async/>
                    <Route path=path!("settings") view=StaffPage ssr=SsrMode::Async/>
                    <Route path=path!("account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("audit") view=AuditPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
        // Last in the page, so it wakes up after every other island.
        <PageReady/>
    }
}

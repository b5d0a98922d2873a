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
use leptos_router::{lazy_route, path, Lazy, LazyRoute};

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
                <Route path=path!("/login") view={Lazy::<Login>::new()}/>
                <Route path=path!("/login/code") view={Lazy::<SecondFactor>::new()}/>
                <Route path=path!("/login/enrol") view={Lazy::<SecondFactorSetup>::new()}/>
                <Route path=path!("/setup") view={Lazy::<Setup>::new()}/>
                <Route path=path!("/invite") view={Lazy::<Invite>::new()}/>
                <Route path=path!("/reset") view={Lazy::<Reset>::new()}/>
                <Route path=path!("/onboard") view={Lazy::<Onboard>::new()}/>
                <Route path=path!("/recover") view={Lazy::<Recover>::new()}/>
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view={Lazy::<Dashboard>::new()}/>
                    <Route path=path!("tenants") view={Lazy::<Tenants>::new()}/>
                    <Route path=path!("tenants/:id") view={Lazy::<Tenant>::new()}/>
                    <Route path=path!("registrations/:id") view={Lazy::<Registration>::new()}/>
                    <Route path=path!("recovery") view={Lazy::<Recovery>::new()}/>
                    <Route path=path!("settings") view={Lazy::<Staff>::new()}/>
                    <Route path=path!("account") view={Lazy::<Account>::new()}/>
                    <Route path=path!("audit") view={Lazy::<Audit>::new()}/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Each page's code is its own chunk of the browser bundle (`cargo leptos
/// build --split`): a visit downloads the shared runtime and the page it
/// opens, not every page of the portal. The server renders them as before,
/// and the chunk of the page being served is preloaded with the HTML.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    Login => LoginPage,
    SecondFactor => SignInCodePage,
    SecondFactorSetup => SignInEnrolPage,
    Setup => SetupPage,
    Invite => InvitePage,
    Reset => ResetPasswordPage,
    Onboard => OnboardPage,
    Dashboard => DashboardPage,
    Tenants => TenantsPage,
    Tenant => TenantPage,
    Registration => RegistrationPageView,
    Recover => RecoverPage,
    Recovery => RecoverySettingsPage,
    Staff => StaffPage,
    Account => AccountPage,
    Audit => AuditPage,
}

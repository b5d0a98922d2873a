use crate::api::auth::{current_user, Logout};
use crate::error::AppError;
use crate::model::SignedInUser;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

/// Who is signed in, as the frame read it; the pages inside the frame ask
/// this (`use_context`) rather than the server again.
#[derive(Clone, Copy)]
pub struct SignedIn(pub Resource<Result<SignedInUser, AppError>>);

/// The frame of every signed-in page: brand, navigation, who is signed in,
/// sign-out. Unauthenticated visitors are sent to the sign-in page (the
/// server also redirects full page loads before this renders).
#[component]
pub fn Shell() -> impl IntoView {
    let user = Resource::new_blocking(|| (), |_| current_user());
    provide_context(SignedIn(user));
    let logout = ServerAction::<Logout>::new();

    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">"Tenantry"</a>
                <MainMenu>
                    <A href="/" exact=true>"Dashboard"</A>
                    <A href="/tenants">"Tenants"</A>
                    <A href="/alerts">"Alerts"</A>
                    <A href="/recovery">"Recovery"</A>
                    <A href="/settings">"Settings"</A>
                </MainMenu>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(user) => view! {
                                <div class="who">
                                    <a class="who-name" href="/account">{user.display_name}</a>
                                    <span class="who-detail">
                                        {user.organisation_name} " · " {user.role.label()}
                                    </span>
                                </div>
                            }.into_any(),
                            Err(AppError::Unauthenticated) => view! { <Redirect path="/login"/> }.into_any(),
                            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                <ActionForm action=logout attr:class="signout">
                    <button type="submit" class="secondary">"Sign out"</button>
                </ActionForm>
            </header>
            <main class="content">
                <Outlet/>
            </main>
        </div>
    }
}

/// The navigation, folded behind a "Menu" button on narrow screens. Its
/// links are server-rendered children; only the button needs the browser.
#[island]
fn MainMenu(children: Children) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="menu-toggle"
            aria-controls="main-nav"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|open| *open = !*open)
        >
            "Menu"
        </button>
        <nav id="main-nav" aria-label="Main" class:open=move || open.get()>
            {children()}
        </nav>
    }
}

use crate::api::auth::Login;
use crate::components::form::{action_error, endpoint, Field, FormError};
use crate::components::post_form::{After, PostForm};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let notice = move || {
        let query = query.read();
        if query.get("welcome").is_some() {
            Some("Your organisation is ready. Sign in with the account you just created.")
        } else if query.get("joined").is_some() {
            Some("Your account is ready. Sign in to continue.")
        } else if query.get("reset").is_some() {
            Some("Your new password is set. Sign in with it.")
        } else {
            None
        }
    };
    view! {
        <Title text="Sign in"/>
        <main class="auth">
            <section class="card narrow">
                <h1>"Sign in to Tenantry"</h1>
                {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
                <LoginForm/>
                <p class="muted">"Nobody in your organisation can sign in any more? "<a href="/recover">"Recover access"</a>" by proving you administer its Microsoft 365 tenant."</p>
            </section>
        </main>
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = action_error(login);
    view! {
        <PostForm action={endpoint::<Login>()} after=After::Reload class=String::new()>
            <Field label="E-mail address" name="email" kind="email" autocomplete="username" error/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password" error/>
            <FormError error fields=&[]/>
            <button type="submit">"Sign in"</button>
        </PostForm>
    }
}

use crate::api::setup::{check_setup, CompleteSetup};
use crate::components::form::{action_error, endpoint, Field, FormError};
use crate::components::post_form::{After, PostForm};
use crate::model::SetupState;
use leptos::prelude::*;
use leptos_meta::Title;

/// First run: whoever holds the set-up link from the server log creates the
/// MSP's organisation and becomes its first admin.
#[component]
pub fn SetupPage() -> impl IntoView {
    let state = Resource::new(|| (), |_| check_setup());
    view! {
        <Title text="Set up Tenantry"/>
        <main class="auth">
            <section class="card narrow">
                <h1>"Set up Tenantry"</h1>
                <Suspense fallback=|| view! { <p>"Checking your set-up link…"</p> }>
                    {move || Suspend::new(async move {
                        match state.await {
                            Ok(SetupState::Open) => view! {
                                <p>"Create your organisation and the first admin account. You can invite colleagues afterwards."</p>
                                <SetupForm/>
                            }.into_any(),
                            Ok(SetupState::Done) => view! {
                                <p>"Tenantry is already set up."</p>
                                <p><a href="/login">"Sign in"</a></p>
                            }.into_any(),
                            Ok(SetupState::InvalidToken) => view! {
                                <p class="form-error" role="alert">
                                    "This set-up link is not valid. Open the link the server printed when it started; a restart prints a new one."
                                </p>
                            }.into_any(),
                            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

#[component]
fn SetupForm() -> impl IntoView {
    let complete = ServerAction::<CompleteSetup>::new();
    let error = action_error(complete);
    view! {
        <PostForm action={endpoint::<CompleteSetup>()} after=After::Reload class=String::new()>
            <Field label="Organisation name" name="organisation" autocomplete="organization" error/>
            <Field label="Your name" name="name" autocomplete="name" error/>
            <Field label="E-mail address" name="email" kind="email" autocomplete="username" error/>
            <Field label="Password" name="password" kind="password" autocomplete="new-password"
                hint="At least 12 characters. A few unrelated words make a strong, memorable password." error/>
            <FormError error fields=&["organisation", "name", "email", "password"]/>
            <button type="submit">"Create organisation"</button>
        </PostForm>
    }
}

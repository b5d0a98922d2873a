//! A member who forgot their password opens the reset link an admin sent
//! them and chooses a new one.

use crate::api::staff::{password_reset_preview, CompletePasswordReset};
use crate::components::form::{action_error, endpoint, Field, FormError};
use crate::components::post_form::{After, PostForm};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let preview = Resource::new(|| (), |_| password_reset_preview());
    view! {
        <Title text="Choose a new password"/>
        <main class="auth">
            <section class="card narrow">
                <h1>"Choose a new password"</h1>
                <Suspense fallback=|| view! { <p>"Checking your link…"</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(reset) => view! {
                                <p>"For " <strong>{reset.email}</strong> " at " {reset.organisation_name} ". You will be signed out everywhere and can sign in with the new password."</p>
                                <NewPasswordForm/>
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
fn NewPasswordForm() -> impl IntoView {
    let complete = ServerAction::<CompletePasswordReset>::new();
    let error = action_error(complete);
    view! {
        <PostForm action={endpoint::<CompletePasswordReset>()} after=After::Reload class=String::new()>
            <Field label="New password" name="password" kind="password" autocomplete="new-password"
                hint="At least 12 characters and hard to guess: a few unrelated words work well." error/>
            <FormError error fields=&["password"]/>
            <button type="submit">"Set the new password"</button>
        </PostForm>
    }
}

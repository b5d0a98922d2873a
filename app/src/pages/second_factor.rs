//! The second step of signing in: a code from the authenticator app (or a
//! recovery code), or, where the organisation requires a second factor and
//! the member has none, setting one up first.

use crate::api::mfa::{sign_in_enrolment, ConfirmSignInEnrolment, SignInCode};
use crate::components::form::{action_error, endpoint, Field, FormError};
use crate::components::mfa::{EnrolmentCard, RecoveryCodes};
use crate::components::post_form::{After, PostForm};
use crate::components::sent::Sent;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignInCodePage() -> impl IntoView {
    view! {
        <Title text="Second factor"/>
        <main class="auth">
            <section class="card narrow">
                <h1>"Enter your code"</h1>
                <p>"Open your authenticator app and enter the 6-digit code for Tenantry. Lost your phone? Enter one of your recovery codes."</p>
                <SignInCodeForm/>
                <p class="muted"><a href="/login">"Start again"</a></p>
            </section>
        </main>
    }
}

#[component]
fn SignInCodeForm() -> impl IntoView {
    let verify = ServerAction::<SignInCode>::new();
    let error = action_error(verify);
    view! {
        <PostForm action={endpoint::<SignInCode>()} after=After::Reload class=String::new()>
            <Field label="Code" name="code" autocomplete="one-time-code" error/>
            <FormError error fields=&["code"]/>
            <button type="submit">"Continue"</button>
        </PostForm>
    }
}

#[component]
pub fn SignInEnrolPage() -> impl IntoView {
    let enrolment = Resource::new_blocking(|| (), |_| sign_in_enrolment());
    view! {
        <Title text="Set up a second factor"/>
        <main class="auth">
            <section class="card narrow">
                <h1>"Set up a second factor"</h1>
                <p>"Your organisation requires a code from an authenticator app at every sign-in."</p>
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match enrolment.await {
                            Ok(enrolment) => view! {
                                <EnrolConfirm><EnrolmentCard enrolment/></EnrolConfirm>
                            }.into_any(),
                            Err(error) => view! {
                                <p class="form-error" role="alert">{error.to_string()}</p>
                                <p><a href="/login">"Sign in again"</a></p>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

/// The code that turns the second factor on; `children` is the QR code and
/// key, set aside once the recovery codes are shown.
#[island]
fn EnrolConfirm(children: Children) -> impl IntoView {
    let confirm = Sent::<Vec<String>>::new();
    let confirm_form = NodeRef::<leptos::html::Form>::new();
    let error = confirm.error();
    let codes = move || confirm.ok();
    view! {
        {move || codes().map(|codes| view! {
            <RecoveryCodes codes/>
            <p><a class="button" href="/">"Continue to Tenantry"</a></p>
        })}
        <div hidden=move || codes().is_some()>
            {children()}
            <form node_ref=confirm_form action={endpoint::<ConfirmSignInEnrolment>()} method="post" on:submit={confirm.on_submit(endpoint::<ConfirmSignInEnrolment>(), confirm_form)}>
                <Field label="Code from the app" name="code" autocomplete="one-time-code" error/>
                <FormError error fields=&["code"]/>
                <button type="submit" disabled=move || confirm.pending()>"Turn on"</button>
            </form>
        </div>
    }
}

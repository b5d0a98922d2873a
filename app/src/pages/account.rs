use crate::api::account::{my_sessions, ChangePassword, SignOutEverywhere};
use crate::api::mfa::{mfa_status, ConfirmMfaEnrolment, MfaStatus, StartMfaEnrolment};
use crate::components::form::{action_error, endpoint, Field, FormError};
use crate::components::mfa::{EnrolmentCard, RecoveryCodes};
use crate::components::post_form::{After, PostForm};
use crate::components::relative_time::RelativeTime;
use crate::components::sent::{read_again, Sent};
use crate::model::{MfaEnrolment, SecondFactorStatus, SessionView};
use leptos::prelude::*;
use leptos_meta::Title;

/// Your account: where you are signed in, signing out everywhere else, and
/// changing your password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let sessions = Resource::new(|| (), |_| my_sessions());
    let status = Resource::new(|| (), |_| mfa_status());
    view! {
        <Title text="Your account"/>
        <h1>"Your account"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match sessions.await {
                    Ok(sessions) => view! { <SessionsSection sessions/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(status) => view! { <SecondFactorSection status/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <PasswordSection/>
    }
}

/// Signing out elsewhere is a form the browser posts itself: the page
/// comes back with the sessions left.
#[component]
fn SessionsSection(sessions: Vec<SessionView>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Where you are signed in"</h2>
            <p class="muted">"Each sign-in lasts until you sign out, it is unused for a while, or its maximum lifetime passes."</p>
            <SessionTable sessions/>
            <SignOutElsewhere/>
        </section>
    }
}

#[island]
fn SecondFactorSection(status: SecondFactorStatus) -> impl IntoView {
    let start = Sent::<MfaEnrolment>::new();
    let start_form = NodeRef::<leptos::html::Form>::new();
    let confirm = Sent::<Vec<String>>::new();
    let confirm_form = NodeRef::<leptos::html::Form>::new();
    let status = RwSignal::new(status);
    Effect::new(move |_| {
        if confirm.ok().is_some() {
            read_again(&endpoint::<MfaStatus>(), &[], move |answer| {
                if let Ok(now) = answer {
                    status.set(now);
                }
            });
        }
    });
    let start_error = start.error();
    let confirm_error = confirm.error();
    let codes = move || confirm.ok();
    let enrolment = move || start.ok();
    view! {
        <section class="card">
            <h2>"Second factor"</h2>
            {move || {
                let status = status.get();
                if status.enrolled {
                    view! {
                        <p role="status">{format!(
                            "On: you sign in with a code from your authenticator app. {} recovery codes left.",
                            status.recovery_codes_left
                        )}</p>
                        <p class="muted">"Lost your phone? Sign in with a recovery code; an admin can reset your second factor."</p>
                    }.into_any()
                } else {
                    view! {
                        <p role="status">{if status.required {
                            "Off. Your organisation requires one: you will be asked to set it up at your next sign-in."
                        } else {
                            "Off: you sign in with your password alone."
                        }}</p>
                    }.into_any()
                }
            }}
            {move || match (codes(), enrolment()) {
                (Some(codes), _) => view! { <RecoveryCodes codes/> }.into_any(),
                (None, Some(enrolment)) => view! {
                    <EnrolmentCard enrolment/>
                    <form node_ref=confirm_form action={endpoint::<ConfirmMfaEnrolment>()} method="post" on:submit={confirm.on_submit(endpoint::<ConfirmMfaEnrolment>(), confirm_form)}>
                        <Field label="Code from the app" name="code" autocomplete="one-time-code" error=confirm_error/>
                        <Field label="Your password" name="current_password" kind="password" autocomplete="current-password" error=confirm_error form="second-factor"/>
                        <FormError error=confirm_error fields=&["code", "current_password"]/>
                        <button type="submit" disabled=move || confirm.pending()>"Turn on"</button>
                    </form>
                }.into_any(),
                (None, None) => (!status.with(|status| status.enrolled)).then(|| view! {
                    <form node_ref=start_form action={endpoint::<StartMfaEnrolment>()} method="post" on:submit={start.on_submit(endpoint::<StartMfaEnrolment>(), start_form)}>
                        <button type="submit" class="secondary">"Set up a second factor"</button>
                    </form>
                    <FormError error=start_error fields=&[]/>
                }).into_any(),
            }}
        </section>
    }
}

#[component]
fn SessionTable(sessions: Vec<SessionView>) -> impl IntoView {
    view! {
        <table class="sessions">
            <thead>
                <tr>
                    <th scope="col">"Signed in"</th>
                    <th scope="col">"Last active"</th>
                    <th scope="col">"From"</th>
                    <th scope="col">"Browser"</th>
                </tr>
            </thead>
            <tbody>
                {sessions.into_iter().map(|session| view! {
                    <tr>
                        <td><RelativeTime at=session.signed_in_at/></td>
                        <td><RelativeTime at=session.last_seen_at/></td>
                        <td>{session.ip}</td>
                        <td>
                            {session.user_agent}
                            {session.current.then(|| view! { <span class="badge">"This browser"</span> })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn SignOutElsewhere() -> impl IntoView {
    let sign_out = ServerAction::<SignOutEverywhere>::new();
    let error = action_error(sign_out);
    view! {
        <div class="actions">
            <ActionForm action=sign_out>
                <input type="hidden" name="everywhere" value="false"/>
                <button type="submit" class="secondary">"Sign out everywhere else"</button>
            </ActionForm>
            <ActionForm action=sign_out>
                <input type="hidden" name="everywhere" value="true"/>
                <button type="submit" class="secondary">"Sign out everywhere, this browser too"</button>
            </ActionForm>
        </div>
        <FormError error fields=&[]/>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = action_error(change);
    view! {
        <section class="card">
            <h2>"Change your password"</h2>
            <p class="muted">"Your other sign-ins end when the password changes; this one stays."</p>
            <PostForm action={endpoint::<ChangePassword>()} after=After::notice_and_empty("Your password has been changed.") class="password-form".to_owned()>
                <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" error/>
                <Field
                    label="New password"
                    name="new_password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 12 characters and hard to guess: a few unrelated words work well."
                    error
                />
                <FormError error fields=&["current_password", "new_password"]/>
                <button type="submit">"Change password"</button>
            </PostForm>
        </section>
    }
}

use crate::api::account::{my_sessions, ChangePassword, SignOutEverywhere};
use crate::api::mfa::{mfa_status, ConfirmMfaEnrolment, StartMfaEnrolment};
use crate::components::form::{action_error, Field, FormError};
use crate::components::mfa::{EnrolmentCard, RecoveryCodes};
use crate::components::relative_time::RelativeTime;
use crate::model::SessionView;
use leptos::prelude::*;
use leptos_meta::Title;

/// Your account: where you are signed in, signing out everywhere else, and
/// changing your password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let sign_out = ServerAction::<SignOutEverywhere>::new();
    let change = ServerAction::<ChangePassword>::new();
    let sessions = Resource::new(
        move || (sign_out.version().get(), change.version().get()),
        |_| my_sessions(),
    );
    view! {
        <Title text="Your account"/>
        <h1>"Your account"</h1>
        <section class="card">
            <h2>"Where you are signed in"</h2>
            <p class="muted">"Each sign-in lasts until you sign out, it is unused for a while, or its maximum lifetime passes."</p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(sessions) => view! { <SessionTable sessions/> }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <SignOutElsewhere sign_out/>
        </section>
        <SecondFactorSection/>
        <PasswordSection change/>
    }
}

#[component]
fn SecondFactorSection() -> impl IntoView {
    let start = ServerAction::<StartMfaEnrolment>::new();
    let confirm = ServerAction::<ConfirmMfaEnrolment>::new();
    let status = Resource::new(move || confirm.version().get(), |_| mfa_status());
    let start_error = action_error(start);
    let confirm_error = action_error(confirm);
    let codes = move || confirm.value().get().and_then(|result| result.ok());
    let enrolment = move || start.value().get().and_then(|result| result.ok());
    view! {
        <section class="card">
            <h2>"Second factor"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(status) if status.enrolled => view! {
                            <p role="status">{format!(
                                "On: you sign in with a code from your authenticator app. {} recovery codes left.",
                                status.recovery_codes_left
                            )}</p>
                            <p class="muted">"Lost your phone? Sign in with a recovery code; an admin can reset your second factor."</p>
                        }.into_any(),
                        Ok(status) => view! {
                            <p role="status">{if status.required {
                                "Off. Your organisation requires one: you will be asked to set it up at your next sign-in."
                            } else {
                                "Off: you sign in with your password alone."
                            }}</p>
                        }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            {move || match (codes(), enrolment()) {
                (Some(codes), _) => view! { <RecoveryCodes codes/> }.into_any(),
                (None, Some(enrolment)) => view! {
                    <EnrolmentCard enrolment/>
                    <ActionForm action=confirm>
                        <Field label="Code from the app" name="code" autocomplete="one-time-code" error=confirm_error/>
                        <Field label="Your password" name="current_password" kind="password" autocomplete="current-password" error=confirm_error/>
                        <FormError error=confirm_error fields=&["code", "current_password"]/>
                        <button type="submit" disabled=move || confirm.pending().get()>"Turn on"</button>
                    </ActionForm>
                }.into_any(),
                (None, None) => view! {
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let enrolled = matches!(status.await, Ok(status) if status.enrolled);
                            (!enrolled).then(|| view! {
                                <ActionForm action=start>
                                    <button type="submit" class="secondary">"Set up a second factor"</button>
                                </ActionForm>
                                <FormError error=start_error fields=&[]/>
                            })
                        })}
                    </Transition>
                }.into_any(),
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
fn SignOutElsewhere(sign_out: ServerAction<SignOutEverywhere>) -> impl IntoView {
    let error = action_error(sign_out);
    let ended = move || sign_out.value().get().and_then(|result| result.ok());
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
        {move || ended().map(|count| view! {
            <p class="notice" role="status">{format!("Signed out of {count} other sessions.")}</p>
        })}
    }
}

#[component]
fn PasswordSection(change: ServerAction<ChangePassword>) -> impl IntoView {
    let error = action_error(change);
    let done = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <section class="card">
            <h2>"Change your password"</h2>
            <p class="muted">"Your other sign-ins end when the password changes; this one stays."</p>
            <ActionForm action=change attr:class="password-form">
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
                <button type="submit" disabled=move || change.pending().get()>"Change password"</button>
            </ActionForm>
            <Show when=done>
                <p class="notice" role="status">"Your password has been changed."</p>
            </Show>
        </section>
    }
}

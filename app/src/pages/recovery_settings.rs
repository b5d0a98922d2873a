//! Recovery (admins): the organisation's own Microsoft 365 tenant, whether
//! someone who proves control of it may regain access, the attempts made,
//! and the e-mail Tenantry sent about it.

use crate::api::recovery::{organisation_settings, SaveHomeTenant, SaveRecoverySettings};
use crate::components::form::{action_error, endpoint, FormError};
use crate::components::post_form::{After, PostForm};
use crate::components::relative_time::RelativeTime;
use crate::model::{OutboxEntry, RecoveryAttemptEntry, RecoverySettings, SettingsPage};
use domain::Cloud;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RecoverySettingsPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| organisation_settings());
    view! {
        <Title text="Recovery"/>
        <h1>"Recovery"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <Sections page/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Sections(page: SettingsPage) -> impl IntoView {
    view! {
        <HomeTenant settings=page.recovery.clone()/>
        <CompanyRecovery settings=page.recovery.clone()/>
        <Attempts attempts=page.attempts/>
        <Outbox messages=page.outbox mail_configured=page.recovery.mail_configured/>
    }
}

/// A saved change loads the page again; a refused one keeps what was typed.
#[component]
fn HomeTenant(settings: RecoverySettings) -> impl IntoView {
    let action = ServerAction::<SaveHomeTenant>::new();
    let error = action_error(action);
    let message = move |field: &'static str| move || error.get().and_then(|e| e.for_field(field));
    view! {
        <section class="card">
            <h2>"Your organisation's Microsoft 365 tenant"</h2>
            <p>"The tenant your own staff sign in to Microsoft 365 with. Company recovery proves control of it. Tenantry asks Microsoft once whether the tenant exists in the cloud you choose."</p>
            <PostForm action={endpoint::<SaveHomeTenant>()} after=After::Reload class=String::new()>
                <div class="field">
                    <label for="home-tenant">"Directory (tenant) ID"</label>
                    <p class="hint" id="home-tenant-hint">"Empty to forget it, which also turns recovery off."</p>
                    <input id="home-tenant" name="home_tenant_id" autocomplete="off"
                        value=settings.home_tenant_id.clone().unwrap_or_default()
                        aria-describedby="home-tenant-hint home-tenant-error"
                        data-field="home_tenant_id" aria-invalid=move || message("home_tenant_id")().map(|_| "true")/>
                    <p class="field-error" id="home-tenant-error" data-error-for="home_tenant_id">{message("home_tenant_id")}</p>
                </div>
                <div class="field">
                    <label for="home-cloud">"Microsoft cloud"</label>
                    <select id="home-cloud" name="home_cloud">
                        {Cloud::ALL.into_iter().map(|cloud| view! {
                            <option value=cloud.id() selected=cloud == settings.home_cloud>{cloud.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <FormError error fields=&["home_tenant_id"]/>
                <button type="submit">"Save the tenant"</button>
            </PostForm>
        </section>
    }
}

#[component]
fn CompanyRecovery(settings: RecoverySettings) -> impl IntoView {
    let action = ServerAction::<SaveRecoverySettings>::new();
    let error = action_error(action);
    let window_error = move || error.get().and_then(|e| e.for_field("window_hours"));
    let enabled = settings.enabled;
    let window = settings.window_hours.to_string();
    let kept_window = window.clone();
    view! {
        <section class="card">
            <h2>"Company recovery"</h2>
            <p role="status">{if enabled {
                format!("On. When every administrator has lost access, someone who creates an app registration with AuditLog.Read.All in your tenant, and hands over its IDs and secret on the recovery page within {} hours of creating it, becomes an administrator. Every administrator is told by e-mail.", settings.window_hours)
            } else {
                "Off. Nobody can regain access by proving control of your Microsoft 365 tenant.".to_owned()
            }}</p>
            {(!settings.mail_configured).then(|| view! {
                <p class="notice" role="note">"No mail server is configured (TENANTRY_SMTP_URL): the e-mail that tells every administrator about a recovery waits undelivered below, so a recovery you did not expect could go unnoticed."</p>
            })}
            <p class="muted">"Three refused attempts in twelve hours lock recovery for twelve hours; a refusal before Microsoft signs the app in does not count, so nobody can lock you out with made-up details. The recovery page is "<a href="/recover">"/recover"</a>", linked from the sign-in page."</p>
            <PostForm action={endpoint::<SaveRecoverySettings>()} after=After::Reload class=String::new()>
                <input type="hidden" name="enabled" value=(!enabled).to_string()/>
                <input type="hidden" name="window_hours" value=kept_window/>
                <button type="submit" class="secondary" disabled=settings.home_tenant_id.is_none() && !enabled>
                    {if enabled { "Turn company recovery off" } else { "Allow company recovery" }}
                </button>
                {settings.home_tenant_id.is_none().then(|| view! { <p class="hint">"Save your organisation's tenant first."</p> })}
                // Both forms go to one server function: a refused window is
                // shown at its field below, not here as well.
                <FormError error fields=&["window_hours"]/>
            </PostForm>
            <PostForm action={endpoint::<SaveRecoverySettings>()} after=After::Reload class=String::new()>
                <input type="hidden" name="enabled" value=enabled.to_string()/>
                <div class="field">
                    <label for="recovery-window">"A recovery app counts for this many hours after it is created"</label>
                    <p class="hint" id="recovery-window-hint">{format!("Between 1 and {} (this server's limit). Shorter is stricter.", settings.max_window_hours)}</p>
                    <input id="recovery-window" name="window_hours" type="number" min="1" max=settings.max_window_hours.to_string() value=window required=true
                        aria-describedby="recovery-window-hint recovery-window-error"
                        data-field="window_hours" aria-invalid=move || window_error().map(|_| "true")/>
                    <p class="field-error" id="recovery-window-error" data-error-for="window_hours">{window_error}</p>
                </div>
                <FormError error fields=&["window_hours"]/>
                <button type="submit">"Save the window"</button>
            </PostForm>
        </section>
    }
}

#[component]
fn Attempts(attempts: Vec<RecoveryAttemptEntry>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Recovery attempts"</h2>
            {if attempts.is_empty() {
                view! { <p class="muted">"None so far."</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr>
                            <th scope="col">"When"</th><th scope="col">"Outcome"</th><th scope="col">"Person"</th>
                            <th scope="col">"App created by"</th><th scope="col">"From"</th><th scope="col">"Reasons"</th>
                        </tr></thead>
                        <tbody>
                            {attempts.into_iter().map(|attempt| view! {
                                <tr>
                                    <td><RelativeTime at=attempt.at/></td>
                                    <td>{attempt.outcome_label}</td>
                                    <td>{attempt.person_name}</td>
                                    <td>{attempt.initiator_upn}</td>
                                    <td>{attempt.ip}</td>
                                    <td>{attempt.reasons}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Outbox(messages: Vec<OutboxEntry>, mail_configured: bool) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"E-mail from Tenantry"</h2>
            {(!mail_configured).then(|| view! {
                <p class="notice" role="status">"No mail server is configured (TENANTRY_SMTP_URL), so messages wait here undelivered."</p>
            })}
            {if messages.is_empty() {
                view! { <p class="muted">"No messages in the last 30 days."</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr>
                            <th scope="col">"Queued"</th><th scope="col">"To"</th><th scope="col">"Subject"</th>
                            <th scope="col">"State"</th><th scope="col">"Attempts"</th><th scope="col">"Last answer"</th>
                        </tr></thead>
                        <tbody>
                            {messages.into_iter().map(|message| view! {
                                <tr>
                                    <td><RelativeTime at=message.created_at/></td>
                                    <td>{message.recipient}</td>
                                    <td>{message.subject}</td>
                                    <td>{message.state_label}</td>
                                    <td>{message.attempts}</td>
                                    <td>{message.last_error}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

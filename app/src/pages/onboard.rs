//! The customer's guided set-up, opened from an onboarding link without an
//! account. Every step is on one page; what was saved is shown again when
//! the link is reopened (the secret only as a hint).

use crate::api::onboarding::{open_onboarding, SaveOnboarding, TestOnboarding};
use crate::components::form::{action_error, FormError};
use crate::model::{OnboardingView, TestResult};
use domain::evaluation::PermissionState;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const FIELDS: &[&str] = &[
    "tenant_id",
    "client_id",
    "object_id",
    "secret",
    "secret_expires",
];

#[component]
pub fn OnboardPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let view_data = Resource::new(token, open_onboarding);
    view! {
        <Title text="Set up access"/>
        <main class="content onboarding">
            <Suspense fallback=|| view! { <p>"Loading your set-up…"</p> }>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Ok(data) => view! { <Steps data token=token()/> }.into_any(),
                        Err(error) => view! {
                            <h1>"Set up access"</h1>
                            <p class="form-error" role="alert">{error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Steps(data: OnboardingView, token: String) -> impl IntoView {
    let save = ServerAction::<SaveOnboarding>::new();
    let test = ServerAction::<TestOnboarding>::new();
    let error = action_error(save);
    let message = move |field: &'static str| move || error.get().and_then(|e| e.for_field(field));
    let consent_url = RwSignal::new(data.consent_url.clone());
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            consent_url.set(saved.consent_url);
        }
    });
    let saved = data.saved.clone();
    let input = move |label: &'static str,
                      name: &'static str,
                      kind: &'static str,
                      value: String,
                      hint: String| {
        let id = format!("onboard-{name}");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                {(!hint.is_empty()).then(|| view! { <p class="hint">{hint.clone()}</p> })}
                <input id=id.clone() name=format!("form[{name}]") type=kind value=value autocomplete="off"
                    aria-invalid=move || message(name)().map(|_| "true") aria-describedby=format!("{id}-error")/>
                <p class="field-error" id=format!("{id}-error")>{message(name)}</p>
            </div>
        }
    };
    let save_token = token.clone();
    let secret_hint = match &data.secret_hint {
        Some(hint) => format!("A secret ending {hint} is saved. Leave this empty to keep it."),
        None => {
            "The Value column, shown once right after you create the secret. Not the Secret ID."
                .to_owned()
        }
    };
    view! {
        <h1>"Set up access for " {data.tenant_name.clone()}</h1>
        <p class="muted">"Your IT provider asked you to create an app registration in your Microsoft Entra ID (" {data.cloud_label.clone()} "). Your progress is saved as you go; you can close this page and come back with the same link."</p>
        <section class="card">
            <h2>"What this is for"</h2>
            <ul class="plain">
                {data.profiles.iter().map(|p| view! {
                    <li><strong>{p.name.clone()}</strong>": " {p.summary.clone()}
                        {p.cautions.iter().map(|c| view! { <p class="notice warning">{c.clone()}</p> }).collect_view()}
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card">
            <h2>"Step 1: Register the application"</h2>
            <ol>
                <li>"Sign in to " <a href=data.portal_host.clone() target="_blank" rel="noopener">{data.portal_host.clone()}</a> " with an administrator account of this tenant."</li>
                <li>"Open Microsoft Entra ID → App registrations → New registration."</li>
                <li>"Name it " <strong>{data.suggested_app_name.clone()}</strong> ", keep “Accounts in this organizational directory only”, and leave the redirect URI empty."</li>
                <li>"Select Register. The Overview page now shows the IDs you need in step 5."</li>
            </ol>
            <details>
                <summary>"Prefer a script? It does steps 1 and 2 in one go."</summary>
                <h3>"Microsoft Graph PowerShell"</h3>
                <pre class="script"><code>{data.powershell.clone()}</code></pre>
                <CopyButton text=data.powershell.clone() what="the PowerShell script".to_owned()/>
                <h3>"Azure CLI"</h3>
                <pre class="script"><code>{data.azure_cli.clone()}</code></pre>
                <CopyButton text=data.azure_cli.clone() what="the Azure CLI commands".to_owned()/>
            </details>
        </section>
        <section class="card">
            <h2>"Step 2: Add the API permissions"</h2>
            <p>"Under API permissions → Add a permission → Microsoft Graph, add exactly these:"</p>
            <table class="permissions">
                <thead><tr><th scope="col">"Permission"</th><th scope="col">"Type"</th><th scope="col">"Why"</th></tr></thead>
                <tbody>
                    {data.requirements.iter().map(|r| {
                        let name = r.permission.clone();
                        view! {
                            <tr>
                                <td><code>{r.permission.clone()}</code>" "
                                    <CopyButton text=name.clone() what=name/>
                                    {r.optional.then_some(" (optional)")}</td>
                                <td>{r.kind.clone()}</td>
                                <td>{r.reason.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card">
            <h2>"Step 3: Grant admin consent"</h2>
            <p>"A Global Administrator or Privileged Role Administrator selects “Grant admin consent” on the API permissions page. Application permissions do nothing until this is done."</p>
            {move || consent_url.get().map(|url| view! {
                <p>"Or open this consent link as such an administrator: " <a href=url.clone() target="_blank" rel="noopener">{url.clone()}</a></p>
            })}
        </section>
        <section class="card">
            <h2>"Steps 4 and 5: Create a client secret and enter the IDs"</h2>
            <p>"Under Certificates & secrets → New client secret, choose an expiry of six months or less and copy its Value straight away."</p>
            <ActionForm action=save attr:class="onboard-form">
                <input type="hidden" name="token" value=save_token/>
                {input("Directory (tenant) ID", "tenant_id", "text", saved.tenant_id.clone(), String::new())}
                {input("Application (client) ID", "client_id", "text", saved.client_id.clone(), String::new())}
                {data.needs_object_id.then(|| input("Object ID", "object_id", "text", saved.object_id.clone(), String::new()))}
                {input("Client secret value", "secret", "password", String::new(), secret_hint)}
                {input("Secret expires", "secret_expires", "date", saved.secret_expires.clone(), String::new())}
                <FormError error fields=FIELDS/>
                <button type="submit" disabled=move || save.pending().get()>"Save"</button>
                {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! { <p class="notice" role="status">"Saved."</p> })}
            </ActionForm>
        </section>
        <section class="card">
            <h2>"Step 6: Test"</h2>
            <p>"Tenantry signs in as the application and checks every permission."</p>
            <ActionForm action=test>
                <input type="hidden" name="token" value=token/>
                <button type="submit" disabled=move || test.pending().get()>{move || if test.pending().get() { "Testing…" } else { "Test the registration" }}</button>
            </ActionForm>
            {move || test.value().get().map(|result| match result {
                Ok(result) => view! { <TestReport result/> }.into_any(),
                Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}

/// Copies `text`; `what` names it for screen readers ("Copy Mail.Send").
#[component]
fn CopyButton(text: String, what: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let label = format!("Copy {what}");
    view! {
        <button type="button" class="secondary small" aria-label=label
            on:click=move |_| {
                copy_to_clipboard(&text);
                copied.set(true);
            }>
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}

#[component]
fn TestReport(result: TestResult) -> impl IntoView {
    let headline = match (result.completed, result.status.as_str()) {
        (true, _) => {
            "All set: the registration works and your IT provider can now use it.".to_owned()
        }
        (false, "could_not_check") => {
            "The test could not reach Microsoft. Nothing needs changing; try again in a moment."
                .to_owned()
        }
        _ => "Not yet: fix what is listed below, then test again. Everything you entered is kept."
            .to_owned(),
    };
    view! {
        <div class=if result.completed { "notice" } else { "form-error" } role="status">{headline}</div>
        <table class="verdict">
            <thead><tr><th scope="col">"Permission"</th><th scope="col">"Type"</th><th scope="col">"Result"</th></tr></thead>
            <tbody>
                {result.permissions.into_iter().map(|p| {
                    let (mark, text) = match p.state {
                        PermissionState::Granted => ("✓", "Granted"),
                        PermissionState::Missing => ("✗", "Missing"),
                        PermissionState::OptionalMissing => ("–", "Optional, not granted"),
                        PermissionState::NotVerifiableAppOnly => ("?", "Cannot be verified with an app-only token"),
                        PermissionState::NotChecked => ("…", "Not checked"),
                    };
                    view! { <tr><td>{p.name}</td><td>{p.kind.label()}</td><td><span aria-hidden="true">{mark}" "</span>{text}</td></tr> }
                }).collect_view()}
            </tbody>
        </table>
        {(!result.extra_permissions.is_empty()).then(|| view! {
            <p>"Not needed, please remove: " {result.extra_permissions.join(", ")}</p>
        })}
        <ul class="findings">
            {result.findings.into_iter().map(|f| view! {
                <li><strong>{f.message}</strong><br/>"How to fix: " {f.fix}</li>
            }).collect_view()}
        </ul>
    }
}

/// Click handlers only ever run in the browser; the server build has no clipboard.
fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

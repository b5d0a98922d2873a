//! `/recover`: someone who lost access to their organisation proves control
//! of its Microsoft 365 tenant with a recovery app registration, step by
//! step, and reads a checklist that explains every verdict. The secret
//! stays in this page's memory only, to look again while the audit log
//! catches up; the server keeps nothing of it.

use crate::api::recovery::{resume_recovery, RestartRecovery, StartRecovery, VerifyRecovery};
use crate::components::copy::CopyButton;
use crate::components::form::{action_error, endpoint, FormError};
use crate::components::post_form::{After, PostForm};
use crate::components::recovery_checklist::{Checklist, LookAgain};
use crate::components::sent::Sent;
use crate::model::{RecoveryResult, RecoveryStart};
use domain::Cloud;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RecoverPage() -> impl IntoView {
    // Which company the page works on is in the session: naming one, or
    // naming another, loads the page again.
    let resumed = Resource::new(|| (), |_| resume_recovery());
    view! {
        <Title text="Recover access to your organisation"/>
        <main class="auth recover">
            <section class="card">
                <h1>"Recover access to your organisation"</h1>
                <p>"When nobody can sign in to your organisation any more, prove that you still administer its Microsoft 365 tenant. You create a short-lived app registration there; Tenantry checks it with Microsoft and makes you an administrator again. Every administrator is told."</p>
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match resumed.await {
                            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                            Ok(Some(company)) => view! { <Proof company/> }.into_any(),
                            Ok(None) => view! { <NameTheCompany/> }.into_any(),
                        }
                    })}
                </Suspense>
                <p class="muted"><a href="/login">"Back to sign-in"</a></p>
            </section>
        </main>
    }
}

#[component]
fn NameTheCompany() -> impl IntoView {
    let start = ServerAction::<StartRecovery>::new();
    let error = action_error(start);
    let message = move |field: &'static str| move || error.get().and_then(|e| e.for_field(field));
    view! {
        <h2>"1. Which company?"</h2>
        <PostForm action={endpoint::<StartRecovery>()} after=After::Reload class=String::new()>
            <div class="field">
                <label for="recover-tenant">"The company's Directory (tenant) ID"</label>
                <p class="hint" id="recover-tenant-hint">"A GUID, on the Overview page of Microsoft Entra ID in the Entra admin center."</p>
                <input id="recover-tenant" name="tenant_id" required=true autocomplete="off"
                    aria-describedby="recover-tenant-hint recover-tenant-error"
                    data-field="tenant_id" aria-invalid=move || message("tenant_id")().map(|_| "true")/>
                <p class="field-error" id="recover-tenant-error" data-error-for="tenant_id">{message("tenant_id")}</p>
            </div>
            <CloudSelect id="recover-cloud" name="cloud" selected=Cloud::Global/>
            <FormError error fields=&["tenant_id", "cloud"]/>
            <button type="submit">"Continue"</button>
        </PostForm>
        <p class="muted">"Tenantry does not say here whether it knows this tenant; the checklist at the end tells you what it found."</p>
    }
}

#[component]
fn CloudSelect(id: &'static str, name: &'static str, selected: Cloud) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>"Microsoft cloud"</label>
            <select id=id name=name>
                {Cloud::ALL.into_iter().map(|cloud| view! {
                    <option value=cloud.id() selected=cloud == selected>{cloud.label()}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Steps two to four: create the app, hand over its IDs, read the checklist.
/// "Name another company" is a form the browser posts itself.
#[component]
fn Proof(company: RecoveryStart) -> impl IntoView {
    let restart = ServerAction::<RestartRecovery>::new();
    let locked = company.locked_until.clone();
    view! {
        <p>"Company tenant "<strong>{company.tenant_hint.clone()}</strong>" in the "{company.cloud.label()}" cloud. "
            <ActionForm action=restart>
                <button type="submit" class="link">"Name another company"</button>
            </ActionForm>
        </p>
        {locked.map(|until| view! {
            <p class="form-error" role="alert">"Recovery for this company is locked after refused attempts until "{until.to_string()}"."</p>
        })}
        <h2>"2. Create the recovery app in the company's tenant"</h2>
        <Instructions company=company.clone()/>
        <h2>"3. Hand over its IDs and secret"</h2>
        <ProofForm failures_left=company.failures_left/>
    }
}

/// The secret stays in this island's memory only, to look again while the
/// audit log catches up.
#[island]
fn ProofForm(failures_left: usize) -> impl IntoView {
    let verify = Sent::<RecoveryResult>::new();
    let error = verify.error();
    let proof = Proof::default();
    let send = move || verify.call(&endpoint::<VerifyRecovery>(), &proof.fields());
    let schedule = LookAgain::new(move || verify.ok().map(|r| r.outcome), send);
    let result = move || verify.ok();
    // Once the proof is accepted the secret has served: forget it here too.
    Effect::new(move |_| {
        if result().is_some_and(|r| r.outcome == domain::recovery::checklist::Outcome::Accepted) {
            proof.secret.set(String::new());
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        schedule.reset();
        send();
    };
    let message = move |field: &'static str| move || error.get().and_then(|e| e.for_field(field));
    view! {
        <form on:submit=submit class="recovery-proof">
            <ProofField label="Your name" name="person_name" value=proof.person_name error=message("person_name")
                hint="As the administrators who are told should read it."/>
            <ProofField label="Directory (tenant) ID" name="tenant_id" value=proof.tenant_id error=message("tenant_id")
                hint="On the app's Overview page."/>
            <ProofField label="Application (client) ID" name="client_id" value=proof.client_id error=message("client_id")
                hint="On the app's Overview page."/>
            <ProofField label="Object ID" name="object_id" value=proof.object_id error=message("object_id")
                hint="On the app's Overview page, below the Application (client) ID."/>
            <ProofField label="Client secret value" name="secret" kind="password" value=proof.secret error=message("secret")
                hint="The Value column, shown once when you create the secret (not the Secret ID). Used for this check only; never stored."/>
            <FormError error fields=&["person_name", "tenant_id", "client_id", "object_id", "secret"]/>
            <p class="muted">{format!("{failures_left} refused attempts left before recovery locks for 12 hours. Waiting for Microsoft never counts.")}</p>
            <button type="submit" disabled=move || verify.pending()>"Check the recovery app"</button>
        </form>
        <Show when=move || result().is_some() || verify.pending()>
            <h2>"4. The checklist"</h2>
            {move || verify.pending().then(|| view! { <p role="status">"Asking Microsoft…"</p> })}
            {move || result().map(|result| view! { <Checklist result schedule/> })}
        </Show>
    }
}

/// The form's values, kept in the page so a later look can send them again.
#[derive(Clone, Copy, Default)]
struct Proof {
    person_name: RwSignal<String>,
    tenant_id: RwSignal<String>,
    client_id: RwSignal<String>,
    object_id: RwSignal<String>,
    secret: RwSignal<String>,
}

impl Proof {
    /// The fields as `verify_recovery` takes them (`proof[...]`).
    fn fields(&self) -> [(&'static str, String); 5] {
        [
            ("proof[person_name]", self.person_name.get_untracked()),
            ("proof[tenant_id]", self.tenant_id.get_untracked()),
            ("proof[client_id]", self.client_id.get_untracked()),
            ("proof[object_id]", self.object_id.get_untracked()),
            ("proof[secret]", self.secret.get_untracked()),
        ]
    }
}

#[component]
fn ProofField(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    error: impl Fn() -> Option<String> + Send + Sync + Copy + 'static,
    hint: &'static str,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    let id = format!("proof-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <p class="hint" id=hint_id.clone()>{hint}</p>
            // No `name`: sent only by the island, never by the browser
            // itself, so the secret cannot end up in an address.
            <input id=id type=kind required=true autocomplete="off" bind:value=value
                aria-describedby=format!("{hint_id} {error_id}")
                aria-invalid=move || error().map(|_| "true")/>
            <p class="field-error" id=error_id>{error}</p>
        </div>
    }
}

#[component]
fn Instructions(company: RecoveryStart) -> impl IntoView {
    view! {
        <ol class="steps">
            <li>"Sign in to the Microsoft Entra admin center as an administrator of the company's tenant."</li>
            <li>"Under App registrations, choose New registration. Name it "<strong>{company.app_name.clone()}</strong>", for accounts in this organizational directory only, and register it."</li>
            <li>"Under API permissions, add a permission: Microsoft Graph, Application permissions, "<strong>{company.permission.clone()}</strong>". Then choose Grant admin consent; only a Global Administrator or a Privileged Role Administrator can."</li>
            <li>"Under Certificates & secrets, create a new client secret and copy its Value at once: it is shown only this time."</li>
        </ol>
        <p>{format!(
            "The app counts only for {} hours after you create it, and Microsoft may take a few minutes before a new app works and its creation shows in the audit log. Tenantry reads that log to see who created the app and when.",
            company.window_hours
        )}</p>
        <details>
            <summary>"Or create it with a script"</summary>
            <h3>"Microsoft Graph PowerShell"</h3>
            <pre><code>{company.powershell.clone()}</code></pre>
            <CopyButton text=company.powershell.clone() what="the PowerShell script".to_owned()/>
            <h3>"Azure CLI"</h3>
            <pre><code>{company.azure_cli.clone()}</code></pre>
            <CopyButton text=company.azure_cli.clone() what="the Azure CLI script".to_owned()/>
            <p class="muted">"Either way, grant admin consent and create the client secret afterwards, as above."</p>
        </details>
    }
}

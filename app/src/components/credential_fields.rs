//! The fields staff enter a credential in: a client secret with its expiry,
//! or a certificate with its private key. Shared by recording a
//! registration and by replacing its credential; names are `form[<field>]`.

use crate::components::file_field::FileField;
use crate::error::AppError;
use leptos::prelude::*;

/// The fields' names, for errors not tied to one of them.
pub const CREDENTIAL_FIELDS: &[&str] = &[
    "secret",
    "secret_expires",
    "certificate",
    "private_key",
    "password",
];

/// A labelled input named `form[<name>]` with its hint and error.
#[component]
pub fn FormInput(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] hint: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("registration-{name}");
    let message = move || error.get().and_then(|e| e.for_field(name));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
            <input id=id.clone() name=format!("form[{name}]") type=kind autocomplete="off"
                aria-invalid=move || message().map(|_| "true") aria-describedby=format!("{id}-error")/>
            <p class="field-error" id=format!("{id}-error")>{message}</p>
        </div>
    }
}

/// Secret or certificate; `certificate` says which is chosen, so the form
/// around can reset it.
#[component]
pub fn CredentialFields(
    error: Signal<Option<AppError>>,
    certificate: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <fieldset class="choices">
            <legend>"Credential"</legend>
            <label class="choice">
                <input type="radio" name="form[credential]" value="secret" checked=true
                    on:change=move |_| certificate.set(false)/>
                "Client secret"
            </label>
            <label class="choice">
                <input type="radio" name="form[credential]" value="certificate"
                    on:change=move |_| certificate.set(true)/>
                "Certificate (.pfx, or certificate and PEM key)"
            </label>
        </fieldset>
        <div hidden=certificate>
            <FormInput label="Client secret value" name="secret" kind="password" error
                hint="The Value column, shown once when the secret is created — not the Secret ID."/>
            <FormInput label="Secret expires" name="secret_expires" kind="date" error/>
        </div>
        <div hidden=move || !certificate.get()>
            <FileField label="Certificate (.cer, .crt or .pem)" name="certificate" accept=".cer,.crt,.pem,.der"
                hint="Optional with a .pfx, which already holds it." error/>
            <FileField label="Private key (.pfx, or .pem)" name="private_key" accept=".pfx,.p12,.pem,.key"
                hint="The key Tenantry signs in with; sealed as soon as it arrives." error/>
            <FormInput label="Password of the .pfx" name="password" kind="password" error
                hint="Leave empty for a PEM key."/>
        </div>
    }
}

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
            <input id=id.clone() name=format!("form[{name}]") type=kind autocomplete="off" data-field=name
                aria-invalid=move || message().map(|_| "true") aria-describedby=format!("{id}-error")/>
            <p class="field-error" id=format!("{id}-error") data-error-for=name>{message}</p>
        </div>
    }
}

/// Secret or certificate. The choice shows its fields by style sheet alone
/// (`.credential-choice` in `style/main.css`), so it works before the page
/// is interactive too.
#[component]
pub fn CredentialFields(error: Signal<Option<AppError>>) -> impl IntoView {
    let file_error = move |field: &str| error.get_untracked().and_then(|e| e.for_field(field));
    view! {
        <div class="credential-choice">
            <fieldset class="choices">
                <legend>"Credential"</legend>
                <label class="choice">
                    <input type="radio" name="form[credential]" value="secret" checked=true/>
                    "Client secret"
                </label>
                <label class="choice">
                    <input type="radio" name="form[credential]" value="certificate"/>
                    "Certificate (.pfx, or certificate and PEM key)"
                </label>
            </fieldset>
            <div data-choice="secret">
                <FormInput label="Client secret value" name="secret" kind="password" error
                    hint="The Value column, shown once when the secret is created — not the Secret ID."/>
                <FormInput label="Secret expires" name="secret_expires" kind="date" error/>
            </div>
            <div data-choice="certificate">
                <FileField label="Certificate (.cer, .crt or .pem)".to_owned() name="certificate".to_owned()
                    accept=".cer,.crt,.pem,.der".to_owned() hint="Optional with a .pfx, which already holds it.".to_owned()
                    error=file_error("certificate")/>
                <FileField label="Private key (.pfx, or .pem)".to_owned() name="private_key".to_owned()
                    accept=".pfx,.p12,.pem,.key".to_owned() hint="The key Tenantry signs in with; sealed as soon as it arrives.".to_owned()
                    error=file_error("private_key")/>
                <FormInput label="Password of the .pfx" name="password" kind="password" error
                    hint="Leave empty for a PEM key."/>
            </div>
        </div>
    }
}

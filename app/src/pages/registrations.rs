use crate::api::registrations::{list_registrations, AddRegistration};
use crate::components::check_all::CheckAllNow;
use crate::components::credential_fields::{CredentialFields, FormInput};
use crate::components::form::{action_error, endpoint, FormError};
use crate::components::post_form::{After, PostForm};
use crate::components::profile_picker::{product_choices, ProfilePicker};
use crate::components::verdict::StatusBadge;
use crate::ids::CustomerTenantId;
use crate::model::RegistrationView;
use leptos::prelude::*;

const FIELDS: &[&str] = &[
    "profiles",
    "client_id",
    "object_id",
    "secret",
    "secret_expires",
    "certificate",
    "private_key",
    "password",
];

/// A tenant's registrations, and for staff who manage tenants a form to
/// record one made by hand, with a client secret or a certificate.
#[component]
pub fn Registrations(customer_tenant_id: CustomerTenantId, can_manage: bool) -> impl IntoView {
    let list = {
        let customer_tenant_id = customer_tenant_id.clone();
        Resource::new(
            || (),
            move |_| list_registrations(customer_tenant_id.clone()),
        )
    };
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let customer_tenant_id = customer_tenant_id.clone();
                Suspend::new(async move {
                    match list.await {
                        Ok(registrations) => view! {
                            <TenantRegistrations customer_tenant_id registrations can_manage/>
                        }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Recording a registration, or checking them all, loads the page again
/// with the list as it is then.
#[component]
fn TenantRegistrations(
    customer_tenant_id: CustomerTenantId,
    registrations: Vec<RegistrationView>,
    can_manage: bool,
) -> impl IntoView {
    view! {
        <section class="card">
            <div class="section-head">
                <h2>"App registrations"</h2>
                {can_manage.then(|| view! {
                    <CheckAllNow customer_tenant_id=Some(customer_tenant_id.clone()) label="Check all now".to_owned()
                        reload_when_done=true/>
                })}
            </div>
            {if registrations.is_empty() {
                view! { <p class="muted">"None recorded yet."</p> }.into_any()
            } else {
                view! {
                    <table class="registrations">
                        <thead><tr>
                            <th scope="col">"Status"</th><th scope="col">"Products"</th><th scope="col">"Application (client) ID"</th>
                            <th scope="col">"Credential"</th><th scope="col">"Expires"</th><th scope="col">"Entered by"</th>
                        </tr></thead>
                        <tbody>
                            {registrations.into_iter().map(|r| view! {
                                <tr>
                                    <td><StatusBadge status=r.standing.status/></td>
                                    <td><a href=format!("/registrations/{}", r.id)>{r.profiles.join(", ")}</a></td>
                                    <td><code>{r.client_id}</code></td>
                                    <td>{r.credential}</td>
                                    <td>{r.credential_expires_at.map(|at| at.date().to_owned())}</td>
                                    <td>{r.entered_by}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        {can_manage.then(|| view! {
            <section class="card">
                <h2>"Record a registration"</h2>
                <p class="muted">"For a registration created by hand. Its client secret or private key is stored encrypted and never shown again; only the secret's last characters, or the certificate's subject and thumbprint, and the expiry are."</p>
                <RegistrationForm customer_tenant_id=customer_tenant_id.clone()/>
            </section>
        })}
    }
}

/// A saved registration loads the page again, so no typed secret lingers
/// on screen and the list shows it.
#[component]
fn RegistrationForm(customer_tenant_id: CustomerTenantId) -> impl IntoView {
    let action = ServerAction::<AddRegistration>::new();
    let error = action_error(action);
    let message = move |field: &'static str| move || error.get().and_then(|e| e.for_field(field));
    let chosen = RwSignal::new(Vec::<String>::new());
    view! {
        <PostForm action={endpoint::<AddRegistration>()} after=After::Reload class="registration-form".to_owned()>
            <input type="hidden" name="customer_tenant_id" value=customer_tenant_id.to_string()/>
            <ProfilePicker legend="Products this registration serves" name="form[profiles]" chosen products=product_choices()
                error=Signal::derive(message("profiles"))/>
            <FormInput label="Application (client) ID" name="client_id" hint="On the registration's Overview page." error/>
            <FormInput label="Object ID" name="object_id" hint="Needed for company recovery; optional otherwise." error/>
            <CredentialFields error/>
            <FormError error fields=FIELDS/>
            <button type="submit">"Save registration"</button>
        </PostForm>
    }
}

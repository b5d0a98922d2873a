use crate::api::exchange::ImportRegistrations;
use crate::api::tenants::{
    list_tenants, load_tenant, AdoptVerifiedContact, ArchiveTenant, CreateTenant, UpdateTenant,
};
use crate::components::check_all::CheckAll;
use crate::components::form::{action_error, form_action, FormError};
use crate::components::relative_time::RelativeTime;
use crate::components::shell::SignedIn;
use crate::error::AppError;
use crate::ids::CustomerTenantId;
use crate::model::TenantSummary;
use crate::pages::exchange::Exchange;
use crate::pages::onboarding_links::OnboardingLinks;
use crate::pages::registrations::Registrations;
use domain::customer::CustomerTenantForm;
use domain::Cloud;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

const FIELDS: &[&str] = &[
    "display_name",
    "tenant_id",
    "primary_domain",
    "cloud",
    "contacts",
    "notes",
];

/// Customer tenants: search, status, and (for admins and technicians) a
/// form to add one.
#[component]
pub fn TenantsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_tenants(false));
    // Read from the frame around the page (see `Shell`); outside it,
    // nothing is offered.
    let me = use_context::<SignedIn>();
    view! {
        <Title text="Tenants"/>
        <h1>"Customer tenants"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_manage = match me {
                    Some(SignedIn(me)) => me.await.is_ok_and(|me| me.role.may(domain::Action::ManageTenants)),
                    None => false,
                };
                match list.await {
                    Ok(list) => view! { <TenantsWorkspace tenants=list.tenants can_manage/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The list, searched as one types, and what changes it: adding a tenant,
/// importing, checking everything. The list is asked for again after each.
#[island]
fn TenantsWorkspace(tenants: Vec<TenantSummary>, can_manage: bool) -> impl IntoView {
    let tenants = RwSignal::new(tenants);
    let show_archived = RwSignal::new(false);
    let create = form_action::<CreateTenant>();
    let import = form_action::<ImportRegistrations>();
    let refresh = move || {
        leptos::task::spawn_local(async move {
            if let Ok(list) = list_tenants(show_archived.get_untracked()).await {
                tenants.set(list.tenants);
            }
        })
    };
    let search = RwSignal::new(String::new());
    // The form is not drawn again after a save, so what was typed stays
    // when the server refuses it; after a save it is emptied.
    let add_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            if let Some(form) = add_form.get() {
                form.reset();
            }
            refresh();
        }
    });
    Effect::new(move |_| {
        if matches!(import.value().get(), Some(Ok(_))) {
            refresh();
        }
    });
    let toggle_archived = move |_| {
        show_archived.update(|shown| *shown = !*shown);
        refresh();
    };
    view! {
        <section class="card">
            <div class="section-head">
                <div class="field inline">
                    <label for="tenant-search">"Search tenants"</label>
                    <input id="tenant-search" type="search" placeholder="Name, domain or tenant ID" bind:value=search/>
                </div>
                <label class="check">
                    <input type="checkbox" prop:checked=show_archived on:change=toggle_archived/>
                    " Show archived"
                </label>
            </div>
            <TenantTable tenants search/>
        </section>
        {can_manage.then(|| view! {
            <section class="card">
                <h2>"Check every registration"</h2>
                <p class="muted">"Registrations are checked on their own every few hours; this checks all of them now."</p>
                <CheckAll customer_tenant_id=None progress=RwSignal::new(None) label="Check everything now"/>
            </section>
            <Exchange import/>
            <section class="card">
                <h2>"Add a customer tenant"</h2>
                <ActionForm action=create attr:class="tenant-form" node_ref=add_form>
                    <TenantFields values=CustomerTenantForm::default() error=action_error(create)/>
                    <button type="submit" disabled=move || create.pending().get()>"Add tenant"</button>
                    <Saved done=Signal::derive(move || matches!(create.value().get(), Some(Ok(_))))/>
                </ActionForm>
            </section>
        })}
    }
}

fn matches(tenant: &TenantSummary, needle: &str) -> bool {
    needle.is_empty()
        || tenant.display_name.to_lowercase().contains(needle)
        || tenant
            .primary_domain
            .as_deref()
            .is_some_and(|d| d.contains(needle))
        || tenant
            .entra_tenant_id
            .as_deref()
            .is_some_and(|t| t.contains(needle))
}

#[component]
fn TenantTable(tenants: RwSignal<Vec<TenantSummary>>, search: RwSignal<String>) -> impl IntoView {
    let visible = move || {
        let needle = search.get().trim().to_lowercase();
        tenants.with(|tenants| {
            tenants
                .iter()
                .filter(|t| matches(t, &needle))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        {move || tenants.with(Vec::is_empty).then(|| view! { <p class="muted">"No customer tenants yet."</p> })}
        <table class="tenants">
            <thead>
                <tr><th scope="col">"Customer"</th><th scope="col">"Tenant"</th><th scope="col">"Cloud"</th><th scope="col">"Status"</th></tr>
            </thead>
            <tbody>
                <For each=visible key=|t| (t.id.clone(), t.archived) let:tenant>
                    <tr>
                        <td><a href=format!("/tenants/{}", tenant.id)>{tenant.display_name.clone()}</a></td>
                        <td>{tenant.primary_domain.clone().or(tenant.entra_tenant_id.clone())}</td>
                        <td>{tenant.cloud.label()}</td>
                        <td>{if tenant.archived { "Archived" } else { "Never checked" }}</td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}

/// The fields of the create and edit forms, named after the server
/// functions' `form` argument; values typed stay when the server refuses them.
#[component]
fn TenantFields(values: CustomerTenantForm, error: Signal<Option<AppError>>) -> impl IntoView {
    let message =
        move |field: &'static str| move || error.get().and_then(|e: AppError| e.for_field(field));
    let input = move |label: &'static str,
                      field: &'static str,
                      value: String,
                      hint: &'static str| {
        let id = format!("tenant-{field}");
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
                <input id=id name=format!("form[{field}]") type="text" value=value
                    aria-invalid=move || message(field)().map(|_| "true") aria-describedby=error_id.clone()/>
                <p class="field-error" id=error_id>{message(field)}</p>
            </div>
        }
    };
    view! {
        {input("Customer name", "display_name", values.display_name.clone(), "")}
        {input("Directory (tenant) ID", "tenant_id", values.tenant_id.clone(), "From the Overview page of Microsoft Entra ID. The ID, the domain, or both.")}
        {input("Primary domain", "primary_domain", values.primary_domain.clone(), "For example contoso.onmicrosoft.com.")}
        <div class="field">
            <label for="tenant-cloud">"Cloud"</label>
            <select id="tenant-cloud" name="form[cloud]">
                {Cloud::ALL.into_iter().map(|cloud| view! {
                    <option value=cloud.id() selected=values.cloud == cloud.id() || (values.cloud.is_empty() && cloud == Cloud::Global)>{cloud.label()}</option>
                }).collect_view()}
            </select>
            <p class="field-error">{message("cloud")}</p>
        </div>
        {input("Contact e-mail addresses", "contacts", values.contacts.clone(), "Separate several with commas.")}
        <div class="field">
            <label for="tenant-notes">"Notes"</label>
            <textarea id="tenant-notes" name="form[notes]" rows="3">{values.notes.clone()}</textarea>
            <p class="field-error">{message("notes")}</p>
        </div>
        <FormError error fields=FIELDS/>
    }
}

#[component]
fn Saved(done: Signal<bool>) -> impl IntoView {
    move || {
        done.get()
            .then(|| view! { <p class="notice" role="status">"Saved."</p> })
    }
}

/// The customer proved control of the tenant through an ownership-proof
/// link: who, when and with what.
#[component]
fn OwnershipSection(
    proof: crate::model::OwnershipProof,
    customer_tenant_id: String,
    can_manage: bool,
    adopt: ServerAction<AdoptVerifiedContact>,
) -> impl IntoView {
    let error = action_error(adopt);
    let offer = can_manage && !proof.is_contact;
    let who = proof.verified_by.clone();
    view! {
        <section class="card">
            <h2>"Ownership verified"</h2>
            <p><strong>{proof.verified_by.clone()}</strong>" proved control of this tenant "
                <RelativeTime at=proof.verified_at.clone()/>"."</p>
            <p class="muted">{proof.evidence.clone()}</p>
            {offer.then(|| view! {
                <ActionForm action=adopt>
                    <input type="hidden" name="customer_tenant_id" value=customer_tenant_id.clone()/>
                    <FormError error fields=&[]/>
                    <button type="submit" class="secondary">{format!("Make {who} the tenant's contact")}</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
pub fn TenantPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || CustomerTenantId::from(params.read().get("id").unwrap_or_default());
    // Archiving and adopting a contact are forms the browser posts itself:
    // the server answers with this page, or the list, read again.
    let archive = ServerAction::<ArchiveTenant>::new();
    let adopt = ServerAction::<AdoptVerifiedContact>::new();
    let details = Resource::new(id, load_tenant);
    let archive_error = action_error(archive);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(details) => {
                        let summary = details.summary.clone();
                        let id = summary.id.clone();
                        let archive_id = summary.id.to_string();
                        view! {
                            <Title text=summary.display_name.clone()/>
                            <p><A href="/tenants">"← All tenants"</A></p>
                            <h1>{summary.display_name.clone()}</h1>
                            <section class="card">
                                <dl class="facts">
                                    <dt>"Directory (tenant) ID"</dt><dd>{summary.entra_tenant_id.clone().unwrap_or_else(|| "not recorded".into())}</dd>
                                    <dt>"Primary domain"</dt><dd>{summary.primary_domain.clone().unwrap_or_else(|| "not recorded".into())}</dd>
                                    <dt>"Cloud"</dt><dd>{summary.cloud.label()}</dd>
                                    <dt>"Status"</dt><dd>{if summary.archived { "Archived" } else { "Active" }}</dd>
                                </dl>
                            </section>
                            {details.ownership.clone().map(|proof| view! {
                                <OwnershipSection proof customer_tenant_id=id.to_string() can_manage=details.can_manage adopt/>
                            })}
                            <Registrations customer_tenant_id=id.clone() can_manage=details.can_manage/>
                            {(!summary.archived).then(|| view! { <OnboardingLinks customer_tenant_id=id.clone() can_manage=details.can_manage/> })}
                            {details.can_manage.then(|| view! {
                                <section class="card">
                                    <h2>"Edit"</h2>
                                    <TenantEditForm customer_tenant_id=id.clone() values=details.form.clone()/>
                                </section>
                                <section class="card">
                                    <h2>{if summary.archived { "Restore" } else { "Archive" }}</h2>
                                    <p class="muted">"Archiving hides the tenant from the list. Nothing recorded about it is deleted."</p>
                                    <ActionForm action=archive>
                                        <input type="hidden" name="customer_tenant_id" value=archive_id/>
                                        <input type="hidden" name="archived" value=(!summary.archived).to_string()/>
                                        <FormError error=archive_error fields=&[]/>
                                        <button type="submit" class="secondary">{if summary.archived { "Restore tenant" } else { "Archive tenant" }}</button>
                                    </ActionForm>
                                </section>
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Editing keeps what was typed when the server refuses it.
#[island]
fn TenantEditForm(
    customer_tenant_id: CustomerTenantId,
    values: CustomerTenantForm,
) -> impl IntoView {
    let save = form_action::<UpdateTenant>();
    view! {
        <ActionForm action=save attr:class="tenant-form">
            <input type="hidden" name="customer_tenant_id" value=customer_tenant_id.to_string()/>
            <TenantFields values error=action_error(save)/>
            <button type="submit" disabled=move || save.pending().get()>"Save changes"</button>
            <Saved done=Signal::derive(move || matches!(save.value().get(), Some(Ok(_))))/>
        </ActionForm>
    }
}

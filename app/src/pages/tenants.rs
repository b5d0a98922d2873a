use crate::api::tenants::{
    list_tenants, load_tenant, AdoptVerifiedContact, ArchiveTenant, CreateTenant, UpdateTenant,
};
use crate::components::check_all::CheckAllNow;
use crate::components::form::{action_error, endpoint, FormError};
use crate::components::post_form::{After, PostForm};
use crate::components::relative_time::RelativeTime;
use crate::components::row_filter::RowFilter;
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
use leptos_router::hooks::{use_params_map, use_query_map};

const FIELDS: &[&str] = &[
    "display_name",
    "tenant_id",
    "primary_domain",
    "cloud",
    "contacts",
    "notes",
];

/// Customer tenants: search, status, and (for admins and technicians) a
/// form to add one. `?archived=1` lists archived tenants too.
#[component]
pub fn TenantsPage() -> impl IntoView {
    let query = use_query_map();
    let archived = move || query.read().get("archived").is_some_and(|v| v == "1");
    let list = Resource::new(archived, list_tenants);
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
                    Ok(list) => view! { <TenantsSections tenants=list.tenants archived=archived() can_manage/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The list, searched as one types, and what changes it: adding a tenant
/// (the page comes back with it), importing, checking everything.
#[component]
fn TenantsSections(tenants: Vec<TenantSummary>, archived: bool, can_manage: bool) -> impl IntoView {
    let create = ServerAction::<CreateTenant>::new();
    let total = tenants.len();
    view! {
        <section class="card">
            <div class="section-head">
                <RowFilter input_id="tenant-search".to_owned() label="Search tenants".to_owned()
                    placeholder="Name, domain or tenant ID".to_owned() table_id="tenants".to_owned() total/>
                <ArchivedToggle shown=archived/>
            </div>
            <TenantTable tenants/>
        </section>
        {can_manage.then(|| view! {
            <section class="card">
                <h2>"Check every registration"</h2>
                <p class="muted">"Registrations are checked on their own every few hours; this checks all of them now."</p>
                <CheckAllNow customer_tenant_id=None label="Check everything now".to_owned() reload_when_done=false/>
            </section>
            <Exchange/>
            <section class="card">
                <h2>"Add a customer tenant"</h2>
                <PostForm action={endpoint::<CreateTenant>()} after=After::Reload class="tenant-form".to_owned()>
                    <TenantFields values=CustomerTenantForm::default() error=action_error(create)/>
                    <button type="submit">"Add tenant"</button>
                </PostForm>
            </section>
        })}
    }
}

/// "Show archived" opens the list with archived tenants, or without.
#[island]
fn ArchivedToggle(shown: bool) -> impl IntoView {
    let open = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().location().set_href(if shown {
            "/tenants"
        } else {
            "/tenants?archived=1"
        });
    };
    view! {
        <label class="check">
            <input type="checkbox" checked=shown on:change=open/>
            " Show archived"
        </label>
    }
}

fn search_text(tenant: &TenantSummary) -> String {
    [
        Some(tenant.display_name.to_lowercase()),
        tenant.primary_domain.as_deref().map(str::to_lowercase),
        tenant.entra_tenant_id.as_deref().map(str::to_lowercase),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

#[component]
fn TenantTable(tenants: Vec<TenantSummary>) -> impl IntoView {
    view! {
        {tenants.is_empty().then(|| view! { <p class="muted">"No customer tenants yet."</p> })}
        <table class="tenants" id="tenants">
            <thead>
                <tr><th scope="col">"Customer"</th><th scope="col">"Tenant"</th><th scope="col">"Cloud"</th><th scope="col">"Status"</th></tr>
            </thead>
            <tbody>
                {tenants.into_iter().map(|tenant| view! {
                    <tr data-search=search_text(&tenant)>
                        <td><a href=format!("/tenants/{}", tenant.id)>{tenant.display_name.clone()}</a></td>
                        <td>{tenant.primary_domain.clone().or(tenant.entra_tenant_id.clone())}</td>
                        <td>{tenant.cloud.label()}</td>
                        <td>{if tenant.archived { "Archived" } else { "Never checked" }}</td>
                    </tr>
                }).collect_view()}
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
                <input id=id name=format!("form[{field}]") type="text" value=value data-field=field
                    aria-invalid=move || message(field)().map(|_| "true") aria-describedby=error_id.clone()/>
                <p class="field-error" id=error_id data-error-for=field>{message(field)}</p>
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
            <p class="field-error" data-error-for="cloud">{message("cloud")}</p>
        </div>
        {input("Contact e-mail addresses", "contacts", values.contacts.clone(), "Separate several with commas.")}
        <div class="field">
            <label for="tenant-notes">"Notes"</label>
            <textarea id="tenant-notes" name="form[notes]" rows="3">{values.notes.clone()}</textarea>
            <p class="field-error" data-error-for="notes">{message("notes")}</p>
        </div>
        <FormError error fields=FIELDS/>
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

/// Whether the customer's contacts are told before a credential expires,
/// with a renewal link.
#[component]
fn ExpiryNotices(
    customer_tenant_id: String,
    enabled: bool,
    can_manage: bool,
    contacts: String,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Expiry notices to the customer"</h2>
            <p>{if enabled {
                "On: 30, 14 and 7 days before a credential Tenantry holds for this tenant expires, its contacts get an e-mail that says what will stop working and when, with a renewal link that only replaces that credential and tests it. You are told when they renew."
            } else {
                "Off: only your own alert channels hear of expiring credentials."
            }}</p>
            {(enabled && contacts.trim().is_empty()).then(|| view! {
                <p class="form-error">"No contacts are recorded for this tenant, so nobody is told. Add them under Edit."</p>
            })}
            {can_manage.then(|| view! {
                <PostForm action={endpoint::<crate::api::alerts::SetExpiryNotices>()} after=After::Reload class=String::new()>
                    <input type="hidden" name="customer_tenant_id" value=customer_tenant_id.clone()/>
                    <input type="hidden" name="enabled" value=(!enabled).to_string()/>
                    <button type="submit" class="secondary">{if enabled { "Turn expiry notices off" } else { "Turn expiry notices on" }}</button>
                </PostForm>
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
                            {(!summary.archived).then(|| view! {
                                <ExpiryNotices customer_tenant_id=id.to_string() enabled=details.expiry_notices
                                    can_manage=details.can_manage contacts=details.form.contacts.clone()/>
                            })}
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
#[component]
fn TenantEditForm(
    customer_tenant_id: CustomerTenantId,
    values: CustomerTenantForm,
) -> impl IntoView {
    let save = ServerAction::<UpdateTenant>::new();
    view! {
        <PostForm action={endpoint::<UpdateTenant>()} after=After::notice("Saved.") class="tenant-form".to_owned()>
            <input type="hidden" name="customer_tenant_id" value=customer_tenant_id.to_string()/>
            <TenantFields values error=action_error(save)/>
            <button type="submit">"Save changes"</button>
        </PostForm>
    }
}

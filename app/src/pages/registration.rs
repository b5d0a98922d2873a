//! One registration: what it is for, the credential Tenantry holds, what
//! the newest check found, and every check before it.

use crate::api::checks::{
    load_registration, ActivateRegistrationCertificate, ArchiveRegistration,
    ChangeRegistrationProfiles, CheckRegistration, CreateConsentLink,
    GenerateRegistrationCertificate, ReplaceRegistrationCredential,
};
use crate::components::copy::CopyButton;
use crate::components::credential_fields::{CredentialFields, FormInput, CREDENTIAL_FIELDS};
use crate::components::form::{action_error, endpoint, FormError};
use crate::components::post_form::{After, PostForm};
use crate::components::profile_picker::{product_choices, ProfilePicker};
use crate::components::sent::Sent;
use crate::components::verdict::{StatusBadge, VerdictDetails};
use crate::ids::RegistrationId;
use crate::model::{CheckSummary, ConsentLink, RegistrationPage, StandingView, StripDay};
use domain::evaluation::Status;
use domain::watch::Run;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RegistrationPageView() -> impl IntoView {
    let params = use_params_map();
    let id = move || RegistrationId::from(params.read().get("id").unwrap_or_default());
    let page = Resource::new(id, load_registration);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        view! {
                            <Title text=format!("{} · {}", page.profiles.join(", "), page.tenant_name)/>
                            <p><A href=format!("/tenants/{}", page.customer_tenant_id)>{format!("← {}", page.tenant_name)}</A></p>
                            <h1>{page.profiles.join(", ")}</h1>
                            <Standing standing=page.standing.clone()/>
                            {page.archived.then(|| view! {
                                <p class="notice">"Archived: kept for the record, no longer checked."</p>
                            })}
                            {(page.can_manage && !page.archived).then(|| view! {
                                <CheckNow registration_id=page.id.clone()/>
                            })}
                            <Overview page=page.clone()/>
                            <Verdict page=page.clone()/>
                            <History strip=page.strip.clone() timeline=page.timeline.clone()/>
                            {page.can_manage.then(|| view! { <Edit page=page.clone()/> })}
                        }.into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The standing in words: never green unless a fresh check said so.
#[component]
fn Standing(standing: StandingView) -> impl IntoView {
    let when = |at: &Option<crate::timestamp::Timestamp>| {
        at.as_ref()
            .map(|t| t.to_string())
            .unwrap_or_else(|| "never".into())
    };
    let detail = match standing.status {
        Status::CouldNotCheck => format!("Could not check since {}.", when(&standing.since)),
        Status::Stale => format!(
            "No check has completed since {}; what it showed may no longer be true.",
            when(&standing.since)
        ),
        Status::NeverChecked => "Not checked yet; the first check runs shortly.".into(),
        _ => format!("Last checked {}.", when(&standing.last_checked_at)),
    };
    view! {
        <section class="card standing" aria-label="Current status">
            <p><StatusBadge status=standing.status/>" "{detail}</p>
            {standing.last_known.map(|known| view! {
                <p>"Last known: "<StatusBadge status=known/></p>
            })}
            <p class="muted">
                "Last successful check: " {when(&standing.last_success_at)}
                ". Next check due: " {when(&standing.next_check_at)} "."
            </p>
        </section>
    }
}

#[component]
fn Overview(page: RegistrationPage) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Registration"</h2>
            <dl class="facts">
                <dt>"Tenant"</dt><dd>{page.tenant_name.clone()}" ("{page.cloud.clone()}")"</dd>
                <dt>"Directory (tenant) ID"</dt><dd>{page.entra_tenant_id.clone().unwrap_or_else(|| "not recorded".into())}</dd>
                <dt>"Application (client) ID"</dt><dd><code>{page.client_id.clone()}</code></dd>
                <dt>"Object ID"</dt><dd>{page.object_id.clone().unwrap_or_else(|| "not recorded".into())}</dd>
                <dt>"Credential"</dt><dd>{page.credential.clone()}</dd>
                <dt>"Expires"</dt><dd>{page.credential_expires_at.as_ref().map(|t| t.date().to_owned()).unwrap_or_else(|| "unknown".into())}</dd>
                <dt>"Entered"</dt><dd>{format!("{} by {}", page.entered_at.date(), page.entered_by)}</dd>
            </dl>
            <h3>"Permissions these products need"</h3>
            <ul class="plain">
                {page.requirements.iter().map(|r| view! {
                    <li><strong>{r.permission.clone()}</strong>" ("{r.kind.clone()}{if r.optional { ", optional" } else { "" }}") — "{r.reason.clone()}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Verdict(page: RegistrationPage) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"What the newest check found"</h2>
            {(page.needs_consent && page.can_manage).then(|| view! {
                <ConsentOffer registration_id=page.id.clone() redirect_uri=page.redirect_uri.clone()
                    redirect_registered=page.consent_redirect/>
            })}
            {match page.verdict {
                Some(v) => view! { <VerdictDetails permissions=v.permissions extra_permissions=v.extra_permissions findings=v.findings/> }.into_any(),
                None => view! { <p class="muted">"No check yet."</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn History(strip: Vec<StripDay>, timeline: Vec<Run<CheckSummary>>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"History"</h2>
            <StatusStrip days=strip/>
            {if timeline.is_empty() {
                view! { <p class="muted">"No checks yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {timeline.into_iter().map(|run| {
                            let newest = run.checks[0].clone();
                            let count = run.checks.len();
                            let oldest = run.checks[count - 1].finished_at.clone();
                            view! {
                                <li class:changed=run.changed>
                                    <StatusBadge status=run.status/>" "
                                    {if count == 1 {
                                        format!("{} ({}{})", newest.finished_at, newest.trigger, newest.triggered_by.as_ref().map(|by| format!(" by {by}")).unwrap_or_default())
                                    } else {
                                        format!("{count} checks from {oldest} to {}", newest.finished_at)
                                    }}
                                    {newest.headline.map(|h| view! { <br/><span class="muted">{h}</span> })}
                                    {newest.trace_id.map(|t| view! { <br/><span class="muted">"Trace ID "<code>{t}</code>{newest.correlation_id.map(|c| format!(", correlation ID {c}"))}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

/// The last 30 days as coloured cells, each with its date and status in
/// words for screen readers and tooltips. Drawn on the server as SVG.
#[component]
fn StatusStrip(days: Vec<StripDay>) -> impl IntoView {
    const CELL: usize = 12;
    let width = days.len() * CELL;
    view! {
        <svg class="strip" role="img" aria-label="Status on each of the last 30 days"
            width=width height="20" viewBox=format!("0 0 {width} 20")>
            {days.into_iter().enumerate().map(|(i, day)| {
                let (class, words) = match day.status {
                    Some(status) => (format!("status-{}", status.as_str()), status.label()),
                    None => ("status-none".to_owned(), "no check"),
                };
                view! {
                    <rect x=i * CELL y="0" width=CELL - 2 height="20" class=class>
                        <title>{format!("{}: {words}", day.date)}</title>
                    </rect>
                }
            }).collect_view()}
        </svg>
    }
}

/// Checks at once; the page comes back with the result.
#[component]
fn CheckNow(registration_id: RegistrationId) -> impl IntoView {
    let check = ServerAction::<CheckRegistration>::new();
    let error = action_error(check);
    view! {
        <PostForm action={endpoint::<CheckRegistration>()} after=After::Reload class="inline-form".to_owned()>
            <input type="hidden" name="registration_id" value=registration_id.to_string()/>
            <button type="submit">"Check now"</button>
            <FormError error fields=&[]/>
        </PostForm>
    }
}

/// For technicians and admins: the products served, a renewed credential,
/// archiving. Each change that affects the verdict is checked at once.
/// Archiving and generating a certificate are forms the browser posts
/// itself; the server answers with this page read again.
#[component]
fn Edit(page: RegistrationPage) -> impl IntoView {
    let id = page.id.to_string();
    let archive = ServerAction::<ArchiveRegistration>::new();
    let archive_error = action_error(archive);
    view! {
        {(!page.archived).then(|| view! {
            <section class="card">
                <h2>"Products"</h2>
                <p class="muted">"One registration can serve several products: the permissions it needs become the union of theirs."</p>
                <ProfilesForm registration_id=page.id.clone() chosen=page.profile_ids.clone()/>
            </section>
            <section class="card">
                <h2>"Replace the credential"</h2>
                <p class="muted">"For a renewed secret or certificate. The one held now is discarded; the new one is checked at once and never shown again."</p>
                <ReplaceCredentialForm registration_id=page.id.clone()/>
                <Renewal registration_id=page.id.clone() pending=page.pending.clone()/>
            </section>
        })}
        <section class="card">
            <h2>{if page.archived { "Restore" } else { "Archive" }}</h2>
            <p class="muted">{if page.archived {
                "Restoring watches the registration again, starting with a check."
            } else {
                "Archiving keeps the registration and its history but stops checking it."
            }}</p>
            <ActionForm action=archive>
                <input type="hidden" name="registration_id" value=id/>
                <input type="hidden" name="archived" value=(!page.archived).to_string()/>
                <button type="submit" class="secondary">{if page.archived { "Restore registration" } else { "Archive registration" }}</button>
            </ActionForm>
            {move || archive_error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </section>
    }
}

#[component]
fn ProfilesForm(registration_id: RegistrationId, chosen: Vec<String>) -> impl IntoView {
    let profiles = ServerAction::<ChangeRegistrationProfiles>::new();
    let error = action_error(profiles);
    let chosen = RwSignal::new(chosen);
    let profiles_message =
        Signal::derive(move || error.get().and_then(|e| e.for_field("profiles")));
    view! {
        <PostForm action={endpoint::<ChangeRegistrationProfiles>()} after=After::Reload class=String::new()>
            <input type="hidden" name="registration_id" value=registration_id.to_string()/>
            <ProfilePicker legend="Products this registration serves" name="form[profiles]" chosen products=product_choices()
                error=profiles_message/>
            <FormInput label="Object ID" name="object_id" error
                hint="Only needed when a product asks for it (company recovery); leave empty to keep what is recorded."/>
            <FormError error fields=&["profiles", "object_id"]/>
            <button type="submit">"Save products"</button>
        </PostForm>
    }
}

/// A saved credential loads the page again, so no secret lingers on screen.
#[component]
fn ReplaceCredentialForm(registration_id: RegistrationId) -> impl IntoView {
    let credential = ServerAction::<ReplaceRegistrationCredential>::new();
    let error = action_error(credential);
    view! {
        <PostForm action={endpoint::<ReplaceRegistrationCredential>()} after=After::Reload class=String::new()>
            <input type="hidden" name="registration_id" value=registration_id.to_string()/>
            <CredentialFields error/>
            <FormError error fields=CREDENTIAL_FIELDS/>
            <button type="submit">"Replace credential"</button>
        </PostForm>
    }
}

/// Admin consent is missing: a link for the customer's Global
/// Administrator or Privileged Role Administrator. Opening it goes on to
/// Microsoft; afterwards Tenantry checks the registration again by itself.
#[island]
fn ConsentOffer(
    registration_id: RegistrationId,
    redirect_uri: String,
    redirect_registered: bool,
) -> impl IntoView {
    let registration_id = registration_id.to_string();
    let create = Sent::<ConsentLink>::new();
    let create_form = NodeRef::<leptos::html::Form>::new();
    let error = create.error();
    view! {
        <div class="form-error">
            <p>"Admin consent is missing. A Global Administrator or Privileged Role Administrator of the customer's tenant grants it."</p>
            {move || match create.ok() {
                Some(link) => view! {
                    <p>"Send this link to the customer's administrator, or open it yourself if you are one. It works until " {link.expires_at.date().to_owned()} "; once consent is granted Tenantry checks again by itself."</p>
                    <p><a href=link.url.clone() target="_blank" rel="noopener noreferrer">"Grant admin consent"</a>" "
                        <CopyButton text=link.url.clone() what="the consent link".to_owned()/></p>
                }.into_any(),
                _ => {
                    let (registration_id, redirect_uri) = (registration_id.clone(), redirect_uri.clone());
                    view! {
                    <form node_ref=create_form action={endpoint::<CreateConsentLink>()} method="post" on:submit={create.on_submit(endpoint::<CreateConsentLink>(), create_form)}>
                        <input type="hidden" name="registration_id" value=registration_id/>
                        <label class="check">
                            <input type="checkbox" name="redirect_registered" value="true" checked=redirect_registered/>
                            " The app has " <code>{redirect_uri}</code> " as a Web redirect URI (so Microsoft brings the administrator back and Tenantry checks at once; otherwise Tenantry checks every minute for 15 minutes)"
                        </label>
                        <button type="submit" disabled=move || create.pending()>"Create a consent link"</button>
                    </form>
                }.into_any()
                }
            }}
            {move || error.get().map(|e| view! { <p role="alert">{e.to_string()}</p> })}
        </div>
    }
}

/// Renewal with a certificate Tenantry generates: its key stays here, its
/// public half is uploaded to Entra, and only then does it replace the
/// credential in use.
#[component]
fn Renewal(
    registration_id: RegistrationId,
    pending: Option<crate::model::PendingCertificate>,
) -> impl IntoView {
    let id = registration_id.to_string();
    let (generate_id, activate_id) = (id.clone(), id.clone());
    let generate = ServerAction::<GenerateRegistrationCertificate>::new();
    let activate = ServerAction::<ActivateRegistrationCertificate>::new();
    let activate_error = action_error(activate);
    let generate_error = action_error(generate);
    view! {
        <h3>"Or let Tenantry generate a certificate"</h3>
        {match pending {
            None => view! {
                <p class="muted">"The private key is made here and never leaves Tenantry. You upload the certificate to the app registration, then switch; the credential in use keeps working until then."</p>
                <ActionForm action=generate>
                    <input type="hidden" name="registration_id" value=generate_id/>
                    <button type="submit" class="secondary" >"Generate a certificate"</button>
                </ActionForm>
            }.into_any(),
            Some(pending) => view! {
                <p>"A new certificate is waiting (thumbprint " <code>{pending.thumbprint.clone()}</code> ", valid until " {pending.expires_at.date().to_owned()} ")."</p>
                <ol>
                    <li><a href=format!("/registrations/{id}/pending.cer") rel="external" download>"Download the certificate (.cer)"</a></li>
                    <li>"Upload it to the app registration: Certificates & secrets → Certificates → Upload certificate."</li>
                    <li>"Switch to it. Tenantry first checks that Microsoft accepts it."</li>
                </ol>
                <ActionForm action=activate>
                    <input type="hidden" name="registration_id" value=activate_id/>
                    <button type="submit">"Switch to the new certificate"</button>
                </ActionForm>
            }.into_any(),
        }}
        {move || activate_error.get().or_else(|| generate_error.get()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
    }
}

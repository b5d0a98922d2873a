use crate::api::onboarding::{onboarding_links, CreateOnboardingLink, RevokeOnboardingLink};
use crate::components::form::{endpoint, FormError};
use crate::components::profile_picker::{product_choices, ProfilePicker};
use crate::components::sent::{read_again, Sent};
use crate::ids::CustomerTenantId;
use crate::model::{OnboardingCreated, OnboardingLinkView};
use leptos::prelude::*;

/// A tenant's onboarding links: create one for chosen products, see how far
/// the customer got, revoke.
#[component]
pub fn OnboardingLinks(customer_tenant_id: CustomerTenantId, can_manage: bool) -> impl IntoView {
    let list = {
        let customer_tenant_id = customer_tenant_id.clone();
        Resource::new(|| (), move |_| onboarding_links(customer_tenant_id.clone()))
    };
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let customer_tenant_id = customer_tenant_id.clone();
                Suspend::new(async move {
                    match list.await {
                        Ok(links) => view! {
                            <LinksWorkspace customer_tenant_id links can_manage products=product_choices()/>
                        }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The list is asked for again after a link is created or revoked; a new
/// link is shown once, here.
#[island]
fn LinksWorkspace(
    customer_tenant_id: CustomerTenantId,
    links: Vec<OnboardingLinkView>,
    can_manage: bool,
    products: Vec<(String, String)>,
) -> impl IntoView {
    let create = Sent::<OnboardingCreated>::new();
    let create_form = NodeRef::<leptos::html::Form>::new();
    let revoke = Sent::<()>::new();
    let links = RwSignal::new(links);
    Effect::new({
        let customer_tenant_id = customer_tenant_id.clone();
        move |_| {
            let changes = create.version() + revoke.version();
            if changes > 0 {
                read_again(
                    &endpoint::<crate::api::onboarding::OnboardingLinks>(),
                    &[("customer_tenant_id", customer_tenant_id.to_string())],
                    move |answer| {
                        if let Ok(list) = answer {
                            links.set(list);
                        }
                    },
                );
            }
        }
    });
    let chosen = RwSignal::new(Vec::<String>::new());
    let error = create.error();
    view! {
        <section class="card">
            <h2>"Onboarding links"</h2>
            {move || { let list = links.get(); if list.is_empty() {
                view! { <p class="muted">"No links sent yet."</p> }.into_any()
            } else {
                view! {
                    <table class="links">
                        <thead><tr><th scope="col">"Products"</th><th scope="col">"State"</th><th scope="col">"Expires"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|link| view! {
                                <tr>
                                    <td>{link.profiles.join(", ")}</td>
                                    <td>{link.state.clone()}</td>
                                    <td>{link.expires_at.date().to_owned()}</td>
                                    <td>{(can_manage && link.active).then(|| view! {
                                        <button type="button" class="secondary small" disabled=move || revoke.pending()
                                            on:click={
                                                let id = link.id.to_string();
                                                move |_| revoke.call(&endpoint::<RevokeOnboardingLink>(), &[("link_id", id.clone())])
                                            }>"Revoke"</button>
                                    })}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}}
            {can_manage.then(|| view! {
                <form node_ref=create_form action={endpoint::<CreateOnboardingLink>()} method="post" class="link-form" on:submit={create.on_submit(endpoint::<CreateOnboardingLink>(), create_form)}>
                    <input type="hidden" name="customer_tenant_id" value=customer_tenant_id.to_string()/>
                    <ProfilePicker legend="Products the customer should set up" name="profiles" chosen products=products.clone()/>
                    <FormError error fields=&[]/>
                    {move || revoke.answer().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                    <button type="submit" disabled=move || create.pending()>"Create onboarding link"</button>
                </form>
                {move || create.ok().map(|created| view! {
                    <div class="notice" role="status">
                        <label for="onboarding-link">"Onboarding link (send it to the customer's administrator)"</label>
                        <input id="onboarding-link" type="text" readonly=true value=created.link/>
                    </div>
                })}
            })}
        </section>
    }
}

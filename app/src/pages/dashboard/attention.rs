//! What needs attention, most urgent first, with the one action that fixes
//! each; and the problems someone has set aside, still counted.

use crate::api::dashboard::{AcknowledgeProblem, WithdrawAcknowledgement};
use crate::components::credential_fields::FormInput;
use crate::components::form::{action_error, endpoint, FormError};
use crate::components::post_form::{After, PostForm};
use crate::components::relative_time::RelativeTime;
use crate::components::verdict::StatusBadge;
use crate::model::{AttentionItem, DashboardView};
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn Attention(view: Arc<DashboardView>) -> impl IntoView {
    let withdraw = ServerAction::<WithdrawAcknowledgement>::new();
    let can = view.can_acknowledge;
    let more = view.attention_total - view.attention.len();
    let lines = view
        .attention
        .iter()
        .cloned()
        .map(|item| view! { <Line item can/> })
        .collect_view();
    let set_aside = view.acknowledged.len();
    let aside = view
        .acknowledged
        .iter()
        .cloned()
        .map(|item| {
            let ack = item.acknowledgement.clone();
            let id = item.registration_id.to_string();
            view! {
                <li>
                    <Summary item/>
                    {ack.map(|ack| view! {
                        <p class="muted">
                            "Set aside by " {ack.by} " " <RelativeTime at=ack.at/> ": “" {ack.note} "”"
                            {ack.until.map(|until| view! { " until " <RelativeTime at=until/> })}
                        </p>
                    })}
                    {can.then(|| view! {
                        <ActionForm action=withdraw attr:class="inline-form">
                            <input type="hidden" name="registration_id" value=id/>
                            <button type="submit" class="secondary">"Bring back"</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="attention-heading">
            <h2 id="attention-heading">"Needs attention (" {view.attention_total} ")"</h2>
            {if view.attention_total == 0 {
                view! { <p class="muted">"Nothing in this view needs attention."</p> }.into_any()
            } else {
                view! { <ol class="attention">{lines}</ol> }.into_any()
            }}
            {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more; narrow the view with the filters.")}</p> })}
            {(set_aside > 0).then(|| view! {
                <details class="set-aside">
                    <summary>{format!("Set aside ({set_aside}) — still counted above")}</summary>
                    <ul class="attention">{aside}</ul>
                </details>
            })}
            {can.then(|| view! { <AcknowledgeForm/> })}
        </section>
    }
}

/// The page's one acknowledgement form, hidden until an "Acknowledge…"
/// button brings it under its line: one form in the page, not one per line.
#[component]
fn AcknowledgeForm() -> impl IntoView {
    let error = action_error(ServerAction::<AcknowledgeProblem>::new());
    view! {
        <div id="acknowledge" hidden=error.get_untracked().is_none()>
            <PostForm action={endpoint::<AcknowledgeProblem>()} after=After::Reload class="acknowledge".to_owned()>
                <input type="hidden" name="registration_id" id="acknowledge-registration"/>
                <FormInput label="What is being done" name="note" error
                    hint="Colleagues see this beside the problem."/>
                <FormInput label="Set aside until (optional)" name="until" kind="date" error
                    hint="It comes back on its own after that day, or as soon as the problem changes."/>
                <FormError error fields=&["note", "until"]/>
                <button type="submit">"Set aside"</button>
            </PostForm>
        </div>
    }
}

#[component]
fn Summary(item: AttentionItem) -> impl IntoView {
    let fix = if item.remedy.on_tenant_page() {
        format!("/tenants/{}", item.customer_tenant_id)
    } else {
        format!("/registrations/{}", item.registration_id)
    };
    view! {
        <StatusBadge status=item.status/>
        " "
        <a href=format!("/registrations/{}", item.registration_id)>{item.tenant_name}</a>
        " · " {item.products.join(", ")} " · "
        <span class="headline">{item.headline}</span>
        {item.since.map(|since| view! { " · since " <RelativeTime at=since/> })}
        " · " <a href=fix class="remedy">{item.remedy.label()}</a>
    }
}

/// A form the browser posts itself once acknowledged: the page comes back
/// with the line set aside.
#[component]
fn Line(item: AttentionItem, can: bool) -> impl IntoView {
    let id = item.registration_id.to_string();
    view! {
        <li>
            <Summary item/>
            {can.then(|| view! { " " <AcknowledgeButton registration_id=id/> })}
        </li>
    }
}

/// "Acknowledge…" brings the page's acknowledgement form under its line, for
/// this registration, or puts it away again. Where the form is says which
/// line it is open for, so the buttons never disagree.
#[island]
fn AcknowledgeButton(registration_id: String) -> impl IntoView {
    let button = NodeRef::<leptos::html::Button>::new();
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(button) = button.get_untracked() {
            toggle_form(&button, &registration_id);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (button, &registration_id);
    };
    view! {
        <button type="button" class="link" node_ref=button on:click=toggle
            aria-controls="acknowledge" aria-expanded="false">"Acknowledge…"</button>
    }
}

#[cfg(feature = "hydrate")]
fn toggle_form(button: &web_sys::HtmlButtonElement, registration_id: &str) {
    use wasm_bindgen::JsCast;
    let document = document();
    let (Some(form), Some(line)) = (
        document
            .get_element_by_id("acknowledge")
            .and_then(|form| form.dyn_into::<web_sys::HtmlElement>().ok()),
        button.closest("li").ok().flatten(),
    ) else {
        return;
    };
    let open_here = !form.hidden() && line.contains(Some(&form));
    let buttons = crate::components::dom::all::<web_sys::Element>(
        None,
        "button[aria-controls=\"acknowledge\"]",
    );
    for other in buttons {
        let _ = other.set_attribute("aria-expanded", "false");
    }
    if open_here {
        form.set_hidden(true);
        return;
    }
    if let Some(input) = document
        .get_element_by_id("acknowledge-registration")
        .and_then(|input| input.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.set_value(registration_id);
    }
    let _ = line.append_child(&form);
    form.set_hidden(false);
    let _ = button.set_attribute("aria-expanded", "true");
}

//! "Check all now" for a tenant or for everything, with the progress shown
//! live (how many of how many are done) while the scheduler works through
//! them.

use crate::api::checks::{CheckProgress, RequestChecks};
use crate::components::form::{endpoint, reload_page};
use crate::components::sent::{read_again, Sent};
use crate::ids::CustomerTenantId;
use crate::model::{CheckRequest, ProgressOfChecks};
use leptos::prelude::*;
use std::time::Duration;

/// Asks for the progress of `request` every second until it is done.
fn follow(request: String, progress: RwSignal<Option<ProgressOfChecks>>) {
    read_again(
        &endpoint::<CheckProgress>(),
        &[("request", request.clone())],
        move |answer: Result<ProgressOfChecks, _>| match answer {
            Ok(now) => {
                progress.set(Some(now));
                if now.done < now.total {
                    set_timeout(move || follow(request, progress), Duration::from_secs(1));
                }
            }
            // Not followed any more: the button works again.
            Err(_) => progress.set(None),
        },
    );
}

/// `progress` is shared with the list around it, which reloads as results
/// arrive.
#[component]
pub fn CheckAll(
    customer_tenant_id: Option<CustomerTenantId>,
    progress: RwSignal<Option<ProgressOfChecks>>,
    #[prop(into)] label: String,
) -> impl IntoView {
    let request = Sent::<CheckRequest>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    let error = request.error();
    Effect::new(move |_| {
        if let Some(asked) = request.ok() {
            progress.set(Some(ProgressOfChecks {
                total: asked.total,
                done: 0,
            }));
            follow(asked.request, progress);
        }
    });
    let running = move || progress.get().is_some_and(|p| p.done < p.total);
    view! {
        <div class="check-all">
            <form node_ref=form action={endpoint::<RequestChecks>()} method="post"
                on:submit={request.on_submit(endpoint::<RequestChecks>(), form)}>
                {customer_tenant_id.map(|id| view! {
                    <input type="hidden" name="customer_tenant_id" value=id.to_string()/>
                })}
                <button type="submit" class="secondary" disabled=move || request.pending() || running()>{label}</button>
            </form>
            <p class="muted" role="status" aria-live="polite">
                {move || progress.get().map(|p| if p.total == 0 {
                    "Nothing to check: no active registrations.".to_owned()
                } else if p.done < p.total {
                    format!("Checking: {} of {} done…", p.done, p.total)
                } else {
                    format!("All {} checked.", p.total)
                })}
            </p>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </div>
    }
}

/// "Check all now" on a server-rendered page: with `reload_when_done`, the
/// page loads again once every check finished, so its list shows them.
#[island]
pub fn CheckAllNow(
    customer_tenant_id: Option<CustomerTenantId>,
    label: String,
    reload_when_done: bool,
) -> impl IntoView {
    let progress = RwSignal::new(None::<ProgressOfChecks>);
    if reload_when_done {
        Effect::new(move |_| {
            if progress
                .get()
                .is_some_and(|p| p.total > 0 && p.done == p.total)
            {
                reload_page();
            }
        });
    }
    view! { <CheckAll customer_tenant_id progress label/> }
}

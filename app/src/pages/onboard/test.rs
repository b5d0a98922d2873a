//! Step 6: Tenantry signs in as the app and checks every permission. A
//! failing test keeps everything; the customer fixes what is listed and
//! tests again.

use super::{wizard, StepHeading};
use crate::api::onboarding::TestOnboarding;
use crate::components::form::endpoint;
use crate::components::recovery_checklist::{Checklist, LookAgain};
use crate::components::sent::Sent;
use crate::components::verdict::VerdictDetails;
use crate::model::TestResult;
use domain::onboarding::Step;
use leptos::prelude::*;

#[component]
pub fn TestStep() -> impl IntoView {
    let data = wizard().data;
    let test = Sent::<TestResult>::new();
    let ownership = data.with_untracked(|d| d.ownership_proof);
    // An ownership proof's secret lives in this page only, sent with each
    // test; the server keeps none of it.
    let secret = RwSignal::new(String::new());
    let run = move || {
        let fields = ownership.then(|| ("secret", secret.get_untracked()));
        test.call(&endpoint::<TestOnboarding>(), fields.as_slice());
    };
    // An ownership proof waits for Microsoft's audit log by itself.
    let schedule = LookAgain::new(
        move || {
            test.ok()
                .and_then(|result| result.ownership.map(|shown| shown.outcome))
        },
        run,
    );
    Effect::new(move |_| {
        if let Some(result) = test.ok() {
            if result.completed && ownership {
                secret.set(String::new());
            }
        }
    });
    let error = test.error();
    let secret_error = move || error.get().and_then(|e| e.for_field("secret"));
    Effect::new(move |_| {
        if let Some(result) = test.ok() {
            if result.completed {
                data.update(|d| d.completed = true);
            }
        }
    });
    let missing = move || {
        data.with(|d| {
            domain::onboarding::missing_before_test(
                d.credential.is_some() || d.ownership_proof,
                !d.ids.client_id.is_empty() && !d.ids.tenant_id.is_empty(),
            )
        })
    };
    let summary = move || {
        data.with(|d| {
            (
                d.credential.as_ref().map(|c| c.summary.clone()),
                d.ids.client_id.clone(),
            )
        })
    };
    view! {
        <StepHeading step=Step::Test/>
        <p>{if ownership {
            "Tenantry signs in as the recovery app with the secret you enter here, and reads the directory audit log to see who created the app and when."
        } else {
            "Tenantry signs in as the app, the way your IT provider's tools will, and checks every permission."
        }}</p>
        {move || {
            let (credential, client_id) = summary();
            (!client_id.is_empty() || credential.is_some()).then(|| view! {
                <dl class="facts">
                    <dt>"Application (client) ID"</dt><dd>{client_id}</dd>
                    <dt>"Credential"</dt><dd>{credential.unwrap_or_default()}</dd>
                </dl>
            })
        }}
        {move || missing().into_iter().map(|step| view! {
            <p class="notice warning">"Not done yet: " <a href=super::step_href(step)>"step " {step.number()} ": " {step.title()}</a></p>
        }).collect_view()}
        {if ownership {
            view! {
                <form class="recovery-proof" on:submit=move |event: leptos::ev::SubmitEvent| {
                    event.prevent_default();
                    schedule.reset();
                    run();
                }>
                    <div class="field">
                        <label for="proof-secret">"Client secret value"</label>
                        <p class="hint" id="proof-secret-hint">"The Value you copied at step 4 (not the Secret ID). Used for this check only; never stored."</p>
                        <input id="proof-secret" type="password" autocomplete="off" required=true bind:value=secret
                            aria-describedby="proof-secret-hint proof-secret-error"
                            aria-invalid=move || secret_error().map(|_| "true")/>
                        <p class="field-error" id="proof-secret-error">{secret_error}</p>
                    </div>
                    <button type="submit" disabled=move || test.pending()>{move || if test.pending() { "Checking…" } else { "Check the recovery app" }}</button>
                </form>
            }.into_any()
        } else {
            view! {
                <form on:submit=move |event: leptos::ev::SubmitEvent| {
                    event.prevent_default();
                    schedule.reset();
                    run();
                }>
                    <button type="submit" disabled=move || test.pending()>{move || if test.pending() { "Testing…" } else { "Test the registration" }}</button>
                </form>
            }.into_any()
        }}
        {move || test.answer().map(|result| match result {
            Ok(result) => match result.ownership {
                Some(shown) => view! { <Checklist result=shown schedule/> }.into_any(),
                None => view! { <TestReport result/> }.into_any(),
            },
            Err(error) if error.for_field("secret").is_some() => ().into_any(),
            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
        })}
    }
}

#[component]
fn TestReport(result: TestResult) -> impl IntoView {
    let headline = match (result.completed, result.status.as_str()) {
        (true, _) => {
            "All set: the registration works and your IT provider can now use it.".to_owned()
        }
        (false, "could_not_check") => {
            "The test could not reach Microsoft. Nothing needs changing; try again in a moment."
                .to_owned()
        }
        _ => "Not yet: fix what is listed below, then test again. Everything you entered is kept."
            .to_owned(),
    };
    view! {
        <div class=if result.completed { "notice" } else { "form-error" } role="status">{headline}</div>
        <VerdictDetails permissions=result.permissions extra_permissions=result.extra_permissions
            findings=result.findings/>
    }
}

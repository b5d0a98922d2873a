//! The customer's guided set-up, opened from an onboarding link without an
//! account: six steps, one at a time. Each step is saved on the link as it
//! is finished, so closing the browser loses nothing; reopening the link
//! continues at the first unfinished step.

mod credential;
mod entra_steps;
mod ids;
mod test;

use crate::api::onboarding::open_onboarding;
use crate::error::AppError;
use crate::model::OnboardingView;
use domain::onboarding::{resume_at, Step};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn OnboardPage() -> impl IntoView {
    // The link's token is in the flow's cookie, not in this page's address.
    let view_data = Resource::new(|| (), |_| open_onboarding());
    let query = use_query_map();
    let step = move || {
        query
            .read()
            .get("step")
            .and_then(|raw| raw.parse::<i64>().ok())
    };
    view! {
        <Title text="Set up access"/>
        <main class="content onboarding">
            <Suspense fallback=|| view! { <p>"Loading your set-up…"</p> }>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Ok(data) => view! { <Wizard data step=step()/> }.into_any(),
                        Err(error) => view! {
                            <h1>"Set up access"</h1>
                            <p class="form-error" role="alert">{error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

pub(crate) fn step_href(step: Step) -> String {
    format!("/onboard?step={}", step.number())
}

/// What every step gets: the latest view of what is saved.
#[derive(Clone, Copy)]
pub(crate) struct WizardContext {
    pub data: RwSignal<OnboardingView>,
}

/// Each step opens as a page of its own (`?step=`). Steps 1 to 5 are
/// rendered on the server, their forms sent in the background (`PostForm`);
/// step 6 is an island.
#[component]
fn Wizard(data: OnboardingView, step: Option<i64>) -> impl IntoView {
    let resume = resume_at(data.finished);
    let context = WizardContext {
        data: RwSignal::new(data.clone()),
    };
    provide_context(context);
    let step = step.map(Step::clamped).unwrap_or(resume);
    let finished = move || context.data.with(|d| d.finished);
    view! {
        <h1>"Set up access for " {data.tenant_name.clone()}</h1>
        {if data.renewal {
            view! {
                <p class="muted">"Your IT provider's credential for an existing app registration (Application (client) ID " {data.ids.client_id.clone()} ") expires soon. Add a new client secret or certificate to that same app registration in Microsoft Entra ID, enter it here and test it: the old one is replaced only when the new one passes. The app, its permissions and its IDs stay as they are."</p>
            }.into_any()
        } else {
            view! {
                <p class="muted">"Your IT provider asked you to create an app registration in your organisation's Microsoft Entra ID (cloud: " {data.cloud_label.clone()} "). Each step is saved when you finish it; you can close this page and come back with the same link."</p>
            }.into_any()
        }}
        {move || context.data.with(|d| d.completed).then(|| view! {
            <p class="notice" role="status">"This set-up is complete: the registration works and your IT provider can use it."</p>
        })}
        <nav aria-label="Set-up steps">
            <ol class="steps">
                {Step::ALL.into_iter().map(|s| {
                    let href = step_href(s);
                    let done = move || finished() >= i64::from(s.number());
                    view! {
                        <li class:done=done>
                            <a href=href aria-current=(step == s).then_some("step")>
                                <span class="step-number">{s.number()}</span>" " {s.title()}
                                <span class="visually-hidden">{move || done().then_some(" (done)")}</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </nav>
        <section class="card" aria-labelledby="step-heading">
            {match step {
                Step::Register => view! { <entra_steps::RegisterStep/> }.into_any(),
                Step::Permissions => view! { <entra_steps::PermissionsStep/> }.into_any(),
                Step::Consent => view! { <entra_steps::ConsentStep/> }.into_any(),
                Step::Credential => view! { <credential::CredentialStep/> }.into_any(),
                Step::Ids => view! { <ids::IdsStep/> }.into_any(),
                Step::Test => view! { <TestIsland data=data.clone()/> }.into_any(),
            }}
        </section>
    }
}

/// Step 6 shows what the test found, and for an ownership proof looks
/// again by itself: an island, given what is saved.
#[island]
fn TestIsland(data: OnboardingView) -> impl IntoView {
    provide_context(WizardContext {
        data: RwSignal::new(data),
    });
    view! { <test::TestStep/> }
}

pub(crate) fn wizard() -> WizardContext {
    expect_context::<WizardContext>()
}

/// The step's heading, "Step 2 of 6: Add permissions".
#[component]
pub(crate) fn StepHeading(step: Step) -> impl IntoView {
    view! { <h2 id="step-heading">"Step " {step.number()} " of " {Step::COUNT} ": " {step.title()}</h2> }
}

/// A labelled input of a wizard form, named `form[<name>]` for the server
/// function, with its hint and its own error.
#[component]
pub(crate) fn WizardField(
    label: &'static str,
    name: &'static str,
    error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional, into)] hint: String,
) -> impl IntoView {
    let id = format!("onboard-{name}");
    let message = move || error.get().and_then(|e| e.for_field(name));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=format!("{id}-hint")>{hint.clone()}</p> })}
            <input id=id.clone() name=format!("form[{name}]") type=kind value=value autocomplete="off" data-field=name
                aria-invalid=move || message().map(|_| "true") aria-describedby=format!("{id}-error")/>
            <p class="field-error" id=format!("{id}-error") data-error-for=name>{message}</p>
        </div>
    }
}

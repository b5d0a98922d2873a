//! Step 5: the IDs from the app's Overview page.

use super::{wizard, StepHeading, WizardField};
use crate::api::onboarding::SaveOnboardingIds;
use crate::components::form::{action_error, form_action, FormError};
use domain::onboarding::Step;
use leptos::prelude::*;

const FIELDS: &[&str] = &["tenant_id", "client_id", "object_id"];

#[component]
pub fn IdsStep() -> impl IntoView {
    let wizard = wizard();
    let save = form_action::<SaveOnboardingIds>();
    let error = action_error(save);
    let context = wizard;
    wizard.on_saved(save, move || context.go(Step::Test));
    let saved = wizard
        .data
        .with_untracked(|d| (d.ids.clone(), d.needs_object_id));
    let (ids, needs_object_id) = saved;
    view! {
        <StepHeading step=Step::Ids/>
        <p>"Copy these from the app's Overview page in Entra."</p>
        <ActionForm action=save attr:class="onboard-form">
            <WizardField label="Directory (tenant) ID" name="tenant_id" error value=ids.tenant_id.clone()/>
            <WizardField label="Application (client) ID" name="client_id" error value=ids.client_id.clone()/>
            {needs_object_id.then(|| view! {
                <WizardField label="Object ID" name="object_id" error value=ids.object_id.clone()
                    hint="The app registration's Object ID, not the one of its enterprise application."/>
            })}
            <FormError error fields=FIELDS/>
            <button type="submit" disabled=move || save.pending().get()>"Save the IDs"</button>
        </ActionForm>
    }
}

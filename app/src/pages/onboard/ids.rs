//! Step 5: the IDs from the app's Overview page.

use super::{step_href, wizard, StepHeading, WizardField};
use crate::api::onboarding::SaveOnboardingIds;
use crate::components::form::{action_error, endpoint, FormError};
use crate::components::post_form::{After, PostForm};
use domain::onboarding::Step;
use leptos::prelude::*;

const FIELDS: &[&str] = &["tenant_id", "client_id", "object_id"];

#[component]
pub fn IdsStep() -> impl IntoView {
    let wizard = wizard();
    let save = ServerAction::<SaveOnboardingIds>::new();
    let error = action_error(save);
    let saved = wizard
        .data
        .with_untracked(|d| (d.ids.clone(), d.needs_object_id));
    let (ids, needs_object_id) = saved;
    view! {
        <StepHeading step=Step::Ids/>
        <p>"Copy these from the app's Overview page in Entra."</p>
        <PostForm action={endpoint::<SaveOnboardingIds>()} after=After::Open(step_href(Step::Test)) class="onboard-form".to_owned()>
            <WizardField label="Directory (tenant) ID" name="tenant_id" error value=ids.tenant_id.clone()/>
            <WizardField label="Application (client) ID" name="client_id" error value=ids.client_id.clone()/>
            {needs_object_id.then(|| view! {
                <WizardField label="Object ID" name="object_id" error value=ids.object_id.clone()
                    hint="The app registration's Object ID, not the one of its enterprise application."/>
            })}
            <FormError error fields=FIELDS/>
            <button type="submit">"Save the IDs"</button>
        </PostForm>
    }
}

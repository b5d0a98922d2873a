//! Steps 1 to 3, done by the customer in the Entra admin center: register
//! the app, add its permissions, grant admin consent. Tenantry only records
//! that the customer says they are done; the test in step 6 checks.

use super::{step_href, wizard, StepHeading};
use crate::api::onboarding::FinishOnboardingStep;
use crate::components::copy::CopyButton;
use crate::components::form::{action_error, endpoint, FormError};
use crate::components::post_form::{After, PostForm};
use domain::onboarding::Step;
use leptos::prelude::*;

/// "I have done this": records the step and moves on to the next one.
#[component]
pub(super) fn DoneButton(step: Step, label: &'static str) -> impl IntoView {
    let finish = ServerAction::<FinishOnboardingStep>::new();
    let error = action_error(finish);
    let next = step
        .next()
        .map(step_href)
        .map_or(After::Reload, After::Open);
    view! {
        <PostForm action={endpoint::<FinishOnboardingStep>()} after=next class="step-actions".to_owned()>
            <input type="hidden" name="step" value=step.number()/>
            <FormError error fields=&[]/>
            <button type="submit">{label}</button>
        </PostForm>
    }
}

#[component]
pub fn RegisterStep() -> impl IntoView {
    let data = wizard().data.get_untracked();
    view! {
        <StepHeading step=Step::Register/>
        <ul class="plain">
            {data.profiles.iter().map(|p| view! {
                <li><strong>{p.name.clone()}</strong>": " {p.summary.clone()}
                    {p.cautions.iter().map(|c| view! { <p class="notice warning">{c.clone()}</p> }).collect_view()}
                </li>
            }).collect_view()}
        </ul>
        <ol>
            <li>"Sign in to " <a href=data.portal_host.clone() target="_blank" rel="noopener noreferrer external">{data.portal_host.clone()}</a> " with an administrator account of this tenant."</li>
            <li>"Open Microsoft Entra ID → App registrations → New registration."</li>
            <li>"Name it " <strong>{data.suggested_app_name.clone()}</strong> " and keep “Accounts in this organizational directory only”."</li>
            <li>"Under Redirect URI choose " <strong>"Web"</strong> " and enter " <code>{data.redirect_uri.clone()}</code>
                <CopyButton text=data.redirect_uri.clone() what="the redirect URI".to_owned()/>
                ". Nobody signs in through it: Tenantry signs in as the app itself. It only brings you back to Tenantry after granting admin consent, so the registration is checked again at once."</li>
            <li>"Select Register. Keep the app's Overview page open; its IDs are needed in step 5."</li>
        </ol>
        <details>
            <summary>"Prefer a script? It does steps 1 and 2 in one go."</summary>
            <h3>"Microsoft Graph PowerShell"</h3>
            <pre class="script"><code>{data.powershell.clone()}</code></pre>
            <CopyButton text=data.powershell.clone() what="the PowerShell script".to_owned()/>
            <h3>"Azure CLI"</h3>
            <pre class="script"><code>{data.azure_cli.clone()}</code></pre>
            <CopyButton text=data.azure_cli.clone() what="the Azure CLI commands".to_owned()/>
        </details>
        <DoneButton step=Step::Register label="The app is registered"/>
    }
}

#[component]
pub fn PermissionsStep() -> impl IntoView {
    let data = wizard().data.get_untracked();
    view! {
        <StepHeading step=Step::Permissions/>
        <p>"On the app's page, open API permissions → Add a permission → Microsoft Graph, and add exactly these. Application permissions are under “Application permissions”, delegated ones under “Delegated permissions”."</p>
        <table class="permissions">
            <thead><tr><th scope="col">"Permission"</th><th scope="col">"Type"</th><th scope="col">"Why"</th></tr></thead>
            <tbody>
                {data.requirements.iter().map(|r| {
                    let name = r.permission.clone();
                    view! {
                        <tr>
                            <td><code>{r.permission.clone()}</code>" "
                                <CopyButton text=name.clone() what=name/>
                                {r.optional.then_some(" (optional)")}</td>
                            <td>{r.kind.clone()}</td>
                            <td>{r.reason.clone()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <DoneButton step=Step::Permissions label="The permissions are added"/>
    }
}

#[component]
pub fn ConsentStep() -> impl IntoView {
    let wizard = wizard();
    let data = wizard.data;
    view! {
        <StepHeading step=Step::Consent/>
        <p>"Application permissions do nothing until an administrator consents to them for the whole organisation. Only a Global Administrator or a Privileged Role Administrator can grant consent to Microsoft Graph application permissions."</p>
        <p>"On the API permissions page, select “Grant admin consent for your organisation” and confirm. Every permission's status then reads “Granted”."</p>
        {move || match data.with(|d| d.consent_url.clone()) {
            Some(url) => view! {
                <p>"Or open this consent link as such an administrator: "
                    <a href=url.clone() target="_blank" rel="noopener noreferrer external">{url.clone()}</a></p>
            }.into_any(),
            None => view! {
                <p class="muted">"Once you enter the app's IDs in step 5, a direct consent link for this app appears here too."</p>
            }.into_any(),
        }}
        <DoneButton step=Step::Consent label="Consent is granted"/>
    }
}

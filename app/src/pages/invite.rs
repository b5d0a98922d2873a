use crate::api::staff::{invitation_preview, AcceptInvitation};
use crate::components::form::{action_error, Field, FormError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, invitation_preview);
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = action_error(accept);
    view! {
        <Title text="Join your team"/>
        <main class="auth">
            <section class="card narrow">
                <h1>"Join your team on Tenantry"</h1>
                <Suspense fallback=|| view! { <p>"Checking your invitation…"</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(invitation) => view! {
                                <p>
                                    {invitation.organisation_name} " invited " <strong>{invitation.email.clone()}</strong>
                                    " as " {invitation.role.label()} "."
                                </p>
                                <ActionForm action=accept>
                                    <input type="hidden" name="token" value=token()/>
                                    <Field label="Your name" name="name" autocomplete="name" error/>
                                    <Field label="Choose a password" name="password" kind="password" autocomplete="new-password"
                                        hint="At least 12 characters." error/>
                                    <FormError error fields=&["name", "password"]/>
                                    <button type="submit" disabled=move || accept.pending().get()>"Create my account"</button>
                                </ActionForm>
                            }.into_any(),
                            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

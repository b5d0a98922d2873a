use crate::api::staff::{invitation_preview, AcceptInvitation};
use crate::components::form::{action_error, endpoint, Field, FormError};
use crate::components::post_form::{After, PostForm};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn InvitePage() -> impl IntoView {
    let preview = Resource::new(|| (), |_| invitation_preview());
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
                                <AcceptInvitationForm/>
                            }.into_any(),
                            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

#[component]
fn AcceptInvitationForm() -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = action_error(accept);
    view! {
        <PostForm action={endpoint::<AcceptInvitation>()} after=After::Reload class=String::new()>
            <Field label="Your name" name="name" autocomplete="name" error/>
            <Field label="Choose a password" name="password" kind="password" autocomplete="new-password"
                hint="At least 12 characters." error/>
            <FormError error fields=&["name", "password"]/>
            <button type="submit">"Create my account"</button>
        </PostForm>
    }
}

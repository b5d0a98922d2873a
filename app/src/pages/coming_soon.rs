use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn ComingSoon(title: &'static str, summary: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <section class="card">
            <p>{summary}</p>
            <p class="muted">"Coming in a later release."</p>
        </section>
    }
}

#[component]
pub fn RecoveryPage() -> impl IntoView {
    view! {
        <ComingSoon
            title="Recovery"
            summary="Company recovery: someone who lost access proves they administer the tenant with a short-lived recovery app registration."
        />
    }
}

//! The home page of a signed-in engineer: every registration's health at a
//! glance, what needs attention first, what expires soon, and where more
//! permission is held than needed. The view lives in the URL, so it can be
//! bookmarked and shared.

mod attention;
mod links;
mod matrix;
mod summary;

use crate::model::DashboardView;
use domain::dashboard::ViewQuery;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::sync::Arc;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let url = use_query_map();
    let query = url.with_untracked(|q| ViewQuery {
        status: q.get("status"),
        product: q.get("product"),
        cloud: q.get("cloud"),
        finding: q.get("finding"),
        expiring: q.get("expiring"),
        extra: q.get("extra"),
        q: q.get("q"),
        sort: q.get("sort"),
        page: q.get("page"),
    });
    // A form sent before the page was interactive comes back with its
    // refusal in the address, for this page only (see `form_errors.rs`).
    let answers_a_form = url.with_untracked(|q| q.get("__err").is_some());
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {Suspend::new(sections(query, answers_a_form))}
        </Suspense>
    }
}

/// The page's sections, rendered once per view of a reading and kept
/// beside it (`KeptView`): under load most dashboard pages are the same
/// few views, and rendering them was most of a page's cost. A page that
/// answers a form shows that form's refusal, so it is rendered for itself.
#[cfg(feature = "ssr")]
async fn sections(query: ViewQuery, answers_a_form: bool) -> AnyView {
    use crate::backend::{as_staff, dashboard};
    match as_staff(|ctx| async move { dashboard::load(&ctx, &query).await }).await {
        Ok(kept) if answers_a_form => dashboard(kept.view.clone()).into_any(),
        Ok(kept) => {
            let html = kept.html(|view| dashboard(view.clone()).to_html());
            view! { <div class="dashboard" inner_html=html.to_string()></div> }.into_any()
        }
        Err(error) => {
            view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any()
        }
    }
}

/// Pages are rendered on the server only (islands); the browser's bundle
/// carries just the islands inside them.
#[cfg(not(feature = "ssr"))]
async fn sections(_query: ViewQuery, _answers_a_form: bool) -> AnyView {
    ().into_any()
}

// Rendered on the server only (see `sections`); its islands reach the
// browser's bundle on their own.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
fn dashboard(view: DashboardView) -> impl IntoView {
    let export = format!("/export/dashboard.csv{}", links::query_string(&view.query));
    let problems = view.problems.clone();
    // The sections share one copy of the view; rendering a page used to
    // copy all of it once per section.
    let view = Arc::new(view);
    view! {
        <p class="muted as-of">
            "As of " <crate::components::relative_time::RelativeTime at=view.as_of.clone()/>
            " · " <a href=export download>"Export this view (CSV)"</a>
        </p>
        {(!problems.is_empty()).then(|| view! {
            <div class="form-error" role="alert">
                <p>"Parts of this address were not understood and are left out:"</p>
                <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </div>
        })}
        // Each section is its own type-erased view: one nested type for the
        // whole page overflows the compiler's limits and bloats the bundle.
        {view! { <summary::Counts view=view.clone()/> }.into_any()}
        {view! { <summary::Filters view=view.clone()/> }.into_any()}
        {view! { <attention::Attention view=view.clone()/> }.into_any()}
        {view! { <matrix::Matrix view=view.clone()/> }.into_any()}
        {view! { <summary::Expiring view=view.clone()/> }.into_any()}
        {view! { <summary::BeyondNeed view=view.clone()/> }.into_any()}
        {view! { <summary::Trend view=view.clone()/> }.into_any()}
        {view! { <summary::Watch view/> }.into_any()}
    }
}

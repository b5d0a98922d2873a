use crate::api::staff::load_staff;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_staff());
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => {
                        let count = overview.members.len();
                        view! {
                            <div class="tiles">
                                <section class="card tile">
                                    <h2>{overview.organisation_name}</h2>
                                    <p class="figure">{count}</p>
                                    <p class="muted">{if count == 1 { "staff member" } else { "staff members" }}</p>
                                    <a href="/settings">"Manage staff"</a>
                                </section>
                                <section class="card tile">
                                    <h2>"Permission health"</h2>
                                    <p class="muted">"Scheduled health checks of every registration are coming next; record tenants and their registrations under Tenants."</p>
                                </section>
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

//! The dashboard's smaller sections: counts by status, the filters, the
//! expiring credentials, permissions beyond need, the trend and the watch.

use super::links::changed;
use crate::components::relative_time::RelativeTime;
use crate::model::DashboardView;
use domain::dashboard::{ExpiryGroup, MAX_EXPIRING_DAYS};
use domain::evaluation::Status;
use domain::finding::FindingCode;
use domain::Cloud;
use leptos::prelude::*;
use std::sync::Arc;

/// What each status means, for the legend and the counts' titles.
pub fn meaning(status: Status) -> &'static str {
    match status {
        Status::Healthy => "The last check reached Microsoft and found everything the products need.",
        Status::Warning => "Works now, but something needs care soon (an expiring credential, an optional permission).",
        Status::Failing => "A product that relies on it does not work.",
        Status::CouldNotCheck => "The last check could not reach a verdict (Microsoft unreachable, throttled or failing); the status before it is not repeated as current.",
        Status::Stale => "No check has completed for longer than twice the check interval; what was last seen may no longer be true.",
        Status::NeverChecked => "Not checked yet; nothing is known.",
    }
}

#[component]
pub fn Counts(view: Arc<DashboardView>) -> impl IntoView {
    let selected = view.query.status.clone();
    let items = view
        .counts
        .iter()
        .map(|count| {
            let status = count.status;
            let chosen = selected.as_deref() == Some(status.as_str());
            let href = changed(&view.query, |q| {
                q.status = (!chosen).then(|| status.as_str().to_owned())
            });
            view! {
                <li>
                    <a href=href class=format!("count status-{}", status.as_str())
                        aria-current=chosen.then_some("true") title=meaning(status)>
                        <span class=format!("status status-{}", status.as_str())>{status.label()}</span>
                        <span class="figure">{count.count}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav aria-label="Registrations by status" class="counts">
            <ul>{items}</ul>
        </nav>
    }
}

#[component]
pub fn Filters(view: Arc<DashboardView>) -> impl IntoView {
    let q = view.query.clone();
    let option = |value: String, label: String, current: &Option<String>| {
        let selected = current.as_deref() == Some(value.as_str());
        view! { <option value=value selected=selected>{label}</option> }
    };
    let products = view
        .products
        .iter()
        .map(|p| option(p.id.clone(), p.name.clone(), &q.product))
        .collect_view();
    let clouds = Cloud::ALL
        .into_iter()
        .map(|c| option(c.id().to_owned(), c.label().to_owned(), &q.cloud))
        .collect_view();
    let findings = FindingCode::ALL
        .into_iter()
        .map(|c| {
            option(
                c.as_str().to_owned(),
                format!("{} ({})", c.headline(), c.as_str()),
                &q.finding,
            )
        })
        .collect_view();
    let statuses = Status::ALL
        .into_iter()
        .map(|s| option(s.as_str().to_owned(), s.label().to_owned(), &q.status))
        .collect_view();
    let sorts = [
        ("tenant", "Tenant name, A to Z"),
        ("-tenant", "Tenant name, Z to A"),
        ("worst", "Worst status first"),
    ]
    .into_iter()
    .map(|(value, label)| option(value.to_owned(), label.to_owned(), &q.sort))
    .collect_view();
    view! {
        <form method="get" action="/" class="filters card" aria-label="Filters">
            <div class="field">
                <label for="filter-q">"Tenant name"</label>
                <input id="filter-q" name="q" type="search" value=q.q.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="filter-status">"Status"</label>
                <select id="filter-status" name="status"><option value="">"Any"</option>{statuses}</select>
            </div>
            <div class="field">
                <label for="filter-product">"Product"</label>
                <select id="filter-product" name="product"><option value="">"Any"</option>{products}</select>
            </div>
            <div class="field">
                <label for="filter-cloud">"Cloud"</label>
                <select id="filter-cloud" name="cloud"><option value="">"Any"</option>{clouds}</select>
            </div>
            <div class="field">
                <label for="filter-finding">"Finding"</label>
                <select id="filter-finding" name="finding"><option value="">"Any"</option>{findings}</select>
            </div>
            <div class="field">
                <label for="filter-expiring">"Credential expires within (days)"</label>
                <input id="filter-expiring" name="expiring" type="number" min="0" max=MAX_EXPIRING_DAYS
                    value=q.expiring.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="filter-sort">"Order"</label>
                <select id="filter-sort" name="sort">{sorts}</select>
            </div>
            {q.extra.clone().map(|extra| view! { <input type="hidden" name="extra" value=extra/> })}
            <div class="actions">
                <button type="submit">"Apply filters"</button>
                <a href="/">"Clear"</a>
            </div>
        </form>
    }
}

#[component]
pub fn Expiring(view: Arc<DashboardView>) -> impl IntoView {
    let any = view.expiring.iter().any(|g| g.total > 0);
    let groups = view
        .expiring
        .iter()
        .filter(|g| g.total > 0)
        .map(|group| {
            let more = group.total - group.items.len();
            let items = group
                .items
                .iter()
                .map(|item| {
                    let contacts = if item.contacts.is_empty() {
                        "no contact on file".to_owned()
                    } else {
                        item.contacts.join(", ")
                    };
                    let verb = if group.group == ExpiryGroup::Expired { "expired" } else { "expires" };
                    view! {
                        <li>
                            <a href=format!("/tenants/{}", item.customer_tenant_id)>{item.tenant_name.clone()}</a>
                            " · " {item.products.join(", ")} " · the " {item.credential.clone()} " " {verb} " "
                            <RelativeTime at=item.expires_at.clone()/>
                            " · contact: " {contacts} " · "
                            <a href=format!("/registrations/{}", item.registration_id)>{item.remedy.label()}</a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <h3>{group.group.label()} " (" {group.total} ")"</h3>
                <ul class="plain">{items}</ul>
                {(more > 0).then(|| {
                    let days = group.group.within_days();
                    view! {
                        <p class="muted">{format!("and {more} more: ")}
                            <a href=changed(&view.query, |q| q.expiring = Some(days.to_string()))>
                                {format!("show every credential expiring within {days} days")}</a></p>
                    }
                })}
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="expiring-heading">
            <h2 id="expiring-heading">"Expiring credentials"</h2>
            {if any { groups.into_any() } else {
                view! { <p class="muted">"No credential Tenantry holds expires within 30 days."</p> }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn BeyondNeed(view: Arc<DashboardView>) -> impl IntoView {
    let rows = view
        .beyond_need
        .iter()
        .map(|held| {
            let href = changed(&view.query, |q| q.extra = Some(held.permission.clone()));
            let tenants = if held.tenants == 1 {
                "tenant"
            } else {
                "tenants"
            };
            view! {
                <tr>
                    <th scope="row"><code>{held.permission.clone()}</code></th>
                    <td>{format!("granted in {} {tenants} beyond need", held.tenants)}</td>
                    <td>{held.registrations}</td>
                    <td><a href=href>"Show the tenants"</a></td>
                </tr>
            }
        })
        .collect_view();
    let filtered = view.query.extra.clone();
    view! {
        <section class="card" aria-labelledby="least-privilege-heading">
            <h2 id="least-privilege-heading">"Least privilege across tenants"</h2>
            {filtered.map(|p| view! {
                <p>"Showing registrations holding " <code>{p}</code> " beyond need. "
                   <a href=changed(&view.query, |q| q.extra = None)>"Show all"</a></p>
            })}
            {if view.beyond_need.is_empty() {
                view! { <p class="muted">"No registration holds application permissions beyond what its products need."</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr><th scope="col">"Permission"</th><th scope="col">"Where"</th><th scope="col">"Registrations"</th><th scope="col"></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

const BAR: f64 = 12.0;

/// A coordinate to a tenth of a unit, through integers: `{:.1}` of a float
/// took a noticeable share of rendering the page.
fn tenths(value: f64) -> String {
    let tenths = (value.max(0.0) * 10.0).round() as u64;
    format!("{}.{}", tenths / 10, tenths % 10)
}
const HEIGHT: f64 = 90.0;

/// Stacked bars, one per day, worst status at the bottom.
#[component]
pub fn Trend(view: Arc<DashboardView>) -> impl IntoView {
    let most = view
        .trend
        .iter()
        .map(|day| day.counts.iter().map(|c| c.count).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let order = [
        Status::Failing,
        Status::CouldNotCheck,
        Status::Stale,
        Status::Warning,
        Status::Healthy,
        Status::NeverChecked,
    ];
    let width = BAR * view.trend.len() as f64;
    let bars = view
        .trend
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let mut top = HEIGHT;
            let described = day
                .counts
                .iter()
                .filter(|c| c.count > 0)
                .map(|c| format!("{} {}", c.count, c.status.label().to_lowercase()))
                .collect::<Vec<_>>();
            let title = if described.is_empty() {
                format!("{}: no checks", day.date)
            } else {
                format!("{}: {}", day.date, described.join(", "))
            };
            let parts = order
                .iter()
                .filter_map(|status| {
                    let count = day.counts.iter().find(|c| c.status == *status)?.count;
                    (count > 0).then(|| {
                        let height = HEIGHT * count as f64 / most;
                        top -= height;
                        view! {
                            <rect class=format!("status-{}", status.as_str()) x=tenths(i as f64 * BAR + 1.0)
                                y=tenths(top) width=tenths(BAR - 2.0) height=tenths(height)/>
                        }
                    })
                })
                .collect_view();
            view! { <g><title>{title}</title>{parts}</g> }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="trend-heading">
            <h2 id="trend-heading">"Last 30 days"</h2>
            <p class="muted">"Registrations by the worst status checked each day."</p>
            <svg class="trend" role="img" aria-label="Registrations by worst status checked each day, last 30 days"
                viewBox=format!("0 0 {width} {HEIGHT}") width=width height=HEIGHT>{bars}</svg>
            <Legend/>
        </section>
    }
}

#[component]
pub fn Legend() -> impl IntoView {
    view! {
        <dl class="legend">
            {Status::ALL.into_iter().map(|status| view! {
                <div>
                    <dt><span class=format!("status status-{}", status.as_str())>{status.label()}</span></dt>
                    <dd>{meaning(status)}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

#[component]
pub fn Watch(view: Arc<DashboardView>) -> impl IntoView {
    let watch = view.watch.clone();
    view! {
        <section class="card" aria-labelledby="watch-heading">
            <h2 id="watch-heading">"The watch"</h2>
            {match (watch.newest_check, watch.oldest_check) {
                (Some(newest), Some(oldest)) => view! {
                    <p>"Newest check " <RelativeTime at=newest/> "; every checked registration was checked since "
                       <RelativeTime at=oldest/> ". Each is due every " {watch.interval_minutes} " minutes."</p>
                }.into_any(),
                _ => view! { <p class="muted">"No registration has been checked yet."</p> }.into_any(),
            }}
        </section>
    }
}

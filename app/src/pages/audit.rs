//! Settings → Audit trail (admins): who did what, when and from where,
//! filtered through the page's address so a view can be shared, and
//! downloadable as CSV.

use crate::api::audit::audit_trail;
use crate::model::{AuditEntry, AuditQuery};
use domain::audit::AuditAction;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditPage() -> impl IntoView {
    let url = use_query_map();
    let request = Memo::new(move |_| {
        url.with(|q| {
            let page = q
                .get("page")
                .and_then(|page| page.parse::<i64>().ok())
                .unwrap_or(1);
            let query = AuditQuery {
                action: q.get("action").unwrap_or_default(),
                text: q.get("text").unwrap_or_default(),
                from: q.get("from").unwrap_or_default(),
                to: q.get("to").unwrap_or_default(),
            };
            (query, page)
        })
    });
    let trail = Resource::new(
        move || request.get(),
        |(query, page)| audit_trail(Some(query), page),
    );
    view! {
        <Title text="Audit trail"/>
        <h1>"Audit trail"</h1>
        <p class="muted">"Security-relevant events in your organisation, newest first. Entries are never changed or deleted."</p>
        {move || view! { <Filters query=request.get().0/> }}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (query, _) = request.get_untracked();
                match trail.await {
                    Ok(page) => view! {
                        <p>
                            <a href=format!("/export/audit.csv?{}", query.to_query_string()) download>
                                "Download these events (CSV)"
                            </a>
                        </p>
                        <EventTable entries=page.entries/>
                        <Pages query page=page.page has_more=page.has_more/>
                    }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Filters(query: AuditQuery) -> impl IntoView {
    view! {
        <Form method="GET" action="" attr:class="card filters">
            <div class="field">
                <label for="audit-action">"Event"</label>
                <select id="audit-action" name="action">
                    <option value="" selected=query.action.is_empty()>"Any event"</option>
                    {AuditAction::ALL.iter().map(|action| view! {
                        <option value=action.code() selected=query.action == action.code()>{action.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-text">"Who or what"</label>
                <input id="audit-text" name="text" type="search" value=query.text placeholder="E-mail address or name"/>
            </div>
            <div class="field">
                <label for="audit-from">"From"</label>
                <input id="audit-from" name="from" type="date" value=query.from/>
            </div>
            <div class="field">
                <label for="audit-to">"To"</label>
                <input id="audit-to" name="to" type="date" value=query.to/>
            </div>
            <button type="submit">"Show events"</button>
        </Form>
    }
}

#[component]
fn EventTable(entries: Vec<AuditEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p role="status">"No events match."</p> }.into_any();
    }
    view! {
        <table class="audit">
            <thead>
                <tr>
                    <th scope="col">"When (UTC)"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Event"</th>
                    <th scope="col">"On"</th>
                    <th scope="col">"Detail"</th>
                    <th scope="col">"From"</th>
                </tr>
            </thead>
            <tbody>
                {entries.into_iter().map(|entry| view! {
                    <tr>
                        <td><time datetime=entry.at.as_str().to_owned()>{entry.at.as_str().replace('T', " ").trim_end_matches('Z').to_owned()}</time></td>
                        <td>{entry.actor}</td>
                        <td>{entry.action_label}</td>
                        <td>{entry.target}</td>
                        <td>{entry.detail}</td>
                        <td title=entry.user_agent>{entry.ip}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn Pages(query: AuditQuery, page: i64, has_more: bool) -> impl IntoView {
    let link = move |page: i64| {
        let base = query.to_query_string();
        let joiner = if base.is_empty() { "" } else { "&" };
        format!("/audit?{base}{joiner}page={page}")
    };
    view! {
        <nav class="pages" aria-label="Pages of events">
            {(page > 1).then(|| view! { <a href=link(page - 1)>"Newer events"</a> })}
            <span>{format!("Page {page}")}</span>
            {has_more.then(|| view! { <a href=link(page + 1)>"Older events"</a> })}
        </nav>
    }
}

//! Import registrations from a spreadsheet and export them with their
//! health, on the tenants page for staff who manage tenants.

use crate::api::exchange::ImportRegistrations;
use crate::components::check_all::CheckAll;
use crate::components::file_field::FileField;
use crate::components::form::{endpoint, FormError};
use crate::components::sent::Sent;
use crate::model::ImportReport;
use leptos::prelude::*;

/// The report of an import is shown here; the tenants list shows new
/// tenants the next time the page opens.
#[island]
pub fn Exchange() -> impl IntoView {
    let import = Sent::<ImportReport>::new();
    let import_form = NodeRef::<leptos::html::Form>::new();
    let error = import.error();
    let progress = RwSignal::new(None);
    view! {
        <section class="card">
            <h2>"Import or export registrations"</h2>
            <p>
                <a href="/export/registrations.csv" rel="external" download>"Download all registrations with their health (CSV)"</a>
                <span class="muted">" — no secrets, one line per registration."</span>
            </p>
            <p class="muted">"Import a CSV with a header row and the columns tenant, tenant_id (or domain), cloud, client_id, object_id, profiles (separated by ;), secret and secret_expires (YYYY-MM-DD), or pfx_base64 and pfx_password. Every row is checked first; if any is wrong, nothing is imported. Secrets are stored encrypted and never shown."</p>
            <form node_ref=import_form action={endpoint::<ImportRegistrations>()} method="post" class="import-form" on:submit={import.on_submit(endpoint::<ImportRegistrations>(), import_form)}>
                <FileField label="CSV file".to_owned() name="file".to_owned() accept=".csv,text/csv".to_owned()
                    hint="Read in your browser and sent only to Tenantry.".to_owned() error=None/>
                <label class="check">
                    <input type="checkbox" name="form[dry_run]" value="true"/>
                    " Only check the file, import nothing"
                </label>
                <FormError error fields=&[]/>
                <button type="submit" disabled=move || import.pending()>"Import"</button>
            </form>
            {move || import.ok().map(|report| view! {
                <Report report=report.clone()/>
                {(report.imported() > 0).then(|| view! {
                    <CheckAll customer_tenant_id=None progress label="Check everything now"/>
                })}
            })}
        </section>
    }
}

#[component]
fn Report(report: ImportReport) -> impl IntoView {
    let refused = !report.problems.is_empty();
    view! {
        <p class=if refused { "form-error" } else { "notice" } role="status">{report.summary.clone()}</p>
        {refused.then(|| view! {
            <table class="import-problems">
                <thead><tr><th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                <tbody>
                    {report.problems.iter().map(|p| view! {
                        <tr><td>{p.line}</td><td>{p.column.clone()}</td><td>{p.message.clone()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {(!refused).then(|| view! {
            <table class="import-rows">
                <thead><tr><th scope="col">"Line"</th><th scope="col">"Tenant"</th><th scope="col">"Application (client) ID"</th><th scope="col">"Result"</th></tr></thead>
                <tbody>
                    {report.rows.iter().map(|r| {
                        let result = match (r.new_registration, r.new_tenant, report.dry_run) {
                            (false, _, _) => "Already recorded",
                            (true, true, true) => "Would be added, with a new tenant",
                            (true, false, true) => "Would be added",
                            (true, true, false) => "Added, with a new tenant",
                            (true, false, false) => "Added",
                        };
                        view! { <tr><td>{r.line}</td><td>{r.tenant.clone()}</td><td><code>{r.client_id.clone()}</code></td><td>{result}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

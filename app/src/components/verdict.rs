//! A verdict as people read it: one row per permission, the permissions
//! held but not needed, and each finding with its fix. Shared by the
//! customer's test step and the registration page.

use domain::evaluation::{PermissionState, PermissionVerdict, Status};
use domain::finding::Finding;
use leptos::prelude::*;

#[component]
pub fn VerdictDetails(
    permissions: Vec<PermissionVerdict>,
    extra_permissions: Vec<String>,
    findings: Vec<Finding>,
) -> impl IntoView {
    view! {
        <table class="verdict">
            <thead><tr><th scope="col">"Permission"</th><th scope="col">"Type"</th><th scope="col">"Result"</th></tr></thead>
            <tbody>
                {permissions.into_iter().map(|p| {
                    let (mark, text) = match p.state {
                        PermissionState::Granted => ("✓", "Granted"),
                        PermissionState::Missing => ("✗", "Missing"),
                        PermissionState::OptionalMissing => ("–", "Optional, not granted"),
                        PermissionState::NotVerifiableAppOnly => ("?", "Cannot be verified with an app-only token"),
                        PermissionState::NotChecked => ("…", "Not checked"),
                    };
                    view! { <tr><td>{p.name}</td><td>{p.kind.label()}</td><td><span aria-hidden="true">{mark}" "</span>{text}</td></tr> }
                }).collect_view()}
            </tbody>
        </table>
        {(!extra_permissions.is_empty()).then(|| view! {
            <p>"Not needed, please remove: " {extra_permissions.join(", ")}</p>
        })}
        <ul class="findings">
            {findings.into_iter().map(|f| view! {
                <li data-code=f.code.as_str()><strong>{f.message}</strong><br/>"How to fix: " {f.fix}</li>
            }).collect_view()}
        </ul>
    }
}

/// A status in words with its colour; never colour alone.
#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    view! { <span class=format!("status status-{}", status.as_str())>{status.label()}</span> }
}

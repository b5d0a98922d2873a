//! Customer tenants down, products across: each cell the worst status of
//! the registrations serving that product there, linking to it. Arrow keys
//! move between cells.

use super::summary::Legend;
use crate::model::DashboardView;
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn Matrix(view: Arc<DashboardView>) -> impl IntoView {
    let columns = match &view.query.product {
        Some(product) => view
            .products
            .iter()
            .filter(|p| &p.id == product)
            .cloned()
            .collect(),
        None => view.products.clone(),
    };
    let headers = columns
        .iter()
        .map(|p| view! { <th scope="col">{p.name.clone()}</th> })
        .collect_view();
    let rows = view
        .matrix
        .iter()
        .enumerate()
        .map(|(row, tenant)| {
            let cells = tenant
                .cells
                .iter()
                .zip(&columns)
                .enumerate()
                .map(|(column, (cell, product))| match cell {
                    Some(cell) => {
                        let label = format!(
                            "{}, {}: {}{}",
                            tenant.tenant_name,
                            product.name,
                            cell.status.label(),
                            if cell.registrations > 1 {
                                format!(" (worst of {} registrations)", cell.registrations)
                            } else {
                                String::new()
                            }
                        );
                        view! {
                            <td>
                                <a href=format!("/registrations/{}", cell.registration_id)
                                    class=format!("cell status status-{}", cell.status.as_str())
                                    aria-label=label.clone() title=label
                                    data-row=row data-column=column>
                                    {cell.status.label()}
                                    {(cell.registrations > 1).then(|| format!(" ×{}", cell.registrations))}
                                </a>
                            </td>
                        }
                        .into_any()
                    }
                    None => view! { <td class="none"><span class="muted">"—"</span></td> }.into_any(),
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">
                        <a href=format!("/tenants/{}", tenant.customer_tenant_id)>{tenant.tenant_name.clone()}</a>
                        <span class="muted cloud">{tenant.cloud.clone()}</span>
                    </th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let page = view.page;
    let at_page = |n: usize| {
        let mut query = view.query.clone();
        query.page = (n > 1).then(|| n.to_string());
        format!("/{}", super::links::query_string(&query))
    };
    let previous = (page > 1).then(|| at_page(page - 1));
    let next = (page < view.pages).then(|| at_page(page + 1));
    view! {
        <section class="card" aria-labelledby="matrix-heading">
            <h2 id="matrix-heading">"Tenants and products"</h2>
            <p class="muted">
                {format!("{} registrations in {} tenants", view.shown, view.matrix_tenants)}
                {(view.pages > 1).then(|| format!(" · page {} of {}", page, view.pages))}
            </p>
            <MatrixKeys>
                <table class="matrix">
                    <thead><tr><th scope="col">"Tenant"</th>{headers}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </MatrixKeys>
            <nav aria-label="Pages" class="pages">
                {previous.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
                {next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
            </nav>
            <Legend/>
        </section>
    }
}

/// The server-rendered table, with arrow keys moving the focus from cell to
/// cell as in a spreadsheet.
#[island]
fn MatrixKeys(children: Children) -> impl IntoView {
    view! { <div class="matrix-scroll" on:keydown=move_between_cells>{children()}</div> }
}

fn move_between_cells(event: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let (dr, dc): (i64, i64) = match event.key().as_str() {
            "ArrowUp" => (-1, 0),
            "ArrowDown" => (1, 0),
            "ArrowLeft" => (0, -1),
            "ArrowRight" => (0, 1),
            _ => return,
        };
        let Some(cell) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let number = |name: &str| cell.get_attribute(name).and_then(|v| v.parse::<i64>().ok());
        let (Some(row), Some(column)) = (number("data-row"), number("data-column")) else {
            return;
        };
        let selector = format!(
            "a[data-row=\"{}\"][data-column=\"{}\"]",
            row + dr,
            column + dc
        );
        let target = cell
            .closest("table")
            .ok()
            .flatten()
            .and_then(|table| table.query_selector(&selector).ok().flatten())
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(target) = target {
            event.prevent_default();
            let _ = target.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

//! One view of a reading: the rules of `domain::dashboard` applied to the
//! snapshot's entries, turned into what the page shows.

use super::snapshot::Snapshot;
use crate::backend::checks::view::at;
use crate::model::{
    AttentionItem, CellView, DashboardView, ExpiringGroupView, ExpiringItem, MatrixRowView,
    ProductColumn, StatusCount, TrendDay, WatchSummary,
};
use domain::dashboard::{
    attention, beyond_need, expiry_group, headline, matrix, remedy, Counts, ExpiryGroup, Sort,
    View, ViewQuery, EXPIRING_LISTED, LIST_LIMIT, PAGE_SIZE,
};
use domain::evaluation::{CredentialKind, Status};

pub struct Context {
    pub trend: Vec<TrendDay>,
    pub interval_minutes: i64,
    pub can_acknowledge: bool,
}

/// The entries a view shows (all its filters), and those it counts (every
/// filter but status).
pub fn selected(snapshot: &Snapshot, view: &View) -> (Vec<usize>, Vec<usize>) {
    let mut counted_by = view.filter.clone();
    counted_by.status = None;
    let counted: Vec<usize> = (0..snapshot.entries.len())
        .filter(|&i| {
            let entry = &snapshot.entries[i];
            counted_by.matches(entry, &snapshot.tenants[entry.tenant], snapshot.at)
        })
        .collect();
    let shown = counted
        .iter()
        .copied()
        .filter(|&i| {
            view.filter
                .status
                .is_none_or(|status| snapshot.entries[i].status == status)
        })
        .collect();
    (shown, counted)
}

pub fn products() -> Vec<ProductColumn> {
    domain::profile::built_in()
        .into_iter()
        .map(|p| ProductColumn {
            id: p.id,
            name: p.name,
        })
        .collect()
}

pub fn parse(query: &ViewQuery) -> (View, Vec<String>) {
    let ids: Vec<String> = products().into_iter().map(|p| p.id).collect();
    View::parse(query, &ids)
}

/// The view as a URL would say it, without the parts that did not parse.
fn echoed(view: &View) -> ViewQuery {
    let filter = &view.filter;
    ViewQuery {
        status: filter.status.map(|s| s.as_str().to_owned()),
        product: filter.product.clone(),
        cloud: filter.cloud.map(|c| c.id().to_owned()),
        finding: filter.finding.map(|c| c.as_str().to_owned()),
        expiring: filter.expiring_within_days.map(|d| d.to_string()),
        extra: filter.beyond_need.clone(),
        q: filter.search.clone(),
        sort: (view.sort != Sort::default()).then(|| view.sort.as_str().to_owned()),
        page: (view.page > 1).then(|| view.page.to_string()),
    }
}

pub fn compose(snapshot: &Snapshot, query: &ViewQuery, context: Context) -> DashboardView {
    let (view, problems) = parse(query);
    let (shown, counted) = selected(snapshot, &view);
    let columns = products();
    let entries = &snapshot.entries;

    let mut counts = Counts::default();
    for &i in &counted {
        counts.add(entries[i].status);
    }

    let ordered = attention(&snapshot.tenants, entries, &shown);
    let (acknowledged, open): (Vec<usize>, Vec<usize>) =
        ordered.into_iter().partition(|&i| entries[i].acknowledged);

    let ids: Vec<String> = match &view.filter.product {
        Some(product) => vec![product.clone()],
        None => columns.iter().map(|c| c.id.clone()).collect(),
    };
    let rows = matrix(
        &snapshot.tenants,
        entries,
        &shown,
        &ids,
        view.filter.is_empty(),
        view.sort,
    );
    let pages = rows.len().div_ceil(PAGE_SIZE).max(1);
    let page = view.page.min(pages);
    let matrix_tenants = rows.len();
    let matrix = rows
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|row| MatrixRowView {
            customer_tenant_id: snapshot.tenant_details[row.tenant].id.clone(),
            tenant_name: snapshot.tenants[row.tenant].name.clone(),
            cloud: snapshot.tenants[row.tenant].cloud.label().to_owned(),
            cells: row
                .cells
                .into_iter()
                .map(|cell| {
                    let cell = cell?;
                    Some(CellView {
                        status: cell.status,
                        registration_id: snapshot.registrations[*cell.entries.first()?].id.clone(),
                        registrations: cell.entries.len(),
                    })
                })
                .collect(),
        })
        .collect();

    let mut expiring: Vec<(ExpiryGroup, i64, usize)> = shown
        .iter()
        .filter_map(|&i| {
            let expires_at = entries[i].expires_at?;
            Some((expiry_group(expires_at, snapshot.at)?, expires_at, i))
        })
        .collect();
    expiring.sort();
    let expiring = ExpiryGroup::ALL
        .into_iter()
        .map(|group| {
            let members: Vec<&(ExpiryGroup, i64, usize)> =
                expiring.iter().filter(|(g, _, _)| *g == group).collect();
            ExpiringGroupView {
                group,
                total: members.len(),
                items: members
                    .into_iter()
                    .take(EXPIRING_LISTED)
                    .filter_map(|&(_, expires_at, i)| {
                        expiring_item(snapshot, &columns, i, expires_at)
                    })
                    .collect(),
            }
        })
        .collect();

    let checked = snapshot
        .registrations
        .iter()
        .filter_map(|r| r.last_checked_at);
    let watch = WatchSummary {
        newest_check: checked.clone().max().and_then(at),
        oldest_check: checked.min().and_then(at),
        interval_minutes: context.interval_minutes,
    };

    DashboardView {
        as_of: at(snapshot.at)
            .unwrap_or_else(|| crate::timestamp::Timestamp::of(time::OffsetDateTime::UNIX_EPOCH)),
        query: echoed(&View {
            page,
            ..view.clone()
        }),
        problems,
        counts: Status::ALL
            .into_iter()
            .map(|status| StatusCount {
                status,
                count: counts.of(status),
            })
            .collect(),
        shown: shown.len(),
        attention_total: open.len(),
        attention: open
            .iter()
            .take(LIST_LIMIT)
            .map(|&i| attention_item(snapshot, &columns, i))
            .collect(),
        acknowledged: acknowledged
            .iter()
            .take(LIST_LIMIT)
            .map(|&i| attention_item(snapshot, &columns, i))
            .collect(),
        matrix,
        matrix_tenants,
        page,
        pages,
        expiring,
        beyond_need: beyond_need(entries, &shown),
        trend: context.trend,
        watch,
        can_acknowledge: context.can_acknowledge,
        products: columns,
    }
}

fn product_names(columns: &[ProductColumn], ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            columns
                .iter()
                .find(|c| &c.id == id)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| id.clone())
        })
        .collect()
}

fn attention_item(snapshot: &Snapshot, columns: &[ProductColumn], i: usize) -> AttentionItem {
    let entry = &snapshot.entries[i];
    let registration = &snapshot.registrations[i];
    let code = headline(&entry.codes);
    let headline = match (code, entry.status) {
        (Some(code), _) => code.headline().to_owned(),
        (None, Status::Stale) => "Not checked for longer than twice the interval".to_owned(),
        (None, status) => status.label().to_owned(),
    };
    AttentionItem {
        registration_id: registration.id.clone(),
        customer_tenant_id: snapshot.tenant_details[entry.tenant].id.clone(),
        tenant_name: snapshot.tenants[entry.tenant].name.clone(),
        products: product_names(columns, &entry.profiles),
        status: entry.status,
        code,
        headline,
        since: entry.since.and_then(at),
        remedy: remedy(entry.status, code),
        acknowledgement: registration.acknowledgement.clone(),
    }
}

fn expiring_item(
    snapshot: &Snapshot,
    columns: &[ProductColumn],
    i: usize,
    expires_at: i64,
) -> Option<ExpiringItem> {
    let entry = &snapshot.entries[i];
    let registration = &snapshot.registrations[i];
    let (credential, fix) = match registration.credential {
        CredentialKind::Secret => ("client secret", domain::dashboard::Remedy::ReplaceSecret),
        CredentialKind::Certificate => ("certificate", domain::dashboard::Remedy::RenewCertificate),
    };
    Some(ExpiringItem {
        registration_id: registration.id.clone(),
        customer_tenant_id: snapshot.tenant_details[entry.tenant].id.clone(),
        tenant_name: snapshot.tenants[entry.tenant].name.clone(),
        products: product_names(columns, &entry.profiles),
        credential: credential.to_owned(),
        expires_at: at(expires_at)?,
        contacts: snapshot.tenant_details[entry.tenant].contacts.clone(),
        remedy: fix,
    })
}

//! The permission-health dashboard's rules: which registrations a view
//! shows (filters from the URL), what needs attention first, how the
//! tenant × product matrix reads, which credentials expire when, and which
//! permissions are held beyond need across tenants. Everything works on
//! standings already computed at one instant, so counts, matrix and export
//! of one view always agree.

use crate::cloud::Cloud;
use crate::evaluation::Status;
use crate::finding::FindingCode;
use crate::form::FieldProblem;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const DAY: i64 = 86_400;

/// Tenants per page of the matrix.
pub const PAGE_SIZE: usize = 50;
/// Lines of the attention list shown at once; the filters narrow the rest.
pub const LIST_LIMIT: usize = 25;
/// Credentials of each expiry group listed; the rest are a filter away.
pub const EXPIRING_LISTED: usize = 10;
/// The longest search or permission name a view takes.
pub const TEXT_LIMIT: usize = 200;
/// The longest "expiring within" a view may ask for.
pub const MAX_EXPIRING_DAYS: i64 = 3650;

/// A customer tenant as the dashboard reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub name: String,
    pub cloud: Cloud,
}

/// One active registration at one instant. Its lists are shared, not
/// copied, when a reading of 25,000 is copied to bring a few up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Index into the tenants.
    pub tenant: usize,
    /// Profile ids.
    pub profiles: Arc<[String]>,
    pub status: Status,
    /// Findings at this instant (expiry brought up to date).
    pub codes: Arc<[FindingCode]>,
    /// Application permissions the last completed check found beyond need.
    pub extra: Arc<[String]>,
    pub expires_at: Option<i64>,
    /// Since when the registration has been in this status, where known.
    pub since: Option<i64>,
    /// Someone acknowledged its current problem, and that still holds.
    pub acknowledged: bool,
}

/// The filters of a view; each narrows the registrations shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub status: Option<Status>,
    pub product: Option<String>,
    pub cloud: Option<Cloud>,
    pub finding: Option<FindingCode>,
    /// The credential expires within this many days (or has expired).
    pub expiring_within_days: Option<i64>,
    /// The registration holds this application permission beyond need.
    pub beyond_need: Option<String>,
    /// Part of the tenant's name, any case.
    pub search: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    pub fn matches(&self, entry: &Entry, tenant: &Tenant, now: i64) -> bool {
        self.status.is_none_or(|status| entry.status == status)
            && self
                .product
                .as_ref()
                .is_none_or(|product| entry.profiles.contains(product))
            && self.cloud.is_none_or(|cloud| tenant.cloud == cloud)
            && self.finding.is_none_or(|code| entry.codes.contains(&code))
            && self.expiring_within_days.is_none_or(|days| {
                entry
                    .expires_at
                    .is_some_and(|expires| expires - now <= days * DAY)
            })
            && self
                .beyond_need
                .as_ref()
                .is_none_or(|permission| entry.extra.contains(permission))
            && self
                .search
                .as_ref()
                .is_none_or(|needle| tenant.name.to_lowercase().contains(needle.as_str()))
    }
}

/// How the matrix's tenants are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Tenant,
    TenantDescending,
    /// Worst status first, then by name.
    Worst,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Tenant => "tenant",
            Sort::TenantDescending => "-tenant",
            Sort::Worst => "worst",
        }
    }
}

/// A view of the dashboard as its URL states it, as typed (raw text), so a
/// link can be bookmarked and shared. Parsed by `View::parse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewQuery {
    pub status: Option<String>,
    pub product: Option<String>,
    pub cloud: Option<String>,
    pub finding: Option<String>,
    pub expiring: Option<String>,
    pub extra: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
}

impl ViewQuery {
    /// The query as `name=value` pairs (empty ones left out), in a fixed
    /// order, for links that keep the view and change one thing.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("status", &self.status),
            ("product", &self.product),
            ("cloud", &self.cloud),
            ("finding", &self.finding),
            ("expiring", &self.expiring),
            ("extra", &self.extra),
            ("q", &self.q),
            ("sort", &self.sort),
            ("page", &self.page),
        ]
        .into_iter()
        .filter_map(|(name, value)| {
            let value = value.as_deref()?.trim();
            (!value.is_empty()).then(|| (name, value.to_owned()))
        })
        .collect()
    }
}

/// A parsed view: filters, order and page (1-based).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub filter: Filter,
    pub sort: Sort,
    pub page: usize,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl View {
    /// Parses what the URL says. A part that does not parse is left out of
    /// the view and named in the problems, so the rest still applies.
    pub fn parse(query: &ViewQuery, known_products: &[String]) -> (View, Vec<String>) {
        let mut problems = Vec::new();
        let mut filter = Filter::default();
        if let Some(text) = given(&query.status) {
            filter.status = Status::parse(text);
            if filter.status.is_none() {
                problems.push(format!(
                    "'{text}' is not a status: use healthy, warning, failing, could_not_check, stale or never_checked."
                ));
            }
        }
        if let Some(text) = given(&query.product) {
            if known_products.iter().any(|p| p == text) {
                filter.product = Some(text.to_owned());
            } else {
                problems.push(format!("'{text}' is not one of the products."));
            }
        }
        if let Some(text) = given(&query.cloud) {
            match text.parse::<Cloud>() {
                Ok(cloud) => filter.cloud = Some(cloud),
                Err(error) => problems.push(format!("{}.", capitalised(&error.to_string()))),
            }
        }
        if let Some(text) = given(&query.finding) {
            filter.finding = FindingCode::parse(text);
            if filter.finding.is_none() {
                problems.push(format!("'{text}' is not a finding code."));
            }
        }
        if let Some(text) = given(&query.expiring) {
            match text.parse::<i64>() {
                Ok(days) if (0..=MAX_EXPIRING_DAYS).contains(&days) => {
                    filter.expiring_within_days = Some(days)
                }
                _ => problems.push(format!(
                    "'Expiring within' must be a whole number of days from 0 to {MAX_EXPIRING_DAYS}, not '{text}'."
                )),
            }
        }
        for (name, value, slot) in [
            ("permission", given(&query.extra), &mut filter.beyond_need),
            ("search", given(&query.q), &mut filter.search),
        ] {
            match value {
                Some(text) if text.chars().count() > TEXT_LIMIT => problems.push(format!(
                    "The {name} is longer than {TEXT_LIMIT} characters and is left out."
                )),
                // Names are compared in lower case; the search is kept so.
                Some(text) if name == "search" => *slot = Some(text.to_lowercase()),
                Some(text) => *slot = Some(text.to_owned()),
                None => {}
            }
        }
        let sort = match given(&query.sort) {
            None | Some("tenant") => Sort::Tenant,
            Some("-tenant") => Sort::TenantDescending,
            Some("worst") => Sort::Worst,
            Some(text) => {
                problems.push(format!(
                    "'{text}' is not an order: use tenant, -tenant or worst."
                ));
                Sort::Tenant
            }
        };
        let page = match given(&query.page) {
            None => 1,
            Some(text) => match text.parse::<usize>() {
                Ok(page) if page >= 1 => page,
                _ => {
                    problems.push(format!("'{text}' is not a page number."));
                    1
                }
            },
        };
        (View { filter, sort, page }, problems)
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How much a status asks for someone's attention, for the matrix's
/// worst-of cells and order. Unlike `watch::severity_rank`, never checked
/// outranks healthy: a cell must not show green over a registration
/// nobody has checked.
pub fn concern_rank(status: Status) -> u8 {
    match status {
        Status::Failing => 6,
        Status::CouldNotCheck => 5,
        Status::Stale => 4,
        Status::Warning => 3,
        Status::NeverChecked => 2,
        Status::Healthy => 1,
    }
}

/// Registrations counted by status, in the order of `Status::ALL`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts(pub [usize; 6]);

impl Counts {
    pub fn of(&self, status: Status) -> usize {
        self.0[index_of(status)]
    }

    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }

    pub fn add(&mut self, status: Status) {
        self.add_many(status, 1);
    }

    pub fn add_many(&mut self, status: Status, count: usize) {
        self.0[index_of(status)] += count;
    }
}

fn index_of(status: Status) -> usize {
    Status::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or_default()
}

/// How soon a finding stops the product from working: the cause to fix
/// first comes first (no token at all before a missing consent before a
/// missing permission), then what cannot be checked, then what is only a
/// warning.
pub fn blocking_rank(code: FindingCode) -> u8 {
    use FindingCode::*;
    match code {
        TenantNotFound
        | AppNotFound
        | AppDisabled
        | ServicePrincipalMissing
        | WrongCloud
        | TenantMismatch => 0,
        InvalidSecret | SecretExpired | CertificateRejected | CertificateExpired | PublicClient
        | ResourceNotInTenant | ConditionalAccess | UnknownError => 1,
        ConsentMissing => 2,
        PermissionMissing => 3,
        PermissionNotEffective => 4,
        Throttled | ServiceUnavailable | Unreachable | UnexpectedResponse => 5,
        SecretExpiring | CertificateExpiring => 6,
        OptionalPermissionMissing => 7,
        ExtraPermission => 8,
    }
}

/// The finding a one-line summary leads with.
pub fn headline(codes: &[FindingCode]) -> Option<FindingCode> {
    codes
        .iter()
        .copied()
        .min_by_key(|code| blocking_rank(*code))
}

/// The one action that fixes a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    GrantConsent,
    ReplaceSecret,
    RenewCertificate,
    ResendOnboarding,
    CorrectTenant,
    ExcludeFromConditionalAccess,
    CheckAgain,
    ReviewPermissions,
}

impl Remedy {
    pub fn label(self) -> &'static str {
        match self {
            Remedy::GrantConsent => "Send the consent link",
            Remedy::ReplaceSecret => "Replace the secret",
            Remedy::RenewCertificate => "Renew the certificate",
            Remedy::ResendOnboarding => "Re-send the onboarding link",
            Remedy::CorrectTenant => "Correct the tenant's details",
            Remedy::ExcludeFromConditionalAccess => "Exclude the app from Conditional Access",
            Remedy::CheckAgain => "Check again",
            Remedy::ReviewPermissions => "Review the permissions",
        }
    }

    /// Whether the fix is made on the customer tenant's page (onboarding
    /// links, tenant details) rather than the registration's.
    pub fn on_tenant_page(self) -> bool {
        matches!(self, Remedy::ResendOnboarding | Remedy::CorrectTenant)
    }
}

/// What fixes a registration in `status` whose findings lead with
/// `headline`.
pub fn remedy(status: Status, headline: Option<FindingCode>) -> Remedy {
    use FindingCode::*;
    match headline {
        _ if status == Status::Stale => Remedy::CheckAgain,
        Some(ConsentMissing | PermissionMissing | PermissionNotEffective) => Remedy::GrantConsent,
        Some(InvalidSecret | SecretExpired | SecretExpiring) => Remedy::ReplaceSecret,
        Some(CertificateRejected | CertificateExpired | CertificateExpiring) => {
            Remedy::RenewCertificate
        }
        Some(AppNotFound | AppDisabled | ServicePrincipalMissing | PublicClient) => {
            Remedy::ResendOnboarding
        }
        Some(TenantNotFound | WrongCloud | TenantMismatch) => Remedy::CorrectTenant,
        Some(ConditionalAccess) => Remedy::ExcludeFromConditionalAccess,
        Some(OptionalPermissionMissing | ExtraPermission | ResourceNotInTenant) => {
            Remedy::ReviewPermissions
        }
        Some(Throttled | ServiceUnavailable | Unreachable | UnexpectedResponse | UnknownError)
        | None => Remedy::CheckAgain,
    }
}

/// Where a status stands in the attention list; `None` for statuses that
/// need no one's attention.
fn attention_group(status: Status) -> Option<u8> {
    match status {
        Status::Failing => Some(0),
        Status::CouldNotCheck => Some(1),
        Status::Stale => Some(2),
        Status::Warning => Some(3),
        Status::Healthy | Status::NeverChecked => None,
    }
}

/// The entries (indices) that need attention, most urgent first: by
/// status (failing, could not check, stale, warning), then by the finding
/// that blocks the product first, then the credential that expires first
/// (expired before expiring), then the longest-standing problem, then by
/// tenant name.
pub fn attention(tenants: &[Tenant], entries: &[Entry], shown: &[usize]) -> Vec<usize> {
    let mut listed: Vec<usize> = shown
        .iter()
        .copied()
        .filter(|&i| attention_group(entries[i].status).is_some())
        .collect();
    listed.sort_by(|&a, &b| {
        let key = |i: usize| {
            let entry = &entries[i];
            (
                attention_group(entry.status),
                headline(&entry.codes).map(blocking_rank).unwrap_or(u8::MAX),
                entry.expires_at.unwrap_or(i64::MAX),
                entry.since.unwrap_or(i64::MAX),
            )
        };
        key(a).cmp(&key(b)).then_with(|| {
            tenants[entries[a].tenant]
                .name
                .cmp(&tenants[entries[b].tenant].name)
        })
    });
    listed
}

/// What an acknowledgement is about: the registration's status and its
/// headline finding, so a failing problem that turns stale (no longer
/// checked) or gets worse comes back. `None` when nothing needs
/// attention, so there is nothing to acknowledge.
pub fn problem_key(status: Status, codes: &[FindingCode]) -> Option<String> {
    attention_group(status)?;
    Some(match headline(codes) {
        Some(code) => format!("{}:{}", status.as_str(), code.as_str()),
        None => status.as_str().to_owned(),
    })
}

/// An acknowledgement of `acknowledged` holds while the registration's
/// problem is still that one and its `until` (if any) is ahead.
pub fn acknowledgement_holds(
    acknowledged: &str,
    until: Option<i64>,
    current: Option<&str>,
    now: i64,
) -> bool {
    current == Some(acknowledged) && until.is_none_or(|until| now < until)
}

/// The longest note an acknowledgement keeps.
pub const NOTE_LIMIT: usize = 500;

/// Checks what someone typed to acknowledge a problem: a note saying what
/// is being done, and an end (if given) still ahead.
pub fn acknowledgement_problems(note: &str, until: Option<i64>, now: i64) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    let note = note.trim();
    if note.is_empty() {
        problems.push(FieldProblem::new(
            "note",
            "Say what is being done about it, so colleagues know.",
        ));
    } else if note.chars().count() > NOTE_LIMIT {
        problems.push(FieldProblem::new(
            "note",
            format!("Keep the note to {NOTE_LIMIT} characters."),
        ));
    }
    if until.is_some_and(|until| until <= now) {
        problems.push(FieldProblem::new(
            "until",
            "The date it is set aside until must be in the future.",
        ));
    }
    problems
}

/// A credential's place among the expiring ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryGroup {
    Expired,
    Within7Days,
    Within14Days,
    Within30Days,
}

impl ExpiryGroup {
    pub const ALL: [ExpiryGroup; 4] = [
        ExpiryGroup::Expired,
        ExpiryGroup::Within7Days,
        ExpiryGroup::Within14Days,
        ExpiryGroup::Within30Days,
    ];

    /// The "expiring within" filter that shows this group and the ones
    /// before it.
    pub fn within_days(self) -> i64 {
        match self {
            ExpiryGroup::Expired => 0,
            ExpiryGroup::Within7Days => 7,
            ExpiryGroup::Within14Days => 14,
            ExpiryGroup::Within30Days => 30,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ExpiryGroup::Expired => "Expired",
            ExpiryGroup::Within7Days => "Within 7 days",
            ExpiryGroup::Within14Days => "Within 14 days",
            ExpiryGroup::Within30Days => "Within 30 days",
        }
    }
}

/// Which group a credential expiring at `expires_at` falls in at `now`: a
/// credential expiring exactly 7 days from now is within 7 days.
pub fn expiry_group(expires_at: i64, now: i64) -> Option<ExpiryGroup> {
    let left = expires_at - now;
    match left {
        _ if left <= 0 => Some(ExpiryGroup::Expired),
        _ if left <= 7 * DAY => Some(ExpiryGroup::Within7Days),
        _ if left <= 14 * DAY => Some(ExpiryGroup::Within14Days),
        _ if left <= 30 * DAY => Some(ExpiryGroup::Within30Days),
        _ => None,
    }
}

/// An application permission held beyond need, across tenants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeyondNeed {
    pub permission: String,
    pub tenants: usize,
    pub registrations: usize,
}

/// Extra permissions of the shown entries, per permission, the most
/// widespread first.
pub fn beyond_need(entries: &[Entry], shown: &[usize]) -> Vec<BeyondNeed> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut seen: BTreeMap<&str, (BTreeSet<usize>, usize)> = BTreeMap::new();
    for &i in shown {
        for permission in entries[i].extra.iter() {
            let (tenants, registrations) = seen.entry(permission.as_str()).or_default();
            tenants.insert(entries[i].tenant);
            *registrations += 1;
        }
    }
    let mut listed: Vec<BeyondNeed> = seen
        .into_iter()
        .map(|(permission, (tenants, registrations))| BeyondNeed {
            permission: permission.to_owned(),
            tenants: tenants.len(),
            registrations,
        })
        .collect();
    listed.sort_by(|a, b| {
        b.tenants
            .cmp(&a.tenants)
            .then(a.permission.cmp(&b.permission))
    });
    listed
}

/// One cell of the matrix: the worst status of the registrations serving
/// one product in one tenant, and those registrations, worst first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub status: Status,
    pub entries: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    pub tenant: usize,
    /// One per product, in the order asked for; `None` where no shown
    /// registration serves it.
    pub cells: Vec<Option<Cell>>,
    pub worst: Option<Status>,
}

/// The matrix of shown entries: one row per tenant with a shown entry
/// (every tenant, when `all_tenants`), ordered by `sort`.
pub fn matrix(
    tenants: &[Tenant],
    entries: &[Entry],
    shown: &[usize],
    products: &[String],
    all_tenants: bool,
    sort: Sort,
) -> Vec<MatrixRow> {
    let mut by_tenant: Vec<Vec<usize>> = vec![Vec::new(); tenants.len()];
    for &i in shown {
        by_tenant[entries[i].tenant].push(i);
    }
    let mut rows: Vec<MatrixRow> = by_tenant
        .into_iter()
        .enumerate()
        .filter(|(_, listed)| all_tenants || !listed.is_empty())
        .map(|(tenant, listed)| {
            let cells: Vec<Option<Cell>> = products
                .iter()
                .map(|product| {
                    let mut serving: Vec<usize> = listed
                        .iter()
                        .copied()
                        .filter(|&i| entries[i].profiles.contains(product))
                        .collect();
                    serving.sort_by_key(|&i| std::cmp::Reverse(concern_rank(entries[i].status)));
                    let worst = entries[*serving.first()?].status;
                    Some(Cell {
                        status: worst,
                        entries: serving,
                    })
                })
                .collect();
            let worst = listed
                .iter()
                .map(|&i| entries[i].status)
                .max_by_key(|status| concern_rank(*status));
            MatrixRow {
                tenant,
                cells,
                worst,
            }
        })
        .collect();
    let name = |row: &MatrixRow| tenants[row.tenant].name.to_lowercase();
    match sort {
        Sort::Tenant => rows.sort_by_cached_key(name),
        Sort::TenantDescending => {
            rows.sort_by_cached_key(name);
            rows.reverse();
        }
        Sort::Worst => rows
            .sort_by_cached_key(|row| (std::cmp::Reverse(row.worst.map(concern_rank)), name(row))),
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn tenant(name: &str, cloud: Cloud) -> Tenant {
        Tenant {
            name: name.to_owned(),
            cloud,
        }
    }

    fn entry(tenant: usize, profiles: &[&str], status: Status, codes: &[FindingCode]) -> Entry {
        Entry {
            tenant,
            profiles: profiles.iter().map(|p| (*p).to_owned()).collect(),
            status,
            codes: codes.into(),
            extra: Arc::from([]),
            expires_at: None,
            since: None,
            acknowledged: false,
        }
    }

    fn query(pairs: &[(&str, &str)]) -> ViewQuery {
        let mut query = ViewQuery::default();
        for (name, value) in pairs {
            let slot = match *name {
                "status" => &mut query.status,
                "product" => &mut query.product,
                "cloud" => &mut query.cloud,
                "finding" => &mut query.finding,
                "expiring" => &mut query.expiring,
                "extra" => &mut query.extra,
                "q" => &mut query.q,
                "sort" => &mut query.sort,
                _ => &mut query.page,
            };
            *slot = Some((*value).to_owned());
        }
        query
    }

    fn products() -> Vec<String> {
        vec!["email".to_owned(), "intune-publishing".to_owned()]
    }

    #[test]
    fn a_view_parses_from_its_url_and_names_each_part_that_does_not() {
        let (view, problems) = View::parse(
            &query(&[
                ("status", "failing"),
                ("product", "email"),
                ("cloud", "gcc-high"),
                ("finding", "consent_missing"),
                ("expiring", "14"),
                ("q", "  conto "),
                ("sort", "worst"),
                ("page", "3"),
            ]),
            &products(),
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(view.filter.status, Some(Status::Failing));
        assert_eq!(view.filter.product.as_deref(), Some("email"));
        assert_eq!(view.filter.cloud, Some(Cloud::GccHigh));
        assert_eq!(view.filter.finding, Some(FindingCode::ConsentMissing));
        assert_eq!(view.filter.expiring_within_days, Some(14));
        assert_eq!(view.filter.search.as_deref(), Some("conto"));
        assert_eq!((view.sort, view.page), (Sort::Worst, 3));
        let long = "x".repeat(TEXT_LIMIT + 1);
        let (view, problems) =
            View::parse(&query(&[("q", &long), ("extra", "Mail.Send")]), &products());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(view.filter.search, None);
        assert_eq!(view.filter.beyond_need.as_deref(), Some("Mail.Send"));

        let (view, problems) = View::parse(
            &query(&[
                ("status", "green"),
                ("expiring", "-1"),
                ("product", "email"),
            ]),
            &products(),
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("'green' is not a status"));
        assert!(problems[1].contains("'Expiring within'"));
        // What did parse still applies.
        assert_eq!(view.filter.product.as_deref(), Some("email"));
        assert_eq!(view.filter.status, None);
    }

    #[test]
    fn a_view_query_gives_back_only_the_parts_that_were_set() {
        let pairs = query(&[("page", "2"), ("status", "stale"), ("q", " ")]).pairs();
        assert_eq!(
            pairs,
            vec![("status", "stale".to_owned()), ("page", "2".to_owned())]
        );
    }

    #[test]
    fn each_filter_narrows_alone_and_filters_combine() {
        let tenants = [
            tenant("Contoso", Cloud::Global),
            tenant("Fabrikam", Cloud::GccHigh),
        ];
        let mut expiring = entry(
            1,
            &["email"],
            Status::Warning,
            &[FindingCode::SecretExpiring],
        );
        expiring.expires_at = Some(NOW + 10 * DAY);
        let mut extra = entry(0, &["intune-publishing"], Status::Healthy, &[]);
        extra.extra = vec!["Directory.ReadWrite.All".to_owned()].into();
        let entries = [
            entry(
                0,
                &["email"],
                Status::Failing,
                &[FindingCode::ConsentMissing],
            ),
            expiring,
            extra,
        ];
        let shown = |filter: Filter| -> Vec<usize> {
            (0..entries.len())
                .filter(|&i| filter.matches(&entries[i], &tenants[entries[i].tenant], NOW))
                .collect()
        };
        assert_eq!(shown(Filter::default()), vec![0, 1, 2]);
        let by = |f: fn(&mut Filter)| {
            let mut filter = Filter::default();
            f(&mut filter);
            shown(filter)
        };
        assert_eq!(by(|f| f.status = Some(Status::Failing)), vec![0]);
        assert_eq!(by(|f| f.product = Some("email".into())), vec![0, 1]);
        assert_eq!(by(|f| f.cloud = Some(Cloud::GccHigh)), vec![1]);
        assert_eq!(
            by(|f| f.finding = Some(FindingCode::ConsentMissing)),
            vec![0]
        );
        assert_eq!(by(|f| f.expiring_within_days = Some(10)), vec![1]);
        assert_eq!(
            by(|f| f.expiring_within_days = Some(9)),
            Vec::<usize>::new()
        );
        assert_eq!(
            by(|f| f.beyond_need = Some("Directory.ReadWrite.All".into())),
            vec![2]
        );
        assert_eq!(by(|f| f.search = Some("conto".into())), vec![0, 2]);
        assert_eq!(
            by(|f| {
                f.search = Some("conto".into());
                f.product = Some("email".into());
            }),
            vec![0]
        );
    }

    #[test]
    fn attention_puts_failing_first_then_could_not_check_stale_and_warnings() {
        let tenants = [tenant("A", Cloud::Global)];
        let entries = [
            entry(
                0,
                &["email"],
                Status::Warning,
                &[FindingCode::SecretExpiring],
            ),
            entry(0, &["email"], Status::Healthy, &[]),
            entry(
                0,
                &["email"],
                Status::CouldNotCheck,
                &[FindingCode::Unreachable],
            ),
            entry(0, &["email"], Status::Stale, &[]),
            entry(
                0,
                &["email"],
                Status::Failing,
                &[FindingCode::PermissionMissing],
            ),
            entry(0, &["email"], Status::NeverChecked, &[]),
        ];
        let all: Vec<usize> = (0..entries.len()).collect();
        assert_eq!(attention(&tenants, &entries, &all), vec![4, 2, 3, 0]);
    }

    #[test]
    fn within_failing_the_cause_that_blocks_first_leads_and_expired_before_expiring() {
        let tenants = [tenant("A", Cloud::Global), tenant("B", Cloud::Global)];
        let mut expired = entry(
            0,
            &["email"],
            Status::Failing,
            &[FindingCode::SecretExpired],
        );
        expired.expires_at = Some(NOW - DAY);
        let mut soon = entry(
            1,
            &["email"],
            Status::Warning,
            &[FindingCode::SecretExpiring],
        );
        soon.expires_at = Some(NOW + 2 * DAY);
        let mut later = entry(
            0,
            &["email"],
            Status::Warning,
            &[FindingCode::SecretExpiring],
        );
        later.expires_at = Some(NOW + 20 * DAY);
        let entries = [
            entry(
                0,
                &["email"],
                Status::Failing,
                &[FindingCode::PermissionMissing],
            ),
            entry(
                1,
                &["email"],
                Status::Failing,
                &[FindingCode::ConsentMissing],
            ),
            later,
            entry(0, &["email"], Status::Failing, &[FindingCode::AppNotFound]),
            expired,
            soon,
        ];
        let all: Vec<usize> = (0..entries.len()).collect();
        assert_eq!(attention(&tenants, &entries, &all), vec![3, 4, 1, 0, 5, 2]);
    }

    #[test]
    fn the_headline_is_the_most_blocking_finding_and_names_its_remedy() {
        let codes = [
            FindingCode::SecretExpiring,
            FindingCode::ConsentMissing,
            FindingCode::ExtraPermission,
        ];
        assert_eq!(headline(&codes), Some(FindingCode::ConsentMissing));
        assert_eq!(
            remedy(Status::Failing, headline(&codes)),
            Remedy::GrantConsent
        );
        assert_eq!(
            remedy(Status::Warning, Some(FindingCode::SecretExpiring)),
            Remedy::ReplaceSecret
        );
        assert_eq!(
            remedy(Status::Failing, Some(FindingCode::AppNotFound)),
            Remedy::ResendOnboarding
        );
        assert!(Remedy::ResendOnboarding.on_tenant_page());
        assert_eq!(remedy(Status::Stale, None), Remedy::CheckAgain);
    }

    #[test]
    fn an_acknowledgement_lapses_when_the_problem_changes_or_its_date_passes() {
        let consent = problem_key(Status::Failing, &[FindingCode::ConsentMissing]);
        let acked = "failing:consent_missing";
        assert_eq!(consent.as_deref(), Some(acked));
        assert_eq!(problem_key(Status::Stale, &[]).as_deref(), Some("stale"));
        assert_eq!(problem_key(Status::Healthy, &[]), None);
        assert!(acknowledgement_holds(acked, None, consent.as_deref(), NOW));
        assert!(acknowledgement_holds(
            acked,
            Some(NOW + 1),
            consent.as_deref(),
            NOW
        ));
        assert!(!acknowledgement_holds(
            acked,
            Some(NOW),
            consent.as_deref(),
            NOW
        ));
        assert!(!acknowledgement_holds(
            acked,
            None,
            Some("failing:invalid_secret"),
            NOW
        ));
        assert!(!acknowledgement_holds(acked, None, None, NOW));
        // The same finding, no longer checked: it comes back.
        let stale = problem_key(Status::Stale, &[FindingCode::ConsentMissing]);
        assert!(!acknowledgement_holds(acked, None, stale.as_deref(), NOW));
    }

    #[test]
    fn an_acknowledgement_needs_a_note_and_a_future_end() {
        assert!(
            acknowledgement_problems("Customer asked to consent", Some(NOW + DAY), NOW).is_empty()
        );
        let problems = acknowledgement_problems("  ", Some(NOW - 1), NOW);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec!["note", "until"]);
        let long = "x".repeat(NOTE_LIMIT + 1);
        assert_eq!(acknowledgement_problems(&long, None, NOW).len(), 1);
    }

    #[test]
    fn expiry_groups_meet_at_exact_day_boundaries() {
        assert_eq!(expiry_group(NOW, NOW), Some(ExpiryGroup::Expired));
        assert_eq!(expiry_group(NOW + 1, NOW), Some(ExpiryGroup::Within7Days));
        assert_eq!(
            expiry_group(NOW + 7 * DAY, NOW),
            Some(ExpiryGroup::Within7Days)
        );
        assert_eq!(
            expiry_group(NOW + 7 * DAY + 1, NOW),
            Some(ExpiryGroup::Within14Days)
        );
        assert_eq!(
            expiry_group(NOW + 14 * DAY, NOW),
            Some(ExpiryGroup::Within14Days)
        );
        assert_eq!(
            expiry_group(NOW + 30 * DAY, NOW),
            Some(ExpiryGroup::Within30Days)
        );
        assert_eq!(expiry_group(NOW + 30 * DAY + 1, NOW), None);
    }

    #[test]
    fn permissions_beyond_need_are_counted_per_tenant_most_widespread_first() {
        let mut entries = vec![
            entry(0, &["email"], Status::Healthy, &[]),
            entry(0, &["intune-publishing"], Status::Healthy, &[]),
            entry(1, &["email"], Status::Healthy, &[]),
            entry(2, &["email"], Status::Healthy, &[]),
        ];
        let wide = "Directory.ReadWrite.All".to_owned();
        let narrow = "Mail.ReadWrite".to_owned();
        entries[0].extra = vec![wide.clone()].into();
        entries[1].extra = vec![wide.clone(), narrow.clone()].into();
        entries[2].extra = vec![wide.clone()].into();
        let all: Vec<usize> = (0..entries.len()).collect();
        assert_eq!(
            beyond_need(&entries, &all),
            vec![
                BeyondNeed {
                    permission: wide,
                    tenants: 2,
                    registrations: 3
                },
                BeyondNeed {
                    permission: narrow,
                    tenants: 1,
                    registrations: 1
                },
            ]
        );
    }

    #[test]
    fn a_cell_shows_the_worst_of_the_registrations_serving_its_product() {
        let tenants = [
            tenant("Zeta", Cloud::Global),
            tenant("alpha", Cloud::Global),
        ];
        let entries = [
            entry(0, &["email"], Status::Healthy, &[]),
            entry(0, &["email", "intune-publishing"], Status::Stale, &[]),
            entry(1, &["email"], Status::Warning, &[]),
        ];
        let all: Vec<usize> = (0..entries.len()).collect();
        let rows = matrix(&tenants, &entries, &all, &products(), false, Sort::Tenant);
        assert_eq!(rows[0].tenant, 1, "sorted by name, any case");
        let zeta = &rows[1];
        let email = zeta.cells[0].as_ref().unwrap();
        assert_eq!(email.status, Status::Stale);
        assert_eq!(email.entries, vec![1, 0]);
        assert_eq!(zeta.cells[1].as_ref().unwrap().status, Status::Stale);
        assert_eq!(rows[0].cells[1], None);
        let worst_first = matrix(&tenants, &entries, &all, &products(), false, Sort::Worst);
        assert_eq!(worst_first[0].tenant, 0);
        let only_alpha = matrix(&tenants, &entries, &[2], &products(), false, Sort::Tenant);
        assert_eq!(only_alpha.len(), 1);
        let every_tenant = matrix(&tenants, &entries, &[2], &products(), true, Sort::Tenant);
        assert_eq!(every_tenant.len(), 2);
        let unchecked = [
            entry(0, &["email"], Status::Healthy, &[]),
            entry(0, &["email"], Status::NeverChecked, &[]),
        ];
        let cell = matrix(
            &tenants,
            &unchecked,
            &[0, 1],
            &products(),
            false,
            Sort::Tenant,
        )[0]
        .cells[0]
            .clone();
        assert_eq!(
            cell.unwrap().status,
            Status::NeverChecked,
            "no green over an unchecked registration"
        );
    }
}

//! Links that keep a dashboard view and change one part of it.

use domain::dashboard::ViewQuery;

/// `?status=failing&page=2`, or nothing for the plain view.
pub fn query_string(query: &ViewQuery) -> String {
    let pairs = query.pairs();
    if pairs.is_empty() {
        return String::new();
    }
    let mut out = form_urlencoded::Serializer::new(String::from("?"));
    for (name, value) in pairs {
        out.append_pair(name, &value);
    }
    out.finish()
}

/// The dashboard at `query` changed by `change`, back on the first page
/// (a changed filter makes the old page number meaningless).
pub fn changed(query: &ViewQuery, change: impl FnOnce(&mut ViewQuery)) -> String {
    let mut query = query.clone();
    query.page = None;
    change(&mut query);
    format!("/{}", query_string(&query))
}

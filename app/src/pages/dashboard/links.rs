//! Links that keep a dashboard view and change one part of it.

use domain::dashboard::ViewQuery;

/// `?status=failing&page=2`, or nothing for the plain view.
pub fn query_string(query: &ViewQuery) -> String {
    let pairs = query.pairs();
    if pairs.is_empty() {
        return String::new();
    }
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        out.append_pair(name, &value);
    }
    format!("?{}", out.finish())
}

/// The dashboard at `query` changed by `change`, back on the first page
/// (a changed filter makes the old page number meaningless).
pub fn changed(query: &ViewQuery, change: impl FnOnce(&mut ViewQuery)) -> String {
    let mut query = query.clone();
    query.page = None;
    change(&mut query);
    format!("/{}", query_string(&query))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_keeps_the_view_encodes_its_values_and_starts_again_on_page_one() {
        let query = ViewQuery {
            q: Some("Contoso & Co".into()),
            page: Some("3".into()),
            ..ViewQuery::default()
        };
        assert_eq!(query_string(&ViewQuery::default()), "");
        assert_eq!(query_string(&query), "?q=Contoso+%26+Co&page=3");
        assert_eq!(
            changed(&query, |q| q.status = Some("failing".into())),
            "/?status=failing&q=Contoso+%26+Co"
        );
    }
}

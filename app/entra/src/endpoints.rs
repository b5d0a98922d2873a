use domain::{Cloud, TenantRef};

/// Where the identity platform and Graph are. Production uses each cloud's
/// hosts; tests, the demo and benchmarks replace them with the simulator's
/// base URL. Customer input never chooses a host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    pub identity: Option<String>,
    pub graph: Option<String>,
}

impl Endpoints {
    pub fn production() -> Self {
        Self::default()
    }

    pub fn overridden(identity: Option<String>, graph: Option<String>) -> Self {
        let trim = |url: String| url.trim_end_matches('/').to_owned();
        Self {
            identity: identity.map(trim),
            graph: graph.map(trim),
        }
    }

    pub fn token_url(&self, cloud: Cloud, tenant: &TenantRef) -> String {
        let host = self.identity.as_deref().unwrap_or(cloud.login_host());
        format!("{host}/{}/oauth2/v2.0/token", tenant.as_str())
    }

    /// The OpenID discovery document of the tenant that owns `domain`; its
    /// issuer names the tenant's Directory ID.
    pub fn openid_configuration_url(&self, cloud: Cloud, domain: &str) -> String {
        let host = self.identity.as_deref().unwrap_or(cloud.login_host());
        format!("{host}/{domain}/v2.0/.well-known/openid-configuration")
    }

    /// Where a tenant admin grants consent to an app's configured
    /// permissions in one step. `state` comes back with the redirect.
    pub fn admin_consent_url(
        &self,
        cloud: Cloud,
        tenant: &str,
        client_id: &str,
        redirect_uri: Option<&str>,
        state: &str,
    ) -> String {
        let host = self.identity.as_deref().unwrap_or(cloud.login_host());
        let mut url = reqwest::Url::parse(&format!("{host}/{tenant}/adminconsent"))
            .unwrap_or_else(|_| reqwest::Url::parse(cloud.login_host()).expect("a known host"));
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("state", state);
        if let Some(redirect_uri) = redirect_uri {
            url.query_pairs_mut()
                .append_pair("redirect_uri", redirect_uri);
        }
        url.to_string()
    }

    /// A Graph URL for `path_and_query`, e.g. `/v1.0/organization`.
    pub fn graph_url(&self, cloud: Cloud, path_and_query: &str) -> String {
        let host = self.graph.as_deref().unwrap_or(cloud.graph_host());
        format!("{host}{path_and_query}")
    }

    /// The scope always names the cloud's real Graph resource, also against
    /// the simulator: it is what tells the tenant's cloud apart.
    pub fn scope(&self, cloud: Cloud) -> String {
        cloud.graph_default_scope()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_uses_the_clouds_hosts_and_overrides_replace_them() {
        let tenant = TenantRef::parse("contoso.onmicrosoft.us").unwrap();
        assert_eq!(
            Endpoints::production().token_url(Cloud::GccHigh, &tenant),
            "https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/token"
        );
        let local = Endpoints::overridden(
            Some("http://127.0.0.1:4010/".into()),
            Some("http://127.0.0.1:4010".into()),
        );
        assert_eq!(
            local.token_url(Cloud::GccHigh, &tenant),
            "http://127.0.0.1:4010/contoso.onmicrosoft.us/oauth2/v2.0/token"
        );
        assert_eq!(
            local.graph_url(Cloud::Dod, "/v1.0/organization"),
            "http://127.0.0.1:4010/v1.0/organization"
        );
        assert_eq!(
            local.scope(Cloud::Dod),
            "https://dod-graph.microsoft.us/.default"
        );
    }
}

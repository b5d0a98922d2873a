//! The Microsoft clouds a customer tenant can live in, and where each one's
//! sign-in, Graph and portal endpoints are.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    Global,
    /// US Government Community Cloud (moderate): the worldwide endpoints.
    Gcc,
    GccHigh,
    Dod,
    /// Operated by 21Vianet.
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 5] = [
        Cloud::Global,
        Cloud::Gcc,
        Cloud::GccHigh,
        Cloud::Dod,
        Cloud::China,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::Gcc => "gcc",
            Cloud::GccHigh => "gcc-high",
            Cloud::Dod => "dod",
            Cloud::China => "china",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Cloud::Global => "Global (commercial)",
            Cloud::Gcc => "US Government (GCC)",
            Cloud::GccHigh => "US Government (GCC High)",
            Cloud::Dod => "US Government (DoD)",
            Cloud::China => "China (21Vianet)",
        }
    }

    /// The host that issues tokens for tenants in this cloud.
    pub fn login_host(self) -> &'static str {
        match self {
            Cloud::Global | Cloud::Gcc => "https://login.microsoftonline.com",
            Cloud::GccHigh | Cloud::Dod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.partner.microsoftonline.cn",
        }
    }

    pub fn graph_host(self) -> &'static str {
        match self {
            Cloud::Global | Cloud::Gcc => "https://graph.microsoft.com",
            Cloud::GccHigh => "https://graph.microsoft.us",
            Cloud::Dod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The scope a client-credentials request asks for: every application
    /// permission granted on Graph, in this cloud.
    pub fn graph_default_scope(self) -> String {
        format!("{}/.default", self.graph_host())
    }

    pub fn portal_host(self) -> &'static str {
        match self {
            Cloud::Global | Cloud::Gcc => "https://portal.azure.com",
            Cloud::GccHigh | Cloud::Dod => "https://portal.azure.us",
            Cloud::China => "https://portal.azure.cn",
        }
    }

    pub fn token_url(self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.login_host())
    }

    /// Where a tenant admin grants consent for an app in one step.
    pub fn admin_consent_url(self, tenant: &str, client_id: &str) -> String {
        format!(
            "{}/{tenant}/adminconsent?client_id={client_id}",
            self.login_host()
        )
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cloud '{0}': expected global, gcc, gcc-high, dod or china")]
pub struct UnknownCloud(pub String);

impl FromStr for Cloud {
    type Err = UnknownCloud;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Cloud::ALL
            .into_iter()
            .find(|cloud| cloud.id() == wanted)
            .ok_or_else(|| UnknownCloud(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cloud_has_the_documented_hosts() {
        let table = [
            (
                Cloud::Global,
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com",
                "https://portal.azure.com",
            ),
            (
                Cloud::Gcc,
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com",
                "https://portal.azure.com",
            ),
            (
                Cloud::GccHigh,
                "https://login.microsoftonline.us",
                "https://graph.microsoft.us",
                "https://portal.azure.us",
            ),
            (
                Cloud::Dod,
                "https://login.microsoftonline.us",
                "https://dod-graph.microsoft.us",
                "https://portal.azure.us",
            ),
            (
                Cloud::China,
                "https://login.partner.microsoftonline.cn",
                "https://microsoftgraph.chinacloudapi.cn",
                "https://portal.azure.cn",
            ),
        ];
        for (cloud, login, graph, portal) in table {
            assert_eq!(cloud.login_host(), login, "{cloud}");
            assert_eq!(cloud.graph_host(), graph, "{cloud}");
            assert_eq!(cloud.portal_host(), portal, "{cloud}");
            assert_eq!(cloud.graph_default_scope(), format!("{graph}/.default"));
        }
    }

    #[test]
    fn the_token_url_is_tenant_specific() {
        assert_eq!(
            Cloud::GccHigh.token_url("contoso.onmicrosoft.us"),
            "https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/token"
        );
    }

    #[test]
    fn clouds_parse_from_their_ids() {
        for cloud in Cloud::ALL {
            assert_eq!(cloud.id().parse::<Cloud>(), Ok(cloud));
        }
        assert_eq!("GCC_HIGH".parse::<Cloud>(), Ok(Cloud::GccHigh));
        assert!("germany".parse::<Cloud>().is_err());
    }
}

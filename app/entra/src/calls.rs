//! What Tenantry asked of Microsoft, counted for the operator's metrics:
//! calls by cloud, endpoint and HTTP status, throttling answers, and the
//! time spent waiting to retry. Labels come from fixed sets (never a
//! tenant or a full path), so the number of series stays small.

use domain::Cloud;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    pub cloud: &'static str,
    pub endpoint: String,
    /// The HTTP status, or `network` when no answer came.
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CloudLabels {
    pub cloud: &'static str,
}

#[derive(Debug, Default)]
pub struct MicrosoftCalls {
    calls: Family<CallLabels, Counter>,
    throttled: Family<CloudLabels, Counter>,
    backoff_seconds: Family<CloudLabels, Counter<f64, AtomicU64>>,
}

impl MicrosoftCalls {
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "tenantry_microsoft_requests",
            "HTTP requests to Microsoft (identity platform and Graph) by cloud, endpoint and status",
            self.calls.clone(),
        );
        registry.register(
            "tenantry_microsoft_throttled",
            "Answers from Microsoft asking Tenantry to slow down (429 or Retry-After)",
            self.throttled.clone(),
        );
        registry.register(
            "tenantry_microsoft_backoff_seconds",
            "Time spent waiting before retrying a Microsoft request",
            self.backoff_seconds.clone(),
        );
    }

    pub(crate) fn answered(&self, cloud: Cloud, endpoint: &Endpoint, status: Option<u16>) {
        self.calls
            .get_or_create(&CallLabels {
                cloud: cloud.id(),
                endpoint: endpoint.label(),
                status: status.map_or_else(|| "network".to_owned(), |s| s.to_string()),
            })
            .inc();
    }

    pub(crate) fn throttled(&self, cloud: Cloud) {
        self.throttled
            .get_or_create(&CloudLabels { cloud: cloud.id() })
            .inc();
    }

    pub(crate) fn waited(&self, cloud: Cloud, wait: std::time::Duration) {
        self.backoff_seconds
            .get_or_create(&CloudLabels { cloud: cloud.id() })
            .inc_by(wait.as_secs_f64());
    }
}

/// Which of Microsoft's endpoints a request went to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Endpoint<'a> {
    Token,
    OpenIdConfiguration,
    /// A Graph path or `@odata.nextLink`: labelled by its first resource
    /// segment, such as `servicePrincipals`.
    Graph(&'a str),
}

impl Endpoint<'_> {
    fn label(&self) -> String {
        match self {
            Endpoint::Token => "token".to_owned(),
            Endpoint::OpenIdConfiguration => "openid_configuration".to_owned(),
            Endpoint::Graph(path_or_url) => format!("graph:{}", graph_resource(path_or_url)),
        }
    }
}

fn graph_resource(path_or_url: &str) -> &str {
    let path = match path_or_url.find("://") {
        Some(scheme) => {
            let rest = &path_or_url[scheme + 3..];
            rest.find('/').map_or("", |slash| &rest[slash..])
        }
        None => path_or_url,
    };
    let resource = path
        .trim_start_matches('/')
        .split('/')
        .nth(1)
        .unwrap_or_default();
    let resource = resource.split(['(', '?']).next().unwrap_or_default();
    if !resource.is_empty()
        && resource.len() <= 40
        && resource.bytes().all(|b| b.is_ascii_alphabetic())
    {
        resource
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_calls_are_labelled_by_their_resource_only() {
        assert_eq!(graph_resource("/v1.0/organization"), "organization");
        assert_eq!(
            graph_resource("/v1.0/servicePrincipals(appId='abc')/appRoleAssignments"),
            "servicePrincipals"
        );
        assert_eq!(
            graph_resource(
                "https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?$skiptoken=x"
            ),
            "auditLogs"
        );
        assert_eq!(graph_resource("/v1.0/users/a@b.example/sendMail"), "users");
        assert_eq!(graph_resource("/v1.0/%2e%2e"), "other");
        assert_eq!(graph_resource(""), "other");
    }
}

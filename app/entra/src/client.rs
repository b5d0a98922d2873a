use crate::calls::Endpoint;
use crate::certificate::CertificateKey;
use crate::endpoints::Endpoints;
use crate::error::ClientError;
use crate::retry::{retry_after, RetryPolicy};
use crate::token::{parse_response, AccessToken};
use domain::ids::{ClientId, SecretValue, TenantRef};
use domain::Cloud;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the app proves who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    Secret(SecretValue),
    Certificate(Arc<CertificateKey>),
}

impl Credential {
    /// Distinguishes credentials in the cache without keeping the secret.
    fn fingerprint(&self) -> String {
        match self {
            Credential::Secret(secret) => hex(&Sha256::digest(secret.expose().as_bytes())),
            Credential::Certificate(key) => key.x5t_s256.clone(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    cloud: Cloud,
    tenant: String,
    client_id: String,
    credential: String,
}

/// Tokens are reused until shortly before they expire.
const EXPIRY_MARGIN_SECS: i64 = 300;
/// Past this many kept tokens, expired ones are dropped before adding.
const CACHE_PRUNED_FROM: usize = 512;

/// One shared HTTP client (rustls), per-request timeouts, retries and a
/// token cache. Cheap to clone.
#[derive(Clone)]
pub struct EntraClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    retry: RetryPolicy,
    cache: Arc<Mutex<HashMap<CacheKey, AccessToken>>>,
    /// Whether tokens this clone asks for are kept for the next call.
    keeps_tokens: bool,
    /// Shared by every clone: Microsoft counts per app, not per process part.
    reports: Arc<crate::reports_limit::ReportsLimiter>,
    /// Shared by every clone: counted for the operator's metrics.
    calls: Arc<crate::calls::MicrosoftCalls>,
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl EntraClient {
    pub fn new(
        endpoints: Endpoints,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("Tenantry/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Unexpected(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            endpoints,
            retry,
            cache: Arc::default(),
            keeps_tokens: true,
            reports: Arc::default(),
            calls: Arc::default(),
        })
    }

    /// The same client and token cache, trying as hard as `retry` says:
    /// scheduled checks give up at once when asked to wait, so that no
    /// concurrency slot is held while sleeping.
    pub fn with_retry(&self, retry: RetryPolicy) -> Self {
        Self {
            retry,
            ..self.clone()
        }
    }

    /// The same client, reading the token cache but adding nothing to it:
    /// for scheduled checks, which come back to a registration hours
    /// after its token has expired. Kept, a token per registration of the
    /// sweep would sit in memory unused (about 1.5 KB each, 25,000 at a
    /// time in a large MSP).
    pub fn without_keeping_tokens(&self) -> Self {
        Self {
            keeps_tokens: false,
            ..self.clone()
        }
    }

    pub fn reports(&self) -> &crate::reports_limit::ReportsLimiter {
        &self.reports
    }

    pub fn calls(&self) -> &crate::calls::MicrosoftCalls {
        &self.calls
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<CacheKey, AccessToken>> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn key(
        cloud: Cloud,
        tenant: &TenantRef,
        client_id: &ClientId,
        credential: &Credential,
    ) -> CacheKey {
        CacheKey {
            cloud,
            tenant: tenant.as_str().to_owned(),
            client_id: client_id.as_str().to_owned(),
            credential: credential.fingerprint(),
        }
    }

    /// Forgets a cached token, e.g. after consent changed: a cached token
    /// still carries the roles it was issued with.
    pub fn invalidate(
        &self,
        cloud: Cloud,
        tenant: &TenantRef,
        client_id: &ClientId,
        credential: &Credential,
    ) {
        self.cache()
            .remove(&Self::key(cloud, tenant, client_id, credential));
    }

    pub async fn token(
        &self,
        cloud: Cloud,
        tenant: &TenantRef,
        client_id: &ClientId,
        credential: &Credential,
    ) -> Result<AccessToken, ClientError> {
        let key = Self::key(cloud, tenant, client_id, credential);
        if let Some(token) = self.cache().get(&key) {
            if token.expires_at - EXPIRY_MARGIN_SECS > now() {
                return Ok(token.clone());
            }
        }
        let token = self
            .request_token(cloud, tenant, client_id, credential)
            .await?;
        if self.keeps_tokens {
            let mut cache = self.cache();
            // Tokens are replaced only when the same credential asks
            // again, so expired ones are let go once the cache has grown.
            if cache.len() >= CACHE_PRUNED_FROM {
                let now = now();
                cache.retain(|_, kept| kept.expires_at - EXPIRY_MARGIN_SECS > now);
            }
            cache.insert(key, token.clone());
        }
        Ok(token)
    }

    /// A token asked for now, past the cache and not kept in it: for a
    /// credential used once (a recovery proof), whose roles must be the
    /// ones granted at this moment.
    pub async fn fresh_token(
        &self,
        cloud: Cloud,
        tenant: &TenantRef,
        client_id: &ClientId,
        credential: &Credential,
    ) -> Result<AccessToken, ClientError> {
        self.request_token(cloud, tenant, client_id, credential)
            .await
    }

    async fn request_token(
        &self,
        cloud: Cloud,
        tenant: &TenantRef,
        client_id: &ClientId,
        credential: &Credential,
    ) -> Result<AccessToken, ClientError> {
        let url = self.endpoints.token_url(cloud, tenant);
        let scope = self.endpoints.scope(cloud);
        let (status, body) = self
            .send(cloud, Endpoint::Token, || {
                let mut form = vec![
                    ("client_id", client_id.as_str().to_owned()),
                    ("scope", scope.clone()),
                    ("grant_type", "client_credentials".to_owned()),
                ];
                match credential {
                    Credential::Secret(secret) => {
                        form.push(("client_secret", secret.expose().to_owned()))
                    }
                    Credential::Certificate(key) => {
                        // A fresh assertion per request: Entra refuses replays.
                        let assertion =
                            key.assertion(client_id.as_str(), &url, now())
                                .map_err(|e| {
                                    ClientError::Unexpected(format!(
                                        "cannot sign the client assertion: {e}"
                                    ))
                                })?;
                        form.push((
                            "client_assertion_type",
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
                        ));
                        form.push(("client_assertion", assertion));
                    }
                }
                Ok(self.http.post(&url).form(&form))
            })
            .await?;
        parse_response(status, &body, now())
    }

    /// The Directory (tenant) ID of the tenant that has verified `domain`,
    /// from the cloud's OpenID discovery document; `None` when no tenant of
    /// this cloud has it. Public: no credential is needed.
    pub async fn tenant_of_domain(
        &self,
        cloud: Cloud,
        domain: &str,
    ) -> Result<Option<String>, ClientError> {
        let url = self.endpoints.openid_configuration_url(cloud, domain);
        let (status, body) = self
            .send(cloud, Endpoint::OpenIdConfiguration, || {
                Ok(self.http.get(&url))
            })
            .await?;
        match status {
            200 => {
                let document: serde_json::Value = serde_json::from_str(&body).map_err(|_| {
                    ClientError::Unexpected("the OpenID discovery document is not JSON".into())
                })?;
                let issuer = document["issuer"].as_str().unwrap_or_default();
                domain::ids::tenant_id_of_issuer(issuer)
                    .map(Some)
                    .ok_or_else(|| {
                        ClientError::Unexpected(format!(
                            "the OpenID discovery document names no tenant: {issuer}"
                        ))
                    })
            }
            // AADSTS90002: no tenant has this domain.
            400 | 404 => Ok(None),
            _ => Err(ClientError::Unexpected(format!(
                "OpenID discovery answered HTTP {status}"
            ))),
        }
    }

    /// A Graph GET with the token; `path_or_url` is a path such as
    /// `/v1.0/organization` or a `@odata.nextLink` from an earlier page.
    pub async fn graph_get(
        &self,
        cloud: Cloud,
        token: &AccessToken,
        path_or_url: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let url = if path_or_url.starts_with('/') {
            self.endpoints.graph_url(cloud, path_or_url)
        } else {
            path_or_url.to_owned()
        };
        let (status, body) = self
            .send(cloud, Endpoint::Graph(path_or_url), || {
                Ok(self.http.get(&url).bearer_auth(token.bearer()))
            })
            .await?;
        match status {
            200..=299 => serde_json::from_str(&body).map_err(|_| {
                ClientError::Unexpected(format!(
                    "Graph answered {status} with a body that is not JSON"
                ))
            }),
            403 => Err(ClientError::Forbidden),
            _ => Err(ClientError::Unexpected(format!(
                "Graph answered HTTP {status}"
            ))),
        }
    }

    /// A Graph POST of `body` with the token; the answer's status and body
    /// as they came (after the retries `send` makes).
    pub async fn graph_post(
        &self,
        cloud: Cloud,
        token: &AccessToken,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<(u16, String), ClientError> {
        let url = self.endpoints.graph_url(cloud, path);
        self.send(cloud, Endpoint::Graph(path), || {
            Ok(self.http.post(&url).bearer_auth(token.bearer()).json(body))
        })
        .await
    }

    /// Sends with retries: network errors, 429 and 5xx are retried within
    /// the policy (honouring `Retry-After`); the last answer is returned as
    /// (status, body).
    async fn send(
        &self,
        cloud: Cloud,
        endpoint: Endpoint<'_>,
        build: impl Fn() -> Result<reqwest::RequestBuilder, ClientError>,
    ) -> Result<(u16, String), ClientError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let jitter: f64 = rand::random();
            let wait = match build()?.send().await {
                Err(error) => {
                    self.calls.answered(cloud, &endpoint, None);
                    let target = error
                        .url()
                        .map(|u| u.host_str().unwrap_or_default().to_owned())
                        .unwrap_or_default();
                    let reason = if error.is_timeout() {
                        "timed out"
                    } else {
                        "connection failed"
                    };
                    match self.retry.delay(attempt, None, jitter) {
                        Some(wait) => wait,
                        None => {
                            return Err(ClientError::Unreachable(format!("{target} ({reason})")))
                        }
                    }
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    self.calls.answered(cloud, &endpoint, Some(status));
                    if status != 429 && status < 500 {
                        let body = response.text().await.map_err(|e| {
                            ClientError::Unreachable(format!("reading the response failed: {e}"))
                        })?;
                        return Ok((status, body));
                    }
                    // Throttling is Microsoft asking us to slow down: a 429, or
                    // any answer that says how long to wait. A 503 without
                    // `Retry-After` is an outage, retried but reported as one.
                    let asked_to_wait = retry_after(response.headers());
                    let throttled = status == 429 || asked_to_wait.is_some();
                    if throttled {
                        self.calls.throttled(cloud);
                    }
                    match self.retry.delay(attempt, asked_to_wait, jitter) {
                        Some(wait) => wait,
                        None if throttled => {
                            return Err(ClientError::Throttled {
                                attempts: attempt,
                                retry_after: asked_to_wait,
                            })
                        }
                        None if matches!(status, 502..=504) => {
                            return Err(ClientError::Unavailable {
                                status,
                                attempts: attempt,
                            })
                        }
                        None => {
                            return Err(ClientError::Unexpected(format!(
                                "HTTP {status} after {attempt} attempts"
                            )))
                        }
                    }
                }
            };
            tracing::debug!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying a Microsoft request"
            );
            self.calls.waited(cloud, wait);
            tokio::time::sleep(wait).await;
        }
    }
}

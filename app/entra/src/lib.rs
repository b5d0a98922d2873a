//! Talks to the Microsoft identity platform and Microsoft Graph exactly as
//! production does: client-credentials tokens with a secret or a
//! certificate, Graph reads, retries and a token cache. Hosts come only from
//! configuration (`Endpoints`), never from customer input.

pub mod calls;
pub mod certificate;
pub mod client;
pub mod endpoints;
pub mod error;
pub mod graph;
pub mod mail;
pub mod pkcs12_cost;
pub mod recovery;
pub mod reports_limit;
pub mod retry;
pub mod token;
pub mod verify;

pub use certificate::CertificateKey;
pub use client::{Credential, EntraClient};
pub use endpoints::Endpoints;
pub use error::ClientError;
pub use recovery::{check_recovery, RecoveryRequest, SignedIn};
pub use verify::{verify, VerifyReport, VerifyRequest};

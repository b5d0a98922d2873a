//! Certificates a customer might upload (from `end2end/test-certificates`),
//! and how the browser sends a chosen file.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
#[allow(unused_imports)] // each test binary uses its own part of the support module
pub use test_certificates::{make, pfx, pfx_costing, Recipe};

/// What the browser sends for a chosen file.
pub fn as_upload(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

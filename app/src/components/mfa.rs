//! What setting up a second factor shows: the QR code and the same secret
//! as text, then the recovery codes, once.

use crate::model::MfaEnrolment;
use leptos::prelude::*;

#[component]
pub fn EnrolmentCard(enrolment: MfaEnrolment) -> impl IntoView {
    view! {
        <div class="enrolment">
            <p>"Scan this code with an authenticator app (Microsoft Authenticator, Google Authenticator, 1Password…), then enter the 6-digit code it shows."</p>
            <img class="qr" src=enrolment.qr_svg_data_url width="200" height="200"
                alt=format!("QR code for Tenantry, account {}", enrolment.account)/>
            <p class="muted">"Cannot scan? Enter this key in the app instead:"</p>
            <p><code class="secret-key" aria-label="Key for your authenticator app">{enrolment.secret}</code></p>
        </div>
    }
}

#[component]
pub fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="notice" role="status">
            <p><strong>"Your second factor is set up."</strong>" Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are not shown again."</p>
            <ul class="recovery-codes" aria-label="Recovery codes">
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ul>
        </div>
    }
}

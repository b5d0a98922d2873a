//! The recovery checklist as people read it: each check with its state, what
//! it found and what to do; and the schedule that looks again, on its own,
//! while Microsoft's audit log catches up. Shared by `/recover` and the
//! ownership-proof step of the onboarding wizard.

use crate::model::RecoveryResult;
use domain::recovery::checklist::{CheckCode, CheckState, Outcome};
use domain::recovery::next_look;
use leptos::prelude::*;
use std::time::Duration;

/// Looks again, on its own, while Microsoft's audit log catches up:
/// `retry` runs after each wait until the outcome is decided or 30 minutes
/// have passed.
#[derive(Clone, Copy)]
pub struct LookAgain {
    looks: RwSignal<u32>,
    waited: RwSignal<u64>,
    next_in: RwSignal<Option<u64>>,
}

impl LookAgain {
    pub fn new(
        outcome: impl Fn() -> Option<Outcome> + Send + Sync + 'static,
        retry: impl Fn() + Copy + Send + Sync + 'static,
    ) -> Self {
        let schedule = Self {
            looks: RwSignal::new(0),
            waited: RwSignal::new(0),
            next_in: RwSignal::new(None),
        };
        Effect::new(move |_| {
            let Some(outcome) = outcome() else {
                return;
            };
            if !matches!(outcome, Outcome::NotYetVisible | Outcome::CouldNotCheck) {
                schedule.next_in.set(None);
                return;
            }
            let looks = schedule.looks.get_untracked() + 1;
            schedule.looks.set(looks);
            match next_look(looks, schedule.waited.get_untracked()) {
                Some(delay) => {
                    schedule.waited.update(|waited| *waited += delay);
                    schedule.next_in.set(Some(delay));
                    set_timeout(
                        move || {
                            // A new submission since then starts its own looks.
                            if schedule.looks.get_untracked() == looks {
                                retry();
                            }
                        },
                        Duration::from_secs(delay),
                    );
                }
                None => schedule.next_in.set(None),
            }
        });
        schedule
    }

    /// A new submission by the person: its looks start from the beginning.
    pub fn reset(&self) {
        self.looks.set(0);
        self.waited.set(0);
        self.next_in.set(None);
    }
}

#[component]
pub fn Checklist(result: RecoveryResult, schedule: LookAgain) -> impl IntoView {
    let window = result.window_hours;
    let outcome = result.outcome;
    let headline = match outcome {
        Outcome::Accepted => "Accepted",
        Outcome::Rejected => "Refused",
        Outcome::NotYetVisible => "Not visible yet",
        Outcome::CouldNotCheck => "Could not check",
    };
    let gave_up = move || {
        matches!(outcome, Outcome::NotYetVisible | Outcome::CouldNotCheck)
            && schedule.next_in.get().is_none()
            && schedule.looks.get() > 0
    };
    view! {
        <p class=format!("recovery-outcome outcome-{}", outcome.as_str()) role="status">
            <strong>{headline}</strong>": "{result.message.clone()}
        </p>
        {move || schedule.next_in.get().map(|delay| view! {
            <p class="muted" role="status">{format!("Looking again in {delay} seconds{}.", next_at(delay))}</p>
        })}
        {move || gave_up().then(|| view! {
            <p class="muted" role="status">{format!("Tenantry looked for {} minutes. Check the Object ID, then send the form again.", domain::recovery::KEEP_LOOKING_SECS / 60)}</p>
        })}
        <ul class="checklist">
            {result.checks.iter().map(|check| {
                let state = match check.state {
                    CheckState::Passed => "passed",
                    CheckState::Failed => "failed",
                    CheckState::Pending => "pending",
                    CheckState::Skipped => "skipped",
                };
                let title = match check.code {
                    CheckCode::WithinWindow => format!("The app was created less than {window} hours ago"),
                    code => code.title().to_owned(),
                };
                view! {
                    <li class=format!("check check-{state}") data-code=check.code.as_str()>
                        <span class="check-state">{state}</span>
                        <strong>{title}</strong>
                        <p>{check.detail.clone()}</p>
                        {(!check.fix.is_empty()).then(|| view! { <p class="fix">"What to do: "{check.fix.clone()}</p> })}
                    </li>
                }
            }).collect_view()}
        </ul>
        {result.set_password_link.clone().map(|link| view! {
            // A full page load: the link hands its token to the server first.
            <p><a class="button" href=link rel="external">"Choose your password"</a></p>
            <p class="muted">"The link works once, for 24 hours. It is not shown again."</p>
        })}
    }
}

/// " (at 14:05:30)" in the reader's clock, once the page runs in a browser.
#[cfg(feature = "hydrate")]
fn next_at(delay: u64) -> String {
    let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        js_sys::Date::now() + delay as f64 * 1000.0,
    ));
    format!(" (at {})", String::from(at.to_locale_time_string("en-GB")))
}

#[cfg(not(feature = "hydrate"))]
fn next_at(_: u64) -> String {
    String::new()
}

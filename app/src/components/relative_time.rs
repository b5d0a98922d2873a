//! An instant shown as a date and time in the server's render and, once
//! the page is hydrated, as words relative to the reader's clock ("3 hours
//! ago"). The server cannot know when the page will be read; the first
//! client render repeats the server's text, so hydration never mismatches.

use crate::timestamp::Timestamp;
use leptos::prelude::*;

/// "just now", "5 minutes ago", "in 3 days".
pub fn relative(seconds_from_now: i64) -> String {
    let ahead = seconds_from_now > 0;
    let span = seconds_from_now.unsigned_abs();
    let (count, unit) = match span {
        0..45 => return "just now".to_owned(),
        45..5_400 => (span.div_ceil(60).max(1), "minute"),
        5_400..129_600 => ((span + 1_800) / 3_600, "hour"),
        _ => ((span + 43_200) / 86_400, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    if ahead {
        format!("in {count} {unit}{plural}")
    } else {
        format!("{count} {unit}{plural} ago")
    }
}

/// `2026-11-22 20:42 UTC`.
fn absolute(at: &Timestamp) -> String {
    let text = at.as_str();
    format!("{} {} UTC", at.date(), text.get(11..16).unwrap_or_default())
}

#[component]
pub fn RelativeTime(at: Timestamp) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| hydrated.set(true));
    let shown = absolute(&at);
    let datetime = at.as_str().to_owned();
    let text = move || {
        if hydrated.get() {
            seconds_until(&datetime)
                .map(relative)
                .unwrap_or_else(|| shown.clone())
        } else {
            shown.clone()
        }
    };
    let title = absolute(&at);
    view! { <time datetime=at.as_str().to_owned() title=title>{text}</time> }
}

#[cfg(feature = "hydrate")]
fn seconds_until(datetime: &str) -> Option<i64> {
    let at = js_sys::Date::parse(datetime);
    (!at.is_nan()).then(|| ((at - js_sys::Date::now()) / 1000.0).round() as i64)
}

#[cfg(not(feature = "hydrate"))]
fn seconds_until(_: &str) -> Option<i64> {
    None
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn relative_words_round_to_the_nearest_unit() {
        assert_eq!(relative(-10), "just now");
        assert_eq!(relative(-60), "1 minute ago");
        assert_eq!(relative(-3 * 3600), "3 hours ago");
        assert_eq!(relative(3 * 86_400 + 100), "in 3 days");
        assert_eq!(relative(86_400 * 2), "in 2 days");
    }
}

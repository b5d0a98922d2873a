//! An instant shown as a date and time in the server's render and, once
//! the page is interactive, as words relative to the reader's clock ("3
//! hours ago"). The server cannot know when the page will be read.

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

/// Rendered on the server only: the page's one clock island
/// (`page_ready::PageReady`) rewrites every `time[data-relative]` in the
/// reader's terms once the page is interactive.
#[component]
pub fn RelativeTime(at: Timestamp) -> impl IntoView {
    let (shown, title) = (absolute(&at), absolute(&at));
    view! {
        <time datetime=at.as_str().to_owned() title=title data-relative="">{shown}</time>
    }
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

//! The trend: per day of the last 30, registrations by the worst status
//! checked that day, from the daily summaries. Days before today no longer
//! change, so they are read once a day; today is read with each reading.

use super::snapshot::Source;
use crate::backend::checks::view::day_of;
use crate::backend::db;
use crate::error::AppError;
use crate::model::{StatusCount, TrendDay};
use domain::dashboard::Counts;
use domain::evaluation::Status;

pub const TREND_DAYS: i64 = 30;
const DAY: i64 = 86_400;

async fn counted(
    ctx: Source<'_>,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, i64)>, AppError> {
    crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT day, worst_status, COUNT(*) FROM check_days
          WHERE organisation_id = $1 AND day >= $2 AND day <= $3
          GROUP BY day, worst_status",
    )
    .bind(ctx.organisation)
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await)
    .map_err(db("could not read the daily summaries"))
}

fn days(rows: &[(String, String, i64)], dates: impl Iterator<Item = String>) -> Vec<TrendDay> {
    dates
        .map(|date| {
            let mut counts = Counts::default();
            for (_, status, count) in rows.iter().filter(|(day, _, _)| *day == date) {
                if let Some(status) = Status::parse(status) {
                    counts.add_many(status, *count as usize);
                }
            }
            TrendDay {
                date,
                counts: Status::ALL
                    .into_iter()
                    .map(|status| StatusCount {
                        status,
                        count: counts.of(status),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Days before today, oldest first, kept per organisation for the day.
pub async fn past(ctx: Source<'_>, now: i64) -> Result<Vec<TrendDay>, AppError> {
    let today = day_of(now);
    let organisation = ctx.organisation;
    if let Some(kept) = ctx.backend.dashboards.past_days(organisation, &today) {
        return Ok(kept);
    }
    let first = day_of(now - (TREND_DAYS - 1) * DAY);
    let last = day_of(now - DAY);
    let rows = counted(ctx, &first, &last).await?;
    let dates = (1..TREND_DAYS).rev().map(|ago| day_of(now - ago * DAY));
    let past = days(&rows, dates);
    ctx.backend
        .dashboards
        .keep_past_days(organisation, today, past.clone());
    Ok(past)
}

pub async fn today(ctx: Source<'_>, now: i64) -> Result<TrendDay, AppError> {
    let today = day_of(now);
    let rows = counted(ctx, &today, &today).await?;
    Ok(days(&rows, std::iter::once(today)).remove(0))
}

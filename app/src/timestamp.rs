//! Instants as Tenantry stores and sends them: UTC, whole seconds, RFC 3339,
//! always twenty characters (`2026-11-22T20:42:08Z`). Fixed width means the
//! text sorts like the instant in SQLite and PostgreSQL alike, and that the
//! date is always its first ten characters, so pages show dates one way.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

impl Timestamp {
    /// `YYYY-MM-DD`, as every page shows a date.
    pub fn date(&self) -> &str {
        self.0.get(..10).unwrap_or(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "ssr")]
mod server {
    use super::Timestamp;
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::{Database, Decode, Encode, Type};
    use time::format_description::well_known::Rfc3339;
    use time::{OffsetDateTime, UtcOffset};

    impl Timestamp {
        pub fn of(at: OffsetDateTime) -> Self {
            let at = at
                .to_offset(UtcOffset::UTC)
                .replace_nanosecond(0)
                .unwrap_or(at);
            // Formatting a UTC instant in years 0..=9999 as RFC 3339 cannot fail.
            Self(at.format(&Rfc3339).unwrap_or_default())
        }

        pub fn parse(text: &str) -> Result<Self, time::error::Parse> {
            OffsetDateTime::parse(text, &Rfc3339).map(Self::of)
        }

        pub fn instant(&self) -> OffsetDateTime {
            // Every Timestamp was made by `of` (or `parse`, which goes through it).
            OffsetDateTime::parse(&self.0, &Rfc3339).unwrap_or(OffsetDateTime::UNIX_EPOCH)
        }

        pub fn unix(&self) -> i64 {
            self.instant().unix_timestamp()
        }
    }

    impl From<OffsetDateTime> for Timestamp {
        fn from(at: OffsetDateTime) -> Self {
            Self::of(at)
        }
    }

    impl<DB: Database> Type<DB> for Timestamp
    where
        String: Type<DB>,
    {
        fn type_info() -> DB::TypeInfo {
            <String as Type<DB>>::type_info()
        }

        fn compatible(ty: &DB::TypeInfo) -> bool {
            <String as Type<DB>>::compatible(ty)
        }
    }

    impl<'q, DB: Database> Encode<'q, DB> for Timestamp
    where
        String: Encode<'q, DB>,
    {
        fn encode_by_ref(
            &self,
            buf: &mut <DB as Database>::ArgumentBuffer<'q>,
        ) -> Result<IsNull, BoxDynError> {
            self.0.clone().encode(buf)
        }
    }

    impl<'r, DB: Database> Decode<'r, DB> for Timestamp
    where
        String: Decode<'r, DB>,
    {
        fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
            let text = <String as Decode<DB>>::decode(value)?;
            Ok(Timestamp::parse(&text)?)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use time::macros::datetime;

        #[test]
        fn instants_are_stored_in_one_fixed_width_utc_form() {
            let at = Timestamp::of(datetime!(2026-11-22 21:42:08.75 +01:00));
            assert_eq!(at.as_str(), "2026-11-22T20:42:08Z");
            assert_eq!(at.date(), "2026-11-22");
            assert_eq!(
                Timestamp::parse("2026-01-02T03:04:05+00:00")
                    .unwrap()
                    .as_str(),
                "2026-01-02T03:04:05Z"
            );
            assert!(Timestamp::parse("yesterday").is_err());
        }
    }
}

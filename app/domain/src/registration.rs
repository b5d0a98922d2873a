//! What identifies an app registration to Tenantry: its Application
//! (client) ID, and its Object ID when one of its products needs it. Staff
//! recording a registration and a customer finishing onboarding are held to
//! the same rule with the same words.

use crate::form::Problems;
use crate::ids::{ClientId, ObjectId};
use crate::profile::Profile;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationIds {
    pub client_id: ClientId,
    pub object_id: Option<ObjectId>,
}

pub const OBJECT_ID_NEEDED: &str =
    "One of these products needs the registration's Object ID; it is on the app's Overview page, below the Application (client) ID.";

pub fn needs_object_id(profiles: &[Profile]) -> bool {
    profiles.iter().any(|p| p.needs_object_id)
}

/// Parses the IDs from the app's Overview page, reporting each problem on
/// `client_id` or `object_id`.
pub fn parse_ids(
    client_id: &str,
    object_id: &str,
    profiles: &[Profile],
    problems: &mut Problems,
) -> Option<RegistrationIds> {
    let client_id = problems.check("client_id", ClientId::parse(client_id));
    let object_id = match object_id.trim() {
        "" if needs_object_id(profiles) => {
            problems.add("object_id", OBJECT_ID_NEEDED);
            return None;
        }
        "" => None,
        raw => Some(problems.check("object_id", ObjectId::parse(raw))?),
    };
    Some(RegistrationIds {
        client_id: client_id?,
        object_id,
    })
}

/// The products chosen on a form (comma-separated ids); at least one.
pub fn parse_products(raw: &str, problems: &mut Problems) -> Option<Vec<Profile>> {
    let chosen = problems.check("profiles", crate::profile::parse_list(raw))?;
    if chosen.is_empty() {
        problems.add("profiles", "Choose at least one product.");
        return None;
    }
    Some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile;

    const CLIENT: &str = "22222222-2222-2222-2222-222222222222";

    #[test]
    fn recovery_needs_the_object_id_and_says_where_it_is() {
        let mut problems = Problems::default();
        let ids = parse_ids(CLIENT, " ", &[profile::recovery()], &mut problems);
        let problems = problems.finish(ids).unwrap_err();
        assert_eq!(problems[0].field, "object_id");
        assert_eq!(problems[0].message, OBJECT_ID_NEEDED);
    }

    #[test]
    fn other_products_do_without_the_object_id() {
        let mut problems = Problems::default();
        let ids = parse_ids(CLIENT, "", &[profile::email()], &mut problems);
        let ids = problems.finish(ids).unwrap();
        assert_eq!(ids.client_id.as_str(), CLIENT);
        assert_eq!(ids.object_id, None);
    }

    #[test]
    fn both_ids_are_checked_at_once() {
        let mut problems = Problems::default();
        let ids = parse_ids("nope", "also-nope", &[], &mut problems);
        let fields: Vec<String> = problems
            .finish(ids)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["client_id", "object_id"]);
    }

    #[test]
    fn at_least_one_product_is_chosen() {
        let mut problems = Problems::default();
        assert!(parse_products(" ", &mut problems).is_none());
        assert!(parse_products("no-such-product", &mut problems).is_none());
        assert_eq!(problems.finish(Some(())).unwrap_err().len(), 2);
        let mut problems = Problems::default();
        assert_eq!(
            parse_products("email,recovery", &mut problems).map(|p| p.len()),
            Some(2)
        );
    }
}

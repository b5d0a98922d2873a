//! The customer's set-up wizard: its steps in order, where a returning
//! customer picks up, and how far a link got in words staff understand.
//! Progress is the number of the highest step the customer finished.

use crate::form::Problems;
use crate::ids::TenantRef;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Step {
    Register = 1,
    Permissions = 2,
    Consent = 3,
    Credential = 4,
    Ids = 5,
    Test = 6,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Register,
        Step::Permissions,
        Step::Consent,
        Step::Credential,
        Step::Ids,
        Step::Test,
    ];

    /// How many steps the wizard has.
    pub const COUNT: u8 = Step::ALL.len() as u8;

    pub fn number(self) -> u8 {
        self as u8
    }

    /// Out-of-range numbers (a hand-edited address) land on the nearest step.
    pub fn clamped(number: i64) -> Step {
        Step::ALL[(number.clamp(1, Step::COUNT.into()) - 1) as usize]
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::Register => "Register the app",
            Step::Permissions => "Add permissions",
            Step::Consent => "Grant admin consent",
            Step::Credential => "Add a credential",
            Step::Ids => "Enter the IDs",
            Step::Test => "Test",
        }
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.number() as usize).copied()
    }
}

/// Where a customer returning to the link continues: the first step not yet
/// finished, or the test once everything before it is done.
pub fn resume_at(finished: i64) -> Step {
    Step::clamped(finished + 1)
}

/// What staff see for a link that is neither revoked, expired nor complete.
pub fn progress_label(finished: i64, opened: bool) -> String {
    match finished {
        f if f >= Step::Test.number() as i64 => "Tested, not passing yet".to_owned(),
        f if f >= 1 => {
            let step = Step::clamped(f);
            format!(
                "Step {} of {} done: {}",
                step.number(),
                Step::COUNT,
                step.title()
            )
        }
        _ if opened => "Opened".to_owned(),
        _ => "Sent".to_owned(),
    }
}

/// Where a link stands, as staff see it in the list of links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Active,
    Completed,
    Revoked,
    Expired,
}

impl LinkState {
    /// Revocation is what staff did last and wins; a completed link stays
    /// completed after its expiry.
    pub fn of(revoked: bool, completed: bool, expires_at: i64, now: i64) -> Self {
        if revoked {
            LinkState::Revoked
        } else if completed {
            LinkState::Completed
        } else if expires_at <= now {
            LinkState::Expired
        } else {
            LinkState::Active
        }
    }
}

/// Why a link's token no longer opens the wizard. A completed link still
/// opens (to show it is done) until it expires or is revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    Withdrawn,
    Expired,
}

impl LinkRefusal {
    pub fn check(revoked: bool, expires_at: i64, now: i64) -> Result<(), LinkRefusal> {
        if revoked {
            Err(LinkRefusal::Withdrawn)
        } else if expires_at <= now {
            Err(LinkRefusal::Expired)
        } else {
            Ok(())
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            LinkRefusal::Withdrawn => {
                "This onboarding link was withdrawn. Ask your IT provider for a new link."
            }
            LinkRefusal::Expired => {
                "This onboarding link has expired. Ask your IT provider for a new link."
            }
        }
    }
}

/// Steps the customer marks done themselves, because they happen in Entra.
/// For an ownership proof the credential step is one of them: the secret is
/// handed over at the test, used for that check only, and never stored.
pub fn marked_done_by_customer(step: Step, ownership_proof: bool) -> bool {
    step < Step::Credential || (ownership_proof && step == Step::Credential)
}

/// The steps still to finish before the test can run: it signs in with the
/// saved credential as the app the IDs name.
pub fn missing_before_test(credential_saved: bool, ids_saved: bool) -> Vec<Step> {
    let mut missing = Vec::new();
    if !credential_saved {
        missing.push(Step::Credential);
    }
    if !ids_saved {
        missing.push(Step::Ids);
    }
    missing
}

/// The Directory (tenant) ID the customer copied from the app's Overview
/// page. When the MSP recorded the tenant's ID, it must be that one: an app
/// registered in another tenant would be tested (and stored) for the wrong
/// customer.
pub fn parse_directory_id(
    raw: &str,
    on_file: Option<&str>,
    tenant_name: &str,
    problems: &mut Problems,
) -> Option<String> {
    match TenantRef::parse(raw) {
        Ok(TenantRef::Id(id)) => match on_file {
            Some(expected) if !expected.eq_ignore_ascii_case(&id) => {
                problems.add("tenant_id", format!("This is not the tenant your IT provider has on file for {tenant_name}. Check that you are signed in to the right tenant."));
                None
            }
            _ => Some(id),
        },
        _ => {
            problems.add("tenant_id", "Enter the Directory (tenant) ID from the app's Overview page, such as 01234567-89ab-cdef-0123-456789abcdef.");
            None
        }
    }
}

/// A link for company recovery proves who controls the customer's tenant:
/// its test is the recovery checklist, and it ends with the tenant marked
/// as verified rather than with a registration to watch.
pub fn is_ownership_proof(profiles: &[crate::profile::Profile]) -> bool {
    profiles
        .iter()
        .any(|profile| profile.id == crate::profile::recovery().id)
}

/// The products a new link is for: at least one, and an ownership proof
/// only on its own.
pub fn link_products(raw: &str, problems: &mut Problems) -> Option<Vec<crate::profile::Profile>> {
    let chosen = crate::registration::parse_products(raw, problems)?;
    if is_ownership_proof(&chosen) && chosen.len() > 1 {
        problems.add(
            "profiles",
            "Company recovery proves who controls the tenant: send it as a link of its own, without other products.",
        );
        return None;
    }
    Some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ownership_proof_marks_its_credential_step_done_because_nothing_is_saved() {
        assert!(marked_done_by_customer(Step::Consent, false));
        assert!(!marked_done_by_customer(Step::Credential, false));
        assert!(marked_done_by_customer(Step::Credential, true));
        assert!(!marked_done_by_customer(Step::Ids, true));
    }

    #[test]
    fn an_ownership_proof_is_a_link_of_its_own() {
        let mut problems = Problems::default();
        let alone = link_products("recovery", &mut problems);
        assert!(alone.as_deref().is_some_and(is_ownership_proof));
        let mut problems = Problems::default();
        let mixed = link_products("email,recovery", &mut problems);
        let refused = problems.finish(mixed).unwrap_err();
        assert_eq!(refused[0].field, "profiles");
        let mut problems = Problems::default();
        let email = link_products("email", &mut problems).unwrap();
        assert!(!is_ownership_proof(&email));
    }

    #[test]
    fn a_customer_resumes_at_the_first_unfinished_step() {
        for (finished, step) in [
            (0, Step::Register),
            (1, Step::Permissions),
            (3, Step::Credential),
            (5, Step::Test),
            (6, Step::Test),
            (-4, Step::Register),
            (99, Step::Test),
        ] {
            assert_eq!(resume_at(finished), step, "after {finished} steps");
        }
    }

    #[test]
    fn staff_see_how_far_the_customer_got() {
        for (finished, opened, label) in [
            (0, false, "Sent"),
            (0, true, "Opened"),
            (2, true, "Step 2 of 6 done: Add permissions"),
            (5, true, "Step 5 of 6 done: Enter the IDs"),
            (6, true, "Tested, not passing yet"),
        ] {
            assert_eq!(progress_label(finished, opened), label);
        }
    }

    #[test]
    fn steps_run_in_order_and_end_at_the_test() {
        let mut step = Step::Register;
        let mut seen = vec![step];
        while let Some(next) = step.next() {
            assert_eq!(next.number(), step.number() + 1);
            step = next;
            seen.push(step);
        }
        assert_eq!(seen, Step::ALL);
    }

    #[test]
    fn staff_see_revoked_before_completed_before_expired() {
        let (now, past, future) = (100, 50, 150);
        assert_eq!(LinkState::of(true, true, past, now), LinkState::Revoked);
        assert_eq!(LinkState::of(false, true, past, now), LinkState::Completed);
        assert_eq!(LinkState::of(false, false, now, now), LinkState::Expired);
        assert_eq!(LinkState::of(false, false, future, now), LinkState::Active);
    }

    #[test]
    fn a_token_stops_working_when_revoked_or_at_its_expiry() {
        assert_eq!(LinkRefusal::check(false, 101, 100), Ok(()));
        assert_eq!(
            LinkRefusal::check(false, 100, 100),
            Err(LinkRefusal::Expired)
        );
        assert_eq!(
            LinkRefusal::check(true, 101, 100),
            Err(LinkRefusal::Withdrawn)
        );
    }

    #[test]
    fn the_test_waits_for_the_credential_and_the_ids() {
        assert_eq!(
            missing_before_test(false, false),
            [Step::Credential, Step::Ids]
        );
        assert_eq!(missing_before_test(true, false), [Step::Ids]);
        assert!(missing_before_test(true, true).is_empty());
    }

    #[test]
    fn the_directory_id_must_be_the_one_on_file() {
        let on_file = "11111111-1111-1111-1111-111111111111";
        let mut problems = Problems::default();
        let other = parse_directory_id(
            "99999999-9999-9999-9999-999999999999",
            Some(on_file),
            "Contoso",
            &mut problems,
        );
        let problems = problems.finish(other).unwrap_err();
        assert!(problems[0].message.contains("Contoso"));
        let mut problems = Problems::default();
        let same = parse_directory_id(&on_file.to_uppercase(), Some(on_file), "C", &mut problems);
        assert_eq!(same.as_deref(), Some(on_file));
        let mut problems = Problems::default();
        assert!(parse_directory_id("contoso.com", None, "C", &mut problems).is_none());
    }
}

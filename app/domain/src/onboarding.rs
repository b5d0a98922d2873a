//! The customer's set-up wizard: its steps in order, where a returning
//! customer picks up, and how far a link got in words staff understand.
//! Progress is the number of the highest step the customer finished.

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

    pub fn number(self) -> u8 {
        self as u8
    }

    /// Out-of-range numbers (a hand-edited address) land on the nearest step.
    pub fn clamped(number: i64) -> Step {
        Step::ALL[(number.clamp(1, 6) - 1) as usize]
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
            format!("Step {} of 6 done: {}", step.number(), step.title())
        }
        _ if opened => "Opened".to_owned(),
        _ => "Sent".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

-- The sweep claims never-checked registrations (no due time) first, then
-- the longest due, and stops at its batch. On an index of the due time
-- with "never" as the empty text, "due" is one range in the claim's own
-- order, so a claim reads only the rows it takes. Before, when many rows
-- fell due at once (an import, "check everything") and the planner's
-- statistics had not seen it yet, every claim sorted all that was due.
CREATE INDEX registrations_due ON registrations ((COALESCE(next_check_at, '')));

-- A claimed batch is read back by its claim token, which only rows being
-- checked hold.
CREATE INDEX registrations_by_claim ON registrations (lease_claim) WHERE lease_claim IS NOT NULL;

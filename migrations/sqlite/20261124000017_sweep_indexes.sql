-- A claimed batch is read back by its claim token, which only rows being
-- checked hold.
CREATE INDEX registrations_by_claim ON registrations (lease_claim) WHERE lease_claim IS NOT NULL;

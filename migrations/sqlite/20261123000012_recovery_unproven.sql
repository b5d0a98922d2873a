-- A refusal before Microsoft signed the recovery app in ('unproven') is
-- recorded but does not count towards the lock. The outcome's CHECK
-- constraint cannot be altered in place, so the table is rebuilt.
CREATE TABLE recovery_attempts_new (
    id                 TEXT PRIMARY KEY NOT NULL,
    company_tenant_id  TEXT NOT NULL,
    organisation_id    TEXT REFERENCES organisations (id),
    -- Set for a customer's ownership proof through an onboarding link.
    customer_tenant_id TEXT,
    at                 TEXT NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('checking', 'accepted', 'rejected', 'unproven')),
    person_name        TEXT NOT NULL,
    tenant_id          TEXT NOT NULL,
    client_id          TEXT NOT NULL,
    object_id          TEXT NOT NULL,
    app_created_at     TEXT,
    initiator_upn      TEXT,
    initiator_id       TEXT,
    reasons            TEXT NOT NULL DEFAULT '',
    ip                 TEXT,
    FOREIGN KEY (customer_tenant_id, organisation_id) REFERENCES customer_tenants (id, organisation_id)
);
INSERT INTO recovery_attempts_new
    (id, company_tenant_id, organisation_id, customer_tenant_id, at, outcome, person_name,
     tenant_id, client_id, object_id, app_created_at, initiator_upn, initiator_id, reasons, ip)
SELECT id, company_tenant_id, organisation_id, customer_tenant_id, at, outcome, person_name,
       tenant_id, client_id, object_id, app_created_at, initiator_upn, initiator_id, reasons, ip
  FROM recovery_attempts;
DROP TABLE recovery_attempts;
ALTER TABLE recovery_attempts_new RENAME TO recovery_attempts;
-- Attempts count per company and, for ownership proofs, per customer record.
CREATE INDEX recovery_attempts_by_company ON recovery_attempts (company_tenant_id, customer_tenant_id, at);
CREATE INDEX recovery_attempts_by_organisation ON recovery_attempts (organisation_id, at);

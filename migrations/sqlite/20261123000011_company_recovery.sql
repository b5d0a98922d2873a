-- Company recovery and the outbox of e-mail messages.

-- The organisation's own Microsoft 365 tenant (checked once against the
-- cloud's discovery document) and whether someone who proves control of it
-- may become an administrator when every administrator has lost access.
-- A tenant belongs to one organisation at most, so a proof names one.
ALTER TABLE organisations ADD COLUMN home_tenant_id TEXT;
ALTER TABLE organisations ADD COLUMN home_cloud TEXT;
ALTER TABLE organisations ADD COLUMN recovery_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organisations ADD COLUMN recovery_window_hours INTEGER NOT NULL DEFAULT 72
    CHECK (recovery_window_hours > 0);
CREATE UNIQUE INDEX organisations_by_home_tenant ON organisations (home_tenant_id);

-- Each verification that could count, by the company tenant it was made
-- for: reserved as 'checking' before Microsoft is asked, so attempts sent
-- at once cannot pass the limit together, then judged. Checks that ended
-- waiting for Microsoft (not yet visible, could not check) are removed:
-- they count for nothing. Attempts for a tenant no organisation may recover
-- are limited the same way (organisation_id is empty), so the limit does
-- not tell strangers which tenants are known here.
CREATE TABLE recovery_attempts (
    id                 TEXT PRIMARY KEY NOT NULL,
    company_tenant_id  TEXT NOT NULL,
    organisation_id    TEXT REFERENCES organisations (id),
    -- Set for a customer's ownership proof through an onboarding link.
    customer_tenant_id TEXT,
    at                 TEXT NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('checking', 'accepted', 'rejected')),
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
CREATE INDEX recovery_attempts_by_company ON recovery_attempts (company_tenant_id, at);
CREATE INDEX recovery_attempts_by_organisation ON recovery_attempts (organisation_id, at);

-- A customer proved control of their tenant with an ownership proof link:
-- when, who created the recovery app (the audit log's user), and the rest
-- of the evidence (tenant, app, creation time) as one line of text.
ALTER TABLE customer_tenants ADD COLUMN ownership_verified_at TEXT;
ALTER TABLE customer_tenants ADD COLUMN ownership_verified_by TEXT;
ALTER TABLE customer_tenants ADD COLUMN ownership_evidence TEXT;

-- Messages to send, written in the same transaction as the event that
-- causes them and delivered by a background worker: a message is never
-- lost to a crash, and `claimed_until` keeps two workers from sending one
-- message at the same time.
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    claimed_until    TEXT,
    delivered_at     TEXT,
    failed_at        TEXT,
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at);
CREATE INDEX outbox_by_organisation ON outbox (organisation_id, created_at);

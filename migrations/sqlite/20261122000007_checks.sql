-- Registrations are watched: every check is kept (append-only), and the
-- registration row carries what the scheduler and the lists need without
-- reading the history: when it is next due, who holds its lease, and
-- pointers to its newest check and its newest completed one.

ALTER TABLE registrations ADD COLUMN archived_at TEXT;
-- NULL means due now (a registration never checked).
ALTER TABLE registrations ADD COLUMN next_check_at TEXT;
-- A claim is a random token; only its holder may store the result, and
-- only until the lease runs out.
ALTER TABLE registrations ADD COLUMN lease_claim TEXT;
ALTER TABLE registrations ADD COLUMN lease_until TEXT;
-- The request (a random token) staff last asked to include this
-- registration in, and the request its newest result answered: progress
-- is counted by comparing the two.
ALTER TABLE registrations ADD COLUMN check_request TEXT;
ALTER TABLE registrations ADD COLUMN check_request_answered TEXT;
ALTER TABLE registrations ADD COLUMN latest_check_id TEXT;
ALTER TABLE registrations ADD COLUMN last_completed_check_id TEXT;
ALTER TABLE registrations ADD COLUMN last_checked_at TEXT;
-- Start of the current run of could-not-check results.
ALTER TABLE registrations ADD COLUMN unchecked_since TEXT;
CREATE INDEX registrations_by_due_time ON registrations (next_check_at);

-- Microsoft's Retry-After backs off every registration of the tenant, and
-- a restart honours it.
ALTER TABLE customer_tenants ADD COLUMN checks_paused_until TEXT;

CREATE TABLE checks (
    id                  TEXT PRIMARY KEY NOT NULL,
    organisation_id     TEXT NOT NULL,
    registration_id     TEXT NOT NULL,
    -- Orders a registration's checks even within one second.
    sequence            INTEGER NOT NULL,
    started_at          TEXT NOT NULL,
    finished_at         TEXT NOT NULL,
    duration_ms         INTEGER NOT NULL,
    trigger             TEXT NOT NULL CHECK (trigger IN ('onboarding', 'manual', 'scheduled', 'consent', 'cli')),
    triggered_by        TEXT,
    -- The claim this result was stored under: one result per claim.
    claim               TEXT UNIQUE,
    status              TEXT NOT NULL CHECK (status IN ('healthy', 'warning', 'failing', 'could_not_check')),
    -- The domain's verdict as JSON: per-permission states, extra
    -- permissions, findings with codes. Never a secret.
    verdict             TEXT NOT NULL,
    finding_codes       TEXT NOT NULL DEFAULT '',
    trace_id            TEXT,
    correlation_id      TEXT,
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id),
    FOREIGN KEY (triggered_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE UNIQUE INDEX checks_of_registration ON checks (registration_id, sequence);
CREATE INDEX checks_by_age ON checks (finished_at);

-- One row per registration and UTC day: what the status strip and long
-- history read, kept after detailed checks are pruned.
CREATE TABLE check_days (
    registration_id     TEXT NOT NULL,
    organisation_id     TEXT NOT NULL,
    day                 TEXT NOT NULL,
    checks              INTEGER NOT NULL,
    worst_status        TEXT NOT NULL,
    worst_rank          INTEGER NOT NULL,
    PRIMARY KEY (registration_id, day),
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id)
);

-- Consent that re-checks itself. Until this instant, a registration still
-- missing consent is checked every minute.
ALTER TABLE registrations ADD COLUMN consent_watch_until TEXT;
-- The app registration has Tenantry's redirect URI (registrations made
-- through onboarding, whose script and manifest add it), so Microsoft can
-- send the admin back after consent.
ALTER TABLE registrations ADD COLUMN consent_redirect BOOLEAN NOT NULL DEFAULT FALSE;

-- Links staff hand to a customer's admin to grant consent; the token is the
-- `state` Microsoft sends back. Only its digest is kept.
CREATE TABLE consent_requests (
    id                  TEXT PRIMARY KEY NOT NULL,
    organisation_id     TEXT NOT NULL,
    registration_id     TEXT NOT NULL,
    token_digest        TEXT NOT NULL UNIQUE,
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    expires_at          TEXT NOT NULL,
    opened_at           TEXT,
    answered_at         TEXT,
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id)
);

-- A certificate Tenantry generated to renew a registration's credential,
-- waiting until its public half is uploaded to the app in Entra. Its key is
-- sealed for this row's pending slot, apart from the credential in use.
ALTER TABLE registrations ADD COLUMN pending_key_sealed TEXT;
ALTER TABLE registrations ADD COLUMN pending_certificate_der TEXT;
ALTER TABLE registrations ADD COLUMN pending_thumbprint TEXT;
ALTER TABLE registrations ADD COLUMN pending_expires_at TEXT;

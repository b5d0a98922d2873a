-- Alerts follow what people were last told about each registration, so
-- one change is told once however many checks see it.
--
-- `seen_check_id` is the newest check already weighed; a registration is
-- weighed again when it has a newer one, or at `recheck_at` (could-not-check
-- outlasting its patience, stale, an expiry step, a flapping registration
-- settling, an acknowledgement ending). `version` changes with every
-- write: a weighing stores its result only over the version it read, so
-- two servers weighing the same check tell it once.
CREATE TABLE alert_states (
    registration_id  TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL,
    seen_check_id    TEXT,
    told             TEXT,
    expiry_step      INTEGER,
    extras           TEXT,
    changes          TEXT NOT NULL DEFAULT '',
    summarised       BOOLEAN NOT NULL DEFAULT FALSE,
    silenced         BOOLEAN NOT NULL DEFAULT FALSE,
    recheck_at       TEXT,
    version          INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id)
);
CREATE INDEX alert_states_recheck ON alert_states (recheck_at);

-- Many registrations that turned into one problem at once are told as one
-- alert; while that lasts, its members are not told one by one.
CREATE TABLE alert_mass_failures (
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    cause            TEXT NOT NULL,
    since            TEXT NOT NULL,
    PRIMARY KEY (organisation_id, cause)
);

-- Channels gain e-mail (through the mail server, or a mailbox through
-- Microsoft Graph), which SQLite's CHECK cannot take without rebuilding the
-- table; its deliveries are set aside meanwhile, so no row ever points at a
-- missing channel. Each channel also gets its rules: which events it hears,
-- about which tenants and products, and whether at once or in a daily
-- digest (JSON of `domain::alert_rules`).
PRAGMA defer_foreign_keys = ON;

CREATE TABLE alert_deliveries_kept AS SELECT * FROM alert_deliveries;
DROP TABLE alert_deliveries;

CREATE TABLE alert_channels_rebuilt (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    kind             TEXT NOT NULL CHECK (kind IN ('webhook', 'teams', 'slack', 'email', 'graph')),
    name             TEXT NOT NULL,
    host             TEXT NOT NULL,
    secret_sealed    TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    removed_at       TEXT,
    rules            TEXT NOT NULL DEFAULT '{}',
    next_digest_at   TEXT,
    UNIQUE (id, organisation_id),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id)
);
INSERT INTO alert_channels_rebuilt
    (id, organisation_id, kind, name, host, secret_sealed, created_by, created_at, removed_at)
SELECT id, organisation_id, kind, name, host, secret_sealed, created_by, created_at, removed_at
  FROM alert_channels;
DROP TABLE alert_channels;
ALTER TABLE alert_channels_rebuilt RENAME TO alert_channels;
CREATE INDEX alert_channels_of_organisation ON alert_channels (organisation_id, created_at);

CREATE TABLE alert_deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL,
    channel_id       TEXT NOT NULL,
    event            TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    claimed_until    TEXT,
    delivered_at     TEXT,
    failed_at        TEXT,
    last_answer      TEXT,
    FOREIGN KEY (channel_id, organisation_id) REFERENCES alert_channels (id, organisation_id)
);
INSERT INTO alert_deliveries
    (id, organisation_id, channel_id, event, body, created_at, attempts, next_attempt_at,
     claimed_until, delivered_at, failed_at, last_answer)
SELECT id, organisation_id, channel_id, event, body, created_at, attempts, next_attempt_at,
       claimed_until, delivered_at, failed_at, last_answer
  FROM alert_deliveries_kept;
DROP TABLE alert_deliveries_kept;
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at);
CREATE INDEX alert_deliveries_of_channel ON alert_deliveries (channel_id, created_at);

-- Alerts waiting for a channel's digest: the message as it will be listed.
CREATE TABLE alert_digest_items (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL,
    channel_id       TEXT NOT NULL,
    event            TEXT NOT NULL,
    message          TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    FOREIGN KEY (channel_id, organisation_id) REFERENCES alert_channels (id, organisation_id)
);
CREATE INDEX alert_digest_items_of_channel ON alert_digest_items (channel_id, created_at);

-- Digests go at an hour of the organisation's own day.
ALTER TABLE organisations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- What the audit trail records about the organisation's security (sign-in
-- locked, recovery accepted, refused or locked, a customer's ownership
-- proof) is alerted on: the database queues it with the audit entry itself,
-- so no write path can forget, and the alert loop sends and clears it.
CREATE TABLE alert_audit_queue (
    audit_event_id   TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    at               TEXT NOT NULL
);

CREATE TRIGGER audit_events_alerted AFTER INSERT ON audit_events
WHEN NEW.action IN ('sign_in.locked', 'recovery.accepted', 'recovery.refused', 'recovery.locked',
                    'tenant.ownership_verified', 'registration.renewed_by_customer')
BEGIN
    INSERT INTO alert_audit_queue (audit_event_id, organisation_id, at)
    VALUES (NEW.id, NEW.organisation_id, NEW.at);
END;

-- Customer notices: a customer tenant may ask for its contacts to be told
-- before the credential Tenantry holds expires, with a renewal link (an
-- onboarding link limited to replacing that registration's credential).
-- Notices carry the MSP's reply-to address.
ALTER TABLE customer_tenants ADD COLUMN expiry_notices BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organisations ADD COLUMN notice_reply_to TEXT;
ALTER TABLE outbox ADD COLUMN reply_to TEXT;
ALTER TABLE onboarding_links ADD COLUMN renews_registration_id TEXT;

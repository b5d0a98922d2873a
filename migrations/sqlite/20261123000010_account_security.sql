-- Account security: members who can be disabled or removed, sign-ins that
-- are rows (so one member's sessions can be listed and ended at once),
-- failed sign-ins counted per address, and the audit trail.

-- A disabled member cannot sign in until an admin enables them again; a
-- removed one never can, and is no longer listed. Both keep their row: it
-- names who created tenants, sent invitations and did what the audit trail
-- records.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN removed_at TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;

-- An admin can withdraw an invitation before it is used.
ALTER TABLE staff_invitations ADD COLUMN revoked_at TEXT;

-- One row per sign-in. The browser's session (tower_sessions) names its row;
-- every request checks the row is not ended, so ending it (sign out
-- everywhere, a member disabled or removed) signs that browser out at once.
CREATE TABLE staff_sessions (
    id               TEXT PRIMARY KEY NOT NULL,
    user_id          TEXT NOT NULL,
    organisation_id  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    ip               TEXT NOT NULL,
    user_agent       TEXT NOT NULL,
    ended_at         TEXT,
    FOREIGN KEY (user_id, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id, ended_at);

-- Failed sign-ins and second-factor codes, counted per key: a digest of
-- the address typed (known or not, so throttling does not reveal which
-- addresses exist) or of the member owing a code. In the database, so it
-- holds across restarts and servers. An attempt is written before it is
-- checked and removed if it succeeds, so parallel guesses count.
CREATE TABLE sign_in_failures (
    id         TEXT PRIMARY KEY NOT NULL,
    key        TEXT NOT NULL,
    failed_at  TEXT NOT NULL
);
CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key, failed_at);
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (failed_at);

-- Security-relevant events, appended and never changed. Who acted is kept
-- as text beside the id, so the record reads the same after a member is
-- removed; the organisation is the only way in.
CREATE TABLE audit_events (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    at               TEXT NOT NULL,
    actor_user_id    TEXT,
    actor            TEXT NOT NULL,
    action           TEXT NOT NULL,
    target           TEXT NOT NULL,
    detail           TEXT NOT NULL,
    ip               TEXT NOT NULL,
    user_agent       TEXT NOT NULL
);
CREATE INDEX audit_events_by_organisation ON audit_events (organisation_id, at);

CREATE TRIGGER audit_events_are_never_changed
BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are never changed');
END;

CREATE TRIGGER audit_events_are_never_deleted
BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are never deleted');
END;

-- A second factor: a TOTP secret (sealed like every other secret, in the
-- users row) and one-time recovery codes, kept only as digests. The last
-- time step accepted is kept so a code cannot be used twice.
ALTER TABLE users ADD COLUMN secret_sealed TEXT;
ALTER TABLE users ADD COLUMN mfa_enrolled_at TEXT;
ALTER TABLE users ADD COLUMN mfa_last_step BIGINT;
-- A secret shown for enrolment and not yet confirmed with a code.
ALTER TABLE users ADD COLUMN mfa_pending_sealed TEXT;

CREATE TABLE mfa_recovery_codes (
    user_id          TEXT NOT NULL,
    organisation_id  TEXT NOT NULL,
    code_digest      TEXT NOT NULL,
    used_at          TEXT,
    PRIMARY KEY (user_id, code_digest),
    FOREIGN KEY (user_id, organisation_id) REFERENCES users (id, organisation_id)
);

-- An organisation can require every member to use a second factor.
ALTER TABLE organisations ADD COLUMN require_mfa BOOLEAN NOT NULL DEFAULT FALSE;

-- A reset link an admin sends a member who forgot their password: single
-- use, expiring, kept only as the token's digest.
CREATE TABLE password_resets (
    token_digest     TEXT PRIMARY KEY NOT NULL,
    user_id          TEXT NOT NULL,
    organisation_id  TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    used_at          TEXT,
    FOREIGN KEY (user_id, organisation_id) REFERENCES users (id, organisation_id),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX password_resets_by_user ON password_resets (user_id, organisation_id);

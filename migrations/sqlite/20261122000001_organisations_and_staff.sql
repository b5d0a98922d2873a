-- An MSP is an organisation; one deployment may host several. Everything a
-- member can see hangs off their organisation, so later tables (customer
-- tenants, registrations) reference organisations(id) the same way users do.
-- Portable SQL: TEXT ids (UUIDs), RFC 3339 UTC timestamps as TEXT.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- A person signs in with one e-mail address and belongs to exactly one
-- organisation, hence the deployment-wide unique e-mail.
CREATE TABLE users (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    email            TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
    created_at       TEXT NOT NULL
);
CREATE INDEX users_by_organisation ON users (organisation_id);

-- Invitations are links handed to a colleague; only the token's digest is kept.
CREATE TABLE staff_invitations (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    email            TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
    token_digest     TEXT NOT NULL UNIQUE,
    invited_by       TEXT NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    accepted_at      TEXT
);
CREATE INDEX staff_invitations_by_organisation ON staff_invitations (organisation_id);

-- The table tower-sessions' SQLite store reads and writes (its own schema).
CREATE TABLE IF NOT EXISTS tower_sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    data         BLOB NOT NULL,
    expiry_date  INTEGER NOT NULL
);

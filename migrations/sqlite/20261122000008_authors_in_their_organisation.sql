-- Whoever created a customer tenant or sent an invitation belongs to that
-- row's organisation: composite foreign keys, as registrations and links
-- already have. SQLite adds a foreign key only by rebuilding a table. The
-- tables that reference customer_tenants name it, so it is recreated under
-- the same name: its rows are set aside, the table dropped and created
-- anew, and the rows put back. Foreign keys are checked at commit, by when
-- every reference is satisfied again.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE customer_tenants_kept AS SELECT * FROM customer_tenants;
DROP TABLE customer_tenants;
CREATE TABLE customer_tenants (
    id                   TEXT PRIMARY KEY NOT NULL,
    organisation_id      TEXT NOT NULL REFERENCES organisations (id),
    display_name         TEXT NOT NULL,
    entra_tenant_id      TEXT,
    primary_domain       TEXT,
    cloud                TEXT NOT NULL CHECK (cloud IN ('global', 'gcc', 'gcc-high', 'dod', 'china')),
    contact_emails       TEXT NOT NULL DEFAULT '',
    notes                TEXT NOT NULL DEFAULT '',
    created_by           TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    archived_at          TEXT,
    checks_paused_until  TEXT,
    CHECK (entra_tenant_id IS NOT NULL OR primary_domain IS NOT NULL),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX customer_tenants_by_organisation ON customer_tenants (organisation_id);
CREATE UNIQUE INDEX customer_tenants_one_per_entra_tenant ON customer_tenants (organisation_id, entra_tenant_id);
CREATE UNIQUE INDEX customer_tenants_one_per_domain ON customer_tenants (organisation_id, primary_domain);
CREATE UNIQUE INDEX customer_tenants_id_in_organisation ON customer_tenants (id, organisation_id);
INSERT INTO customer_tenants
    (id, organisation_id, display_name, entra_tenant_id, primary_domain, cloud, contact_emails,
     notes, created_by, created_at, updated_at, archived_at, checks_paused_until)
SELECT id, organisation_id, display_name, entra_tenant_id, primary_domain, cloud, contact_emails,
       notes, created_by, created_at, updated_at, archived_at, checks_paused_until
  FROM customer_tenants_kept;
DROP TABLE customer_tenants_kept;

CREATE TABLE staff_invitations_rebuilt (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    email            TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
    token_digest     TEXT NOT NULL UNIQUE,
    invited_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    accepted_at      TEXT,
    FOREIGN KEY (invited_by, organisation_id) REFERENCES users (id, organisation_id)
);
INSERT INTO staff_invitations_rebuilt
    (id, organisation_id, email, role, token_digest, invited_by, created_at, expires_at, accepted_at)
SELECT id, organisation_id, email, role, token_digest, invited_by, created_at, expires_at, accepted_at
  FROM staff_invitations;
DROP TABLE staff_invitations;
ALTER TABLE staff_invitations_rebuilt RENAME TO staff_invitations;
CREATE INDEX staff_invitations_by_organisation ON staff_invitations (organisation_id);


-- A customer tenant is one of the MSP's customers' Microsoft 365 tenants.
-- Registrations (next migration) hang off it. Archiving hides a tenant but
-- never deletes what was recorded about it.

CREATE TABLE customer_tenants (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    display_name     TEXT NOT NULL,
    entra_tenant_id  TEXT,
    primary_domain   TEXT,
    cloud            TEXT NOT NULL CHECK (cloud IN ('global', 'gcc', 'gcc-high', 'dod', 'china')),
    contact_emails   TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    archived_at      TEXT,
    CHECK (entra_tenant_id IS NOT NULL OR primary_domain IS NOT NULL)
);
CREATE INDEX customer_tenants_by_organisation ON customer_tenants (organisation_id);
-- NULLs are distinct in both SQLite and PostgreSQL, so a tenant known only
-- by its domain does not clash with another known only by its id.
CREATE UNIQUE INDEX customer_tenants_one_per_entra_tenant ON customer_tenants (organisation_id, entra_tenant_id);
CREATE UNIQUE INDEX customer_tenants_one_per_domain ON customer_tenants (organisation_id, primary_domain);

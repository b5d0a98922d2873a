-- The schema itself refuses a row that mixes organisations: a registration
-- or onboarding link must name a customer tenant, a staff member and (for a
-- link) a registration of its own organisation. Composite foreign keys
-- reference (id, organisation_id) pairs, which the new unique indexes make
-- referable. SQLite cannot add a foreign key to a table, so the two tables
-- are rebuilt and their rows carried over; children are set aside and
-- dropped before their parents, so no row ever points at a missing one.

PRAGMA defer_foreign_keys = ON;

CREATE UNIQUE INDEX customer_tenants_id_in_organisation ON customer_tenants (id, organisation_id);
CREATE UNIQUE INDEX users_id_in_organisation ON users (id, organisation_id);

CREATE TABLE registrations_rebuilt (
    id                      TEXT PRIMARY KEY NOT NULL,
    organisation_id         TEXT NOT NULL REFERENCES organisations (id),
    customer_tenant_id      TEXT NOT NULL,
    profiles                TEXT NOT NULL,
    client_id               TEXT NOT NULL,
    object_id               TEXT,
    credential_kind         TEXT NOT NULL CHECK (credential_kind IN ('secret', 'certificate')),
    secret_sealed           TEXT,
    secret_hint             TEXT,
    certificate_thumbprint  TEXT,
    certificate_subject     TEXT,
    certificate_der         TEXT,
    credential_expires_at   TEXT,
    entered_by              TEXT NOT NULL,
    entered_at              TEXT NOT NULL,
    UNIQUE (customer_tenant_id, client_id),
    UNIQUE (id, organisation_id),
    FOREIGN KEY (customer_tenant_id, organisation_id) REFERENCES customer_tenants (id, organisation_id),
    FOREIGN KEY (entered_by, organisation_id) REFERENCES users (id, organisation_id)
);
INSERT INTO registrations_rebuilt
    (id, organisation_id, customer_tenant_id, profiles, client_id, object_id, credential_kind,
     secret_sealed, secret_hint, certificate_thumbprint, certificate_subject, certificate_der,
     credential_expires_at, entered_by, entered_at)
SELECT id, organisation_id, customer_tenant_id, profiles, client_id, object_id, credential_kind,
       secret_sealed, secret_hint, certificate_thumbprint, certificate_subject, certificate_der,
       credential_expires_at, entered_by, entered_at
  FROM registrations;

CREATE TABLE onboarding_links_kept AS SELECT * FROM onboarding_links;
CREATE TABLE onboarding_events_kept AS SELECT * FROM onboarding_events;
DROP TABLE onboarding_events;
DROP TABLE onboarding_links;
DROP TABLE registrations;
ALTER TABLE registrations_rebuilt RENAME TO registrations;
CREATE INDEX registrations_by_organisation ON registrations (organisation_id);

CREATE TABLE onboarding_links (
    id                      TEXT PRIMARY KEY NOT NULL,
    organisation_id         TEXT NOT NULL REFERENCES organisations (id),
    customer_tenant_id      TEXT NOT NULL,
    profiles                TEXT NOT NULL,
    token_digest            TEXT NOT NULL UNIQUE,
    created_by              TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    expires_at              TEXT NOT NULL,
    revoked_at              TEXT,
    opened_at               TEXT,
    completed_at            TEXT,
    step_reached            INTEGER NOT NULL DEFAULT 0,
    entered_tenant_id       TEXT,
    client_id               TEXT,
    object_id               TEXT,
    credential_kind         TEXT CHECK (credential_kind IN ('secret', 'certificate')),
    secret_sealed           TEXT,
    secret_hint             TEXT,
    credential_expires_at   TEXT,
    certificate_der         TEXT,
    certificate_thumbprint  TEXT,
    certificate_subject     TEXT,
    certificate_generated   INTEGER NOT NULL DEFAULT 0,
    last_status             TEXT,
    registration_id         TEXT,
    FOREIGN KEY (customer_tenant_id, organisation_id) REFERENCES customer_tenants (id, organisation_id),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id),
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id)
);
INSERT INTO onboarding_links
    (id, organisation_id, customer_tenant_id, profiles, token_digest, created_by, created_at,
     expires_at, revoked_at, opened_at, completed_at, step_reached, entered_tenant_id, client_id,
     object_id, credential_kind, secret_sealed, secret_hint, credential_expires_at, certificate_der,
     certificate_thumbprint, certificate_subject, certificate_generated, last_status, registration_id)
SELECT id, organisation_id, customer_tenant_id, profiles, token_digest, created_by, created_at,
       expires_at, revoked_at, opened_at, completed_at, step_reached, entered_tenant_id, client_id,
       object_id, credential_kind, secret_sealed, secret_hint, credential_expires_at, certificate_der,
       certificate_thumbprint, certificate_subject, certificate_generated, last_status, registration_id
  FROM onboarding_links_kept;
DROP TABLE onboarding_links_kept;
CREATE INDEX onboarding_links_by_tenant ON onboarding_links (organisation_id, customer_tenant_id);

CREATE TABLE onboarding_events (
    id        TEXT PRIMARY KEY NOT NULL,
    link_id   TEXT NOT NULL REFERENCES onboarding_links (id),
    at        TEXT NOT NULL,
    event     TEXT NOT NULL
);
INSERT INTO onboarding_events (id, link_id, at, event)
SELECT id, link_id, at, event FROM onboarding_events_kept;
DROP TABLE onboarding_events_kept;
CREATE INDEX onboarding_events_by_link ON onboarding_events (link_id);

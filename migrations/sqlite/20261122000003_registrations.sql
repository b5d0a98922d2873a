-- An app registration in a customer's tenant, serving one or more profiles.
-- Client secrets are stored only sealed (AES-256-GCM, see
-- app/src/backend/vault.rs); what may be shown is the hint and the expiry.

CREATE TABLE registrations (
    id                      TEXT PRIMARY KEY NOT NULL,
    organisation_id         TEXT NOT NULL REFERENCES organisations (id),
    customer_tenant_id      TEXT NOT NULL REFERENCES customer_tenants (id),
    profiles                TEXT NOT NULL,
    client_id               TEXT NOT NULL,
    object_id               TEXT,
    credential_kind         TEXT NOT NULL CHECK (credential_kind IN ('secret', 'certificate')),
    secret_sealed           TEXT,
    secret_hint             TEXT,
    certificate_thumbprint  TEXT,
    certificate_subject     TEXT,
    credential_expires_at   TEXT,
    entered_by              TEXT NOT NULL REFERENCES users (id),
    entered_at              TEXT NOT NULL,
    UNIQUE (customer_tenant_id, client_id)
);
CREATE INDEX registrations_by_organisation ON registrations (organisation_id);

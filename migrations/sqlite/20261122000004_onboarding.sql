-- Onboarding links: staff send one to a customer's admin, who follows the
-- guided steps without an account. Only the token's digest is stored. What
-- the customer enters is kept on the link so closing the browser loses
-- nothing; the secret is sealed like every other.

CREATE TABLE onboarding_links (
    id                   TEXT PRIMARY KEY NOT NULL,
    organisation_id      TEXT NOT NULL REFERENCES organisations (id),
    customer_tenant_id   TEXT NOT NULL REFERENCES customer_tenants (id),
    profiles             TEXT NOT NULL,
    token_digest         TEXT NOT NULL UNIQUE,
    created_by           TEXT NOT NULL REFERENCES users (id),
    created_at           TEXT NOT NULL,
    expires_at           TEXT NOT NULL,
    revoked_at           TEXT,
    opened_at            TEXT,
    completed_at         TEXT,
    step_reached         INTEGER NOT NULL DEFAULT 0,
    entered_tenant_id    TEXT,
    client_id            TEXT,
    object_id            TEXT,
    secret_sealed        TEXT,
    secret_hint          TEXT,
    secret_expires_at    TEXT,
    last_status          TEXT,
    registration_id      TEXT REFERENCES registrations (id)
);
CREATE INDEX onboarding_links_by_tenant ON onboarding_links (organisation_id, customer_tenant_id);

-- Every use of a link, for staff to see what happened.
CREATE TABLE onboarding_events (
    id        TEXT PRIMARY KEY NOT NULL,
    link_id   TEXT NOT NULL REFERENCES onboarding_links (id),
    at        TEXT NOT NULL,
    event     TEXT NOT NULL
);
CREATE INDEX onboarding_events_by_link ON onboarding_events (link_id);

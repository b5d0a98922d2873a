-- Organisation API tokens. Only a SHA-256 digest of the token is kept:
-- the token carries 256 random bits, so a fast digest is as strong as a
-- slow hash and can be looked up by its id.
CREATE TABLE api_tokens (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    name             TEXT NOT NULL,
    scopes           TEXT NOT NULL,
    token_digest     TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT,
    last_used_at     TEXT,
    last_used_ip     TEXT,
    revoked_at       TEXT,
    revoked_by       TEXT,
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id),
    FOREIGN KEY (revoked_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX api_tokens_of_organisation ON api_tokens (organisation_id, created_at);

-- A creating request sent again with the same Idempotency-Key gets the
-- first answer back instead of creating twice. `status` is NULL while the
-- first request is still being answered.
CREATE TABLE api_idempotency (
    token_id         TEXT NOT NULL REFERENCES api_tokens (id),
    idempotency_key  TEXT NOT NULL,
    request_digest   TEXT NOT NULL,
    status           BIGINT,
    location         TEXT,
    body             TEXT,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (token_id, idempotency_key)
);
CREATE INDEX api_idempotency_by_age ON api_idempotency (created_at);

-- Bumped by every change to a tenant's editable fields, so a change based
-- on what was read (the API's PATCH, If-Match) can refuse to overwrite a
-- change made since.
ALTER TABLE customer_tenants ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

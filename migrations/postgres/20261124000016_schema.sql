-- Tenantry's schema on PostgreSQL, as the SQLite migrations up to
-- 20261124000016 leave it. One file rather than sixteen: the SQLite history
-- rebuilt tables to change constraints, which PostgreSQL does not need.
-- Later changes get a migration in both folders with the same version.
--
-- Every text column compares byte by byte (COLLATE "C"), as SQLite's do:
-- timestamps are RFC 3339 text and ordered as text, and lists sort the same
-- on both databases whatever locale the database was created with.
-- Integers are BIGINT because the code reads them as 64-bit.

CREATE TABLE organisations (
    id                     TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name                   TEXT COLLATE "C" NOT NULL,
    created_at             TEXT COLLATE "C" NOT NULL,
    dashboard_version      BIGINT NOT NULL DEFAULT 0,
    require_mfa            BOOLEAN NOT NULL DEFAULT FALSE,
    home_tenant_id         TEXT COLLATE "C",
    home_cloud             TEXT COLLATE "C",
    recovery_enabled       BOOLEAN NOT NULL DEFAULT FALSE,
    recovery_window_hours  BIGINT NOT NULL DEFAULT 72 CHECK (recovery_window_hours > 0),
    dashboard_layout       BIGINT NOT NULL DEFAULT 0,
    time_zone              TEXT COLLATE "C" NOT NULL DEFAULT 'UTC',
    notice_reply_to        TEXT COLLATE "C"
);
CREATE UNIQUE INDEX organisations_by_home_tenant ON organisations (home_tenant_id);

CREATE TABLE users (
    id                   TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id      TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    email                TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name         TEXT COLLATE "C" NOT NULL,
    password_hash        TEXT COLLATE "C" NOT NULL,
    role                 TEXT COLLATE "C" NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
    created_at           TEXT COLLATE "C" NOT NULL,
    disabled_at          TEXT COLLATE "C",
    removed_at           TEXT COLLATE "C",
    password_changed_at  TEXT COLLATE "C",
    secret_sealed        TEXT COLLATE "C",
    mfa_enrolled_at      TEXT COLLATE "C",
    mfa_last_step        BIGINT,
    mfa_pending_sealed   TEXT COLLATE "C"
);
CREATE INDEX users_by_organisation ON users (organisation_id);
CREATE UNIQUE INDEX users_id_in_organisation ON users (id, organisation_id);

CREATE TABLE staff_invitations (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    email            TEXT COLLATE "C" NOT NULL,
    role             TEXT COLLATE "C" NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
    token_digest     TEXT COLLATE "C" NOT NULL UNIQUE,
    invited_by       TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    expires_at       TEXT COLLATE "C" NOT NULL,
    accepted_at      TEXT COLLATE "C",
    revoked_at       TEXT COLLATE "C",
    FOREIGN KEY (invited_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX staff_invitations_by_organisation ON staff_invitations (organisation_id);

CREATE TABLE customer_tenants (
    id                     TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id        TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    display_name           TEXT COLLATE "C" NOT NULL,
    entra_tenant_id        TEXT COLLATE "C",
    primary_domain         TEXT COLLATE "C",
    cloud                  TEXT COLLATE "C" NOT NULL CHECK (cloud IN ('global', 'gcc', 'gcc-high', 'dod', 'china')),
    contact_emails         TEXT COLLATE "C" NOT NULL DEFAULT '',
    notes                  TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_by             TEXT COLLATE "C" NOT NULL,
    created_at             TEXT COLLATE "C" NOT NULL,
    updated_at             TEXT COLLATE "C" NOT NULL,
    archived_at            TEXT COLLATE "C",
    checks_paused_until    TEXT COLLATE "C",
    ownership_verified_at  TEXT COLLATE "C",
    ownership_verified_by  TEXT COLLATE "C",
    ownership_evidence     TEXT COLLATE "C",
    expiry_notices         BOOLEAN NOT NULL DEFAULT FALSE,
    version                BIGINT NOT NULL DEFAULT 0,
    CHECK (entra_tenant_id IS NOT NULL OR primary_domain IS NOT NULL),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX customer_tenants_by_organisation ON customer_tenants (organisation_id);
CREATE UNIQUE INDEX customer_tenants_one_per_entra_tenant ON customer_tenants (organisation_id, entra_tenant_id);
CREATE UNIQUE INDEX customer_tenants_one_per_domain ON customer_tenants (organisation_id, primary_domain);
CREATE UNIQUE INDEX customer_tenants_id_in_organisation ON customer_tenants (id, organisation_id);

CREATE TABLE registrations (
    id                       TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id          TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    customer_tenant_id       TEXT COLLATE "C" NOT NULL,
    profiles                 TEXT COLLATE "C" NOT NULL,
    client_id                TEXT COLLATE "C" NOT NULL,
    object_id                TEXT COLLATE "C",
    credential_kind          TEXT COLLATE "C" NOT NULL CHECK (credential_kind IN ('secret', 'certificate')),
    secret_sealed            TEXT COLLATE "C",
    secret_hint              TEXT COLLATE "C",
    certificate_thumbprint   TEXT COLLATE "C",
    certificate_subject      TEXT COLLATE "C",
    certificate_der          TEXT COLLATE "C",
    credential_expires_at    TEXT COLLATE "C",
    entered_by               TEXT COLLATE "C" NOT NULL,
    entered_at               TEXT COLLATE "C" NOT NULL,
    archived_at              TEXT COLLATE "C",
    next_check_at            TEXT COLLATE "C",
    lease_claim              TEXT COLLATE "C",
    lease_until              TEXT COLLATE "C",
    check_request            TEXT COLLATE "C",
    check_request_answered   TEXT COLLATE "C",
    latest_check_id          TEXT COLLATE "C",
    last_completed_check_id  TEXT COLLATE "C",
    last_checked_at          TEXT COLLATE "C",
    unchecked_since          TEXT COLLATE "C",
    consent_watch_until      TEXT COLLATE "C",
    consent_redirect         BOOLEAN NOT NULL DEFAULT FALSE,
    pending_key_sealed       TEXT COLLATE "C",
    pending_certificate_der  TEXT COLLATE "C",
    pending_thumbprint       TEXT COLLATE "C",
    pending_expires_at       TEXT COLLATE "C",
    status_since             TEXT COLLATE "C",
    dashboard_version        BIGINT NOT NULL DEFAULT 0,
    UNIQUE (customer_tenant_id, client_id),
    UNIQUE (id, organisation_id),
    FOREIGN KEY (customer_tenant_id, organisation_id) REFERENCES customer_tenants (id, organisation_id),
    FOREIGN KEY (entered_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX registrations_by_organisation ON registrations (organisation_id);
CREATE INDEX registrations_by_due_time ON registrations (next_check_at);
CREATE INDEX registrations_changed_for_dashboard ON registrations (organisation_id, dashboard_version);

CREATE TABLE onboarding_links (
    id                      TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id         TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    customer_tenant_id      TEXT COLLATE "C" NOT NULL,
    profiles                TEXT COLLATE "C" NOT NULL,
    token_digest            TEXT COLLATE "C" NOT NULL UNIQUE,
    created_by              TEXT COLLATE "C" NOT NULL,
    created_at              TEXT COLLATE "C" NOT NULL,
    expires_at              TEXT COLLATE "C" NOT NULL,
    revoked_at              TEXT COLLATE "C",
    opened_at               TEXT COLLATE "C",
    completed_at            TEXT COLLATE "C",
    step_reached            BIGINT NOT NULL DEFAULT 0,
    entered_tenant_id       TEXT COLLATE "C",
    client_id               TEXT COLLATE "C",
    object_id               TEXT COLLATE "C",
    credential_kind         TEXT COLLATE "C" CHECK (credential_kind IN ('secret', 'certificate')),
    secret_sealed           TEXT COLLATE "C",
    secret_hint             TEXT COLLATE "C",
    credential_expires_at   TEXT COLLATE "C",
    certificate_der         TEXT COLLATE "C",
    certificate_thumbprint  TEXT COLLATE "C",
    certificate_subject     TEXT COLLATE "C",
    certificate_generated   BOOLEAN NOT NULL DEFAULT FALSE,
    last_status             TEXT COLLATE "C",
    registration_id         TEXT COLLATE "C",
    renews_registration_id  TEXT COLLATE "C",
    FOREIGN KEY (customer_tenant_id, organisation_id) REFERENCES customer_tenants (id, organisation_id),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id),
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id)
);
CREATE INDEX onboarding_links_by_tenant ON onboarding_links (organisation_id, customer_tenant_id);

CREATE TABLE onboarding_events (
    id       TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    link_id  TEXT COLLATE "C" NOT NULL REFERENCES onboarding_links (id),
    at       TEXT COLLATE "C" NOT NULL,
    event    TEXT COLLATE "C" NOT NULL
);
CREATE INDEX onboarding_events_by_link ON onboarding_events (link_id);

CREATE TABLE checks (
    id                 TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id    TEXT COLLATE "C" NOT NULL,
    registration_id    TEXT COLLATE "C" NOT NULL,
    -- Orders a registration's checks even within one second.
    sequence           BIGINT NOT NULL,
    started_at         TEXT COLLATE "C" NOT NULL,
    finished_at        TEXT COLLATE "C" NOT NULL,
    duration_ms        BIGINT NOT NULL,
    trigger            TEXT COLLATE "C" NOT NULL CHECK (trigger IN ('onboarding', 'manual', 'scheduled', 'consent', 'cli')),
    triggered_by       TEXT COLLATE "C",
    -- The claim this result was stored under: one result per claim.
    claim              TEXT COLLATE "C" UNIQUE,
    status             TEXT COLLATE "C" NOT NULL CHECK (status IN ('healthy', 'warning', 'failing', 'could_not_check')),
    -- The domain's verdict as JSON. Never a secret.
    verdict            TEXT COLLATE "C" NOT NULL,
    finding_codes      TEXT COLLATE "C" NOT NULL DEFAULT '',
    trace_id           TEXT COLLATE "C",
    correlation_id     TEXT COLLATE "C",
    extra_permissions  TEXT COLLATE "C" NOT NULL DEFAULT '',
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id),
    FOREIGN KEY (triggered_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE UNIQUE INDEX checks_of_registration ON checks (registration_id, sequence);
CREATE INDEX checks_by_age ON checks (finished_at);

CREATE TABLE check_days (
    registration_id  TEXT COLLATE "C" NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL,
    day              TEXT COLLATE "C" NOT NULL,
    checks           BIGINT NOT NULL,
    worst_status     TEXT COLLATE "C" NOT NULL,
    worst_rank       BIGINT NOT NULL,
    PRIMARY KEY (registration_id, day),
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id)
);
CREATE INDEX check_days_by_organisation ON check_days (organisation_id, day, worst_status);

CREATE TABLE consent_requests (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL,
    registration_id  TEXT COLLATE "C" NOT NULL,
    token_digest     TEXT COLLATE "C" NOT NULL UNIQUE,
    created_by       TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    expires_at       TEXT COLLATE "C" NOT NULL,
    opened_at        TEXT COLLATE "C",
    answered_at      TEXT COLLATE "C",
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id)
);

CREATE TABLE acknowledgements (
    registration_id  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL,
    -- The headline finding acknowledged (or the status, for stale).
    problem          TEXT COLLATE "C" NOT NULL,
    note             TEXT COLLATE "C" NOT NULL,
    until            TEXT COLLATE "C",
    acknowledged_by  TEXT COLLATE "C" NOT NULL,
    acknowledged_at  TEXT COLLATE "C" NOT NULL,
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id),
    FOREIGN KEY (acknowledged_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX acknowledgements_of_organisation ON acknowledgements (organisation_id);

CREATE TABLE staff_sessions (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    user_id          TEXT COLLATE "C" NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    last_seen_at     TEXT COLLATE "C" NOT NULL,
    ip               TEXT COLLATE "C" NOT NULL,
    user_agent       TEXT COLLATE "C" NOT NULL,
    ended_at         TEXT COLLATE "C",
    FOREIGN KEY (user_id, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id, ended_at);

CREATE TABLE sign_in_failures (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    failed_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key, failed_at);
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (failed_at);

CREATE TABLE audit_events (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    at               TEXT COLLATE "C" NOT NULL,
    actor_user_id    TEXT COLLATE "C",
    actor            TEXT COLLATE "C" NOT NULL,
    action           TEXT COLLATE "C" NOT NULL,
    target           TEXT COLLATE "C" NOT NULL,
    detail           TEXT COLLATE "C" NOT NULL,
    ip               TEXT COLLATE "C" NOT NULL,
    user_agent       TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_events_by_organisation ON audit_events (organisation_id, at);

CREATE TABLE mfa_recovery_codes (
    user_id          TEXT COLLATE "C" NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL,
    code_digest      TEXT COLLATE "C" NOT NULL,
    used_at          TEXT COLLATE "C",
    PRIMARY KEY (user_id, code_digest),
    FOREIGN KEY (user_id, organisation_id) REFERENCES users (id, organisation_id)
);

CREATE TABLE password_resets (
    token_digest     TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    user_id          TEXT COLLATE "C" NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL,
    created_by       TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    expires_at       TEXT COLLATE "C" NOT NULL,
    used_at          TEXT COLLATE "C",
    FOREIGN KEY (user_id, organisation_id) REFERENCES users (id, organisation_id),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX password_resets_by_user ON password_resets (user_id, organisation_id);

CREATE TABLE outbox (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    recipient        TEXT COLLATE "C" NOT NULL,
    subject          TEXT COLLATE "C" NOT NULL,
    body             TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TEXT COLLATE "C" NOT NULL,
    claimed_until    TEXT COLLATE "C",
    delivered_at     TEXT COLLATE "C",
    failed_at        TEXT COLLATE "C",
    last_error       TEXT COLLATE "C",
    reply_to         TEXT COLLATE "C"
);
CREATE INDEX outbox_due ON outbox (next_attempt_at);
CREATE INDEX outbox_by_organisation ON outbox (organisation_id, created_at);

CREATE TABLE recovery_attempts (
    id                  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    company_tenant_id   TEXT COLLATE "C" NOT NULL,
    organisation_id     TEXT COLLATE "C" REFERENCES organisations (id),
    -- Set for a customer's ownership proof through an onboarding link.
    customer_tenant_id  TEXT COLLATE "C",
    at                  TEXT COLLATE "C" NOT NULL,
    outcome             TEXT COLLATE "C" NOT NULL CHECK (outcome IN ('checking', 'accepted', 'rejected', 'unproven')),
    person_name         TEXT COLLATE "C" NOT NULL,
    tenant_id           TEXT COLLATE "C" NOT NULL,
    client_id           TEXT COLLATE "C" NOT NULL,
    object_id           TEXT COLLATE "C" NOT NULL,
    app_created_at      TEXT COLLATE "C",
    initiator_upn       TEXT COLLATE "C",
    initiator_id        TEXT COLLATE "C",
    reasons             TEXT COLLATE "C" NOT NULL DEFAULT '',
    ip                  TEXT COLLATE "C",
    FOREIGN KEY (customer_tenant_id, organisation_id) REFERENCES customer_tenants (id, organisation_id)
);
CREATE INDEX recovery_attempts_by_company ON recovery_attempts (company_tenant_id, customer_tenant_id, at);
CREATE INDEX recovery_attempts_by_organisation ON recovery_attempts (organisation_id, at);

CREATE TABLE alert_states (
    registration_id  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL,
    seen_check_id    TEXT COLLATE "C",
    told             TEXT COLLATE "C",
    expiry_step      BIGINT,
    extras           TEXT COLLATE "C",
    changes          TEXT COLLATE "C" NOT NULL DEFAULT '',
    summarised       BOOLEAN NOT NULL DEFAULT FALSE,
    silenced         BOOLEAN NOT NULL DEFAULT FALSE,
    recheck_at       TEXT COLLATE "C",
    version          BIGINT NOT NULL DEFAULT 0,
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id)
);
CREATE INDEX alert_states_recheck ON alert_states (recheck_at);

CREATE TABLE alert_mass_failures (
    organisation_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    cause            TEXT COLLATE "C" NOT NULL,
    since            TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (organisation_id, cause)
);

CREATE TABLE alert_channels (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    kind             TEXT COLLATE "C" NOT NULL CHECK (kind IN ('webhook', 'teams', 'slack', 'email', 'graph')),
    name             TEXT COLLATE "C" NOT NULL,
    host             TEXT COLLATE "C" NOT NULL,
    secret_sealed    TEXT COLLATE "C" NOT NULL,
    created_by       TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    removed_at       TEXT COLLATE "C",
    rules            TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    next_digest_at   TEXT COLLATE "C",
    UNIQUE (id, organisation_id),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX alert_channels_of_organisation ON alert_channels (organisation_id, created_at);

CREATE TABLE alert_deliveries (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL,
    channel_id       TEXT COLLATE "C" NOT NULL,
    event            TEXT COLLATE "C" NOT NULL,
    body             TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TEXT COLLATE "C" NOT NULL,
    claimed_until    TEXT COLLATE "C",
    delivered_at     TEXT COLLATE "C",
    failed_at        TEXT COLLATE "C",
    last_answer      TEXT COLLATE "C",
    FOREIGN KEY (channel_id, organisation_id) REFERENCES alert_channels (id, organisation_id)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at);
CREATE INDEX alert_deliveries_of_channel ON alert_deliveries (channel_id, created_at);

CREATE TABLE alert_digest_items (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL,
    channel_id       TEXT COLLATE "C" NOT NULL,
    event            TEXT COLLATE "C" NOT NULL,
    message          TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    FOREIGN KEY (channel_id, organisation_id) REFERENCES alert_channels (id, organisation_id)
);
CREATE INDEX alert_digest_items_of_channel ON alert_digest_items (channel_id, created_at);

CREATE TABLE alert_audit_queue (
    audit_event_id   TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    at               TEXT COLLATE "C" NOT NULL
);

CREATE TABLE api_tokens (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    organisation_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    name             TEXT COLLATE "C" NOT NULL,
    scopes           TEXT COLLATE "C" NOT NULL,
    token_digest     TEXT COLLATE "C" NOT NULL,
    created_by       TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    expires_at       TEXT COLLATE "C",
    last_used_at     TEXT COLLATE "C",
    last_used_ip     TEXT COLLATE "C",
    revoked_at       TEXT COLLATE "C",
    revoked_by       TEXT COLLATE "C",
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id),
    FOREIGN KEY (revoked_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX api_tokens_of_organisation ON api_tokens (organisation_id, created_at);

CREATE TABLE api_idempotency (
    token_id         TEXT COLLATE "C" NOT NULL REFERENCES api_tokens (id),
    idempotency_key  TEXT COLLATE "C" NOT NULL,
    request_digest   TEXT COLLATE "C" NOT NULL,
    status           BIGINT,
    location         TEXT COLLATE "C",
    body             TEXT COLLATE "C",
    created_at       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (token_id, idempotency_key)
);
CREATE INDEX api_idempotency_by_age ON api_idempotency (created_at);

-- The audit trail cannot be changed or deleted, not even through the
-- database.
CREATE FUNCTION audit_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are never %', CASE TG_OP WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END;
END
$$;
CREATE TRIGGER audit_events_are_never_changed BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_are_append_only();
CREATE TRIGGER audit_events_are_never_deleted BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_are_append_only();
CREATE TRIGGER audit_events_are_never_truncated BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_are_append_only();

-- The events alerts are sent for wait in a queue the alerts pass reads.
CREATE FUNCTION audit_events_alerted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.action IN ('sign_in.locked', 'recovery.accepted', 'recovery.refused', 'recovery.locked',
                      'tenant.ownership_verified', 'registration.renewed_by_customer') THEN
        INSERT INTO alert_audit_queue (audit_event_id, organisation_id, at)
        VALUES (NEW.id, NEW.organisation_id, NEW.at);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_events_alerted AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_alerted();

-- The dashboard's versions: the organisation's moves on every change a
-- dashboard shows, and its layout on every change of which registrations
-- and tenants there are, so a kept reading knows what to read again.
CREATE FUNCTION dashboard_layout_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    organisation TEXT COLLATE "C";
BEGIN
    IF TG_OP = 'DELETE' THEN
        organisation := OLD.organisation_id;
    ELSE
        organisation := NEW.organisation_id;
    END IF;
    UPDATE organisations
       SET dashboard_version = dashboard_version + 1, dashboard_layout = dashboard_layout + 1
     WHERE id = organisation;
    RETURN NULL;
END
$$;

-- A changed registration is stamped with the version its change made,
-- before it is written.
CREATE FUNCTION dashboard_registration_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1
     WHERE id = NEW.organisation_id
     RETURNING dashboard_version INTO NEW.dashboard_version;
    RETURN NEW;
END
$$;

CREATE FUNCTION dashboard_acknowledgement_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    organisation TEXT COLLATE "C";
    version BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        organisation := OLD.organisation_id;
    ELSE
        organisation := NEW.organisation_id;
    END IF;
    UPDATE organisations SET dashboard_version = dashboard_version + 1
     WHERE id = organisation
     RETURNING dashboard_version INTO version;
    IF TG_OP <> 'INSERT' THEN
        UPDATE registrations SET dashboard_version = version WHERE id = OLD.registration_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE registrations SET dashboard_version = version WHERE id = NEW.registration_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER dashboard_sees_new_registrations AFTER INSERT ON registrations
    FOR EACH ROW EXECUTE FUNCTION dashboard_layout_changed();
CREATE TRIGGER dashboard_sees_moved_registrations
    AFTER UPDATE OF archived_at, customer_tenant_id ON registrations
    FOR EACH ROW EXECUTE FUNCTION dashboard_layout_changed();
CREATE TRIGGER dashboard_sees_changed_registrations
    BEFORE UPDATE OF profiles, client_id, credential_kind, credential_expires_at,
        latest_check_id, last_completed_check_id, last_checked_at, unchecked_since, status_since
    ON registrations
    FOR EACH ROW EXECUTE FUNCTION dashboard_registration_changed();
CREATE TRIGGER dashboard_sees_removed_registrations AFTER DELETE ON registrations
    FOR EACH ROW EXECUTE FUNCTION dashboard_layout_changed();
CREATE TRIGGER dashboard_sees_new_tenants AFTER INSERT ON customer_tenants
    FOR EACH ROW EXECUTE FUNCTION dashboard_layout_changed();
CREATE TRIGGER dashboard_sees_changed_tenants
    AFTER UPDATE OF display_name, entra_tenant_id, cloud, contact_emails, archived_at ON customer_tenants
    FOR EACH ROW EXECUTE FUNCTION dashboard_layout_changed();
CREATE TRIGGER dashboard_sees_removed_tenants AFTER DELETE ON customer_tenants
    FOR EACH ROW EXECUTE FUNCTION dashboard_layout_changed();
CREATE TRIGGER dashboard_sees_acknowledgements
    AFTER INSERT OR UPDATE OR DELETE ON acknowledgements
    FOR EACH ROW EXECUTE FUNCTION dashboard_acknowledgement_changed();

-- The table tower-sessions' PostgreSQL store reads and writes (its own
-- layout), made here under the migrator's lock so that servers starting
-- together do not race to make it.
CREATE TABLE tower_sessions (
    id           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    data         BYTEA NOT NULL,
    expiry_date  TIMESTAMPTZ NOT NULL
);

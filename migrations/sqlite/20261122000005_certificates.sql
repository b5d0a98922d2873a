-- Certificate credentials. `secret_sealed` now holds the credential's secret
-- material whichever its kind: a client secret's value, or a certificate's
-- private key (PKCS#8 PEM), sealed the same way. The certificate itself is
-- public and kept as base64 DER so it can be downloaded again.

ALTER TABLE registrations ADD COLUMN certificate_der TEXT;

ALTER TABLE onboarding_links RENAME COLUMN secret_expires_at TO credential_expires_at;
ALTER TABLE onboarding_links ADD COLUMN credential_kind TEXT CHECK (credential_kind IN ('secret', 'certificate'));
ALTER TABLE onboarding_links ADD COLUMN certificate_der TEXT;
ALTER TABLE onboarding_links ADD COLUMN certificate_thumbprint TEXT;
ALTER TABLE onboarding_links ADD COLUMN certificate_subject TEXT;
ALTER TABLE onboarding_links ADD COLUMN certificate_generated INTEGER NOT NULL DEFAULT 0;
UPDATE onboarding_links SET credential_kind = 'secret' WHERE secret_sealed IS NOT NULL;

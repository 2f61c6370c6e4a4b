-- Onboarding by invite code: the codes an operator issues (stored hashed,
-- single-use, expiring, revocable), each applicant's guided chat (resumable:
-- its step and answers are here, not in memory), and owners who run more
-- than one business (a user's phone is unique within a business only).
-- Keep in lockstep with ../postgres/0009_onboarding.sql.

CREATE TABLE invite_codes (
    id          BLOB PRIMARY KEY,
    -- sha256 of the normalised code (no dash, upper case), hex.
    code_hash   TEXT NOT NULL,
    -- The code's first four characters, so an operator can tell codes apart.
    hint        TEXT NOT NULL,
    plan        TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'scale')),
    expires_at  TEXT NOT NULL,
    -- Set once, when the business it opened was created.
    used_at     TEXT,
    used_by     BLOB REFERENCES tenants (id) ON DELETE SET NULL,
    revoked_at  TEXT,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX invite_codes_hash_key ON invite_codes (code_hash);
CREATE INDEX invite_codes_created_idx ON invite_codes (created_at);

CREATE TABLE onboarding_sessions (
    id           BLOB PRIMARY KEY,
    -- The applicant's phone (E.164), verified by the chat itself.
    phone        TEXT NOT NULL,
    -- One applicant per code: a second phone with the same code is refused.
    invite_id    BLOB NOT NULL REFERENCES invite_codes (id) ON DELETE CASCADE,
    step         TEXT NOT NULL,
    answers      TEXT NOT NULL DEFAULT '{}',
    -- The business, once created: at most one per session.
    tenant_id    BLOB REFERENCES tenants (id) ON DELETE SET NULL,
    finished_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX onboarding_sessions_invite_key ON onboarding_sessions (invite_id);
CREATE UNIQUE INDEX onboarding_sessions_tenant_key ON onboarding_sessions (tenant_id);
CREATE INDEX onboarding_sessions_phone_idx ON onboarding_sessions (phone, created_at);

-- An owner may run several businesses: a phone is unique per business.
DROP INDEX users_phone_key;
CREATE UNIQUE INDEX users_tenant_phone_key ON users (tenant_id, phone);
CREATE INDEX users_phone_idx ON users (phone);

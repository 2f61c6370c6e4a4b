-- The dashboard's sign-in: a browser session per sign-in (its cookie holds a
-- random token, stored here hashed), ended by logout, by idling past its
-- limit, or at its absolute expiry; and the sign-in links the demo prints
-- (hashed, expiring). Keep in lockstep with ../sqlite/0011_web_sessions.sql.

CREATE TABLE web_sessions (
    id            UUID PRIMARY KEY,
    tenant_id     UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id       UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- sha256 of the cookie's token, hex.
    token_hash    TEXT NOT NULL,
    -- Every form and script request of the session carries this token.
    csrf_token    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    -- Touched at most once a minute; idle expiry counts from here.
    last_seen_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    ended_at      TIMESTAMPTZ
);
CREATE UNIQUE INDEX web_sessions_token_key ON web_sessions (token_hash);
CREATE INDEX web_sessions_tenant_idx ON web_sessions (tenant_id, user_id);

CREATE TABLE login_links (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX login_links_token_key ON login_links (token_hash);
CREATE INDEX login_links_tenant_idx ON login_links (tenant_id, user_id);

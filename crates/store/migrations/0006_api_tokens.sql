-- API tokens (docs/api.md): an organisation's key for `/api/v1/*` without a browser
-- session. The secret is shown once when created; only its SM3 hash is kept, like the
-- session tokens, so a copy of the database hands out no live tokens.
--
-- scope: read (GET only) | write. A token acts with its organisation's jurisdiction.

CREATE TABLE api_tokens (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    created_by BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL,              -- read | write
    token_hash TEXT NOT NULL UNIQUE,  -- SM3 of the secret, hex
    prefix TEXT NOT NULL,             -- first characters of the secret, to tell tokens apart
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by BIGINT REFERENCES users(id),
    last_used_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX api_tokens_org ON api_tokens(org_id);

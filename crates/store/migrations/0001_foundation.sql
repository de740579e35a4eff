-- Foundation: organisations, users and roles, sessions, reference data, clusters.
-- Portable SQL for SQLite and PostgreSQL. `{{ID}}` is the one dialect difference here
-- (an auto-incrementing 64-bit primary key); it is expanded by `migrate.rs`.
-- Timestamps are TEXT in RFC 3339 UTC with microseconds (sortable as text);
-- booleans are BIGINT 0/1; money is TEXT holding an exact decimal of 万元.

CREATE TABLE organisations (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    division_code TEXT,
    authority_code TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id {{ID}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    password_hash TEXT NOT NULL,
    home_province TEXT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE ref_divisions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent TEXT,
    kind TEXT NOT NULL
);

CREATE TABLE ref_holidays (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE ref_industries (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent TEXT
);

CREATE TABLE clusters (
    id {{ID}},
    name TEXT NOT NULL,
    county_code TEXT NOT NULL,
    authority_code TEXT NOT NULL,
    leading_industry TEXT NOT NULL,
    industry_codes TEXT NOT NULL,
    area_km2 TEXT,
    tier TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (county_code, name)
);
CREATE INDEX clusters_authority ON clusters(authority_code);

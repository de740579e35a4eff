-- Recognition workflow (SPEC §4, 第十一条–第十四条) and the audit chain.

CREATE TABLE batches (
    id {{ID}},
    level TEXT NOT NULL,              -- national | provincial
    owner_authority TEXT,             -- provincial batches: the authority running it
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    edition TEXT NOT NULL,            -- criteria edition id, e.g. "2022"
    first_batch BIGINT NOT NULL,
    county_deadline TEXT,             -- date
    province_deadline TEXT,           -- date
    quota_default BIGINT NOT NULL,    -- per province
    quota_small BIGINT NOT NULL,      -- per 计划单列市 / 兵团
    notice_days BIGINT NOT NULL,      -- public notice length in working days
    annual_report_due TEXT NOT NULL,  -- "MM-DD" of year Y+1 (第十六条: 04-30)
    status TEXT NOT NULL,             -- open | closed
    created_at TEXT NOT NULL
);

CREATE TABLE batch_quotas (
    batch_id BIGINT NOT NULL REFERENCES batches(id),
    authority_code TEXT NOT NULL,
    quota BIGINT NOT NULL,
    PRIMARY KEY (batch_id, authority_code)
);

CREATE TABLE applications (
    id {{ID}},
    cluster_id BIGINT NOT NULL REFERENCES clusters(id),
    batch_id BIGINT NOT NULL REFERENCES batches(id),
    authority_code TEXT NOT NULL,
    county_code TEXT NOT NULL,
    state TEXT NOT NULL,
    current_version BIGINT NOT NULL,
    rank BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (cluster_id, batch_id)
);
CREATE INDEX applications_batch_state ON applications(batch_id, state);
CREATE INDEX applications_authority ON applications(authority_code);

-- A declaration version. Frozen on submission and never changed again.
CREATE TABLE application_versions (
    id {{ID}},
    application_id BIGINT NOT NULL REFERENCES applications(id),
    version BIGINT NOT NULL,
    declaration TEXT NOT NULL,
    evaluation TEXT,
    eligible BIGINT,
    evaluated_at TEXT,
    frozen BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (application_id, version)
);

CREATE TABLE attachments (
    id {{ID}},
    owner_type TEXT NOT NULL,         -- application | review | objection | ...
    owner_id BIGINT NOT NULL,
    version BIGINT,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    digest TEXT NOT NULL,             -- SM3 of the content
    storage_key TEXT NOT NULL,
    uploaded_by BIGINT,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments(owner_type, owner_id);

CREATE TABLE transitions (
    id {{ID}},
    application_id BIGINT NOT NULL REFERENCES applications(id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    version BIGINT NOT NULL,
    actor_user_id BIGINT NOT NULL REFERENCES users(id),
    actor_org_id BIGINT NOT NULL REFERENCES organisations(id),
    comment TEXT,
    at TEXT NOT NULL
);
CREATE INDEX transitions_application ON transitions(application_id);

-- Preliminary reviews and spot checks, by province or ministry.
CREATE TABLE reviews (
    id {{ID}},
    application_id BIGINT NOT NULL REFERENCES applications(id),
    kind TEXT NOT NULL,               -- preliminary | field_check | ministry_review | ministry_field_check
    held_on TEXT NOT NULL,            -- date
    people TEXT NOT NULL,
    findings TEXT NOT NULL,
    conclusion TEXT NOT NULL,         -- pass | fail | note
    by_user BIGINT NOT NULL REFERENCES users(id),
    by_org BIGINT NOT NULL REFERENCES organisations(id),
    created_at TEXT NOT NULL
);

CREATE TABLE expert_assignments (
    id {{ID}},
    application_id BIGINT NOT NULL REFERENCES applications(id),
    expert_user_id BIGINT NOT NULL REFERENCES users(id),
    no_conflict_declared_at TEXT,
    recommendation TEXT,              -- recommend | not_recommend
    recommendation_comment TEXT,
    submitted_at TEXT,
    assigned_by BIGINT NOT NULL REFERENCES users(id),
    assigned_at TEXT NOT NULL,
    UNIQUE (application_id, expert_user_id)
);

CREATE TABLE expert_scores (
    assignment_id BIGINT NOT NULL REFERENCES expert_assignments(id),
    criterion_id TEXT NOT NULL,
    score BIGINT NOT NULL,
    comment TEXT NOT NULL,
    scored_at TEXT NOT NULL,
    PRIMARY KEY (assignment_id, criterion_id)
);

CREATE TABLE notices (
    id {{ID}},
    batch_id BIGINT NOT NULL REFERENCES batches(id),
    title TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    working_days BIGINT NOT NULL,
    opened_by BIGINT NOT NULL REFERENCES users(id),
    opened_at TEXT NOT NULL
);

CREATE TABLE objections (
    id {{ID}},
    notice_id BIGINT NOT NULL REFERENCES notices(id),
    application_id BIGINT NOT NULL REFERENCES applications(id),
    objector_name TEXT NOT NULL,
    contact TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL,             -- received | upheld | dismissed
    decision_reason TEXT,
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX objections_application ON objections(application_id);

CREATE TABLE recognitions (
    id {{ID}},
    cluster_id BIGINT NOT NULL REFERENCES clusters(id),
    application_id BIGINT NOT NULL REFERENCES applications(id),
    batch_id BIGINT NOT NULL REFERENCES batches(id),
    level TEXT NOT NULL,              -- national | provincial
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    status TEXT NOT NULL,             -- active | extended | revoked | expired
    created_at TEXT NOT NULL,
    UNIQUE (application_id)
);

CREATE TABLE notifications (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_org ON notifications(org_id, read_at);

-- Append-only, hash-chained audit log (SM3, GB/T 32905). `audit_head` holds the last
-- sequence number and hash; appending updates it in the same transaction, which
-- serialises appenders on both engines.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id BIGINT,
    actor TEXT NOT NULL,
    actor_org TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT,
    comment TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

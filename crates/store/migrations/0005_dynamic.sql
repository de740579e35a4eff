-- Dynamic management after recognition (第四章, 第十五条–第十七条).

-- Re-examination window before valid_until, in months (issue 5: default 6).
ALTER TABLE batches ADD COLUMN reexam_window_months BIGINT NOT NULL DEFAULT 6;

ALTER TABLE recognitions ADD COLUMN revoked_on TEXT;
ALTER TABLE recognitions ADD COLUMN revoked_ground TEXT;
ALTER TABLE recognitions ADD COLUMN extensions BIGINT NOT NULL DEFAULT 0;
CREATE INDEX recognitions_status ON recognitions(status);

-- 年度培育情况 (第十六条): one per recognition and year.
CREATE TABLE annual_reports (
    id {{ID}},
    recognition_id BIGINT NOT NULL REFERENCES recognitions(id),
    year BIGINT NOT NULL,
    status TEXT NOT NULL,             -- draft | submitted | returned | accepted
    content TEXT NOT NULL,            -- the annual report JSON
    due_date TEXT NOT NULL,
    late BIGINT NOT NULL DEFAULT 0,   -- submitted after the due date
    eligible BIGINT,                  -- current edition re-run on the figures
    evaluation TEXT,
    comment TEXT,                     -- the province's comment on return / accept
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT,
    UNIQUE (recognition_id, year)
);

-- 重大变动报备 (第十七条（四）): reported by the county, or discovered by the province.
CREATE TABLE change_reports (
    id {{ID}},
    recognition_id BIGINT NOT NULL REFERENCES recognitions(id),
    kind TEXT NOT NULL,               -- leading_industry | spatial_scope | operator
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    source TEXT NOT NULL,             -- reported | discovered
    description TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    org_code TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX change_reports_recognition ON change_reports(recognition_id);

-- Incidents (第十七条（五）), recorded by provinces and the ministry.
CREATE TABLE incidents (
    id {{ID}},
    recognition_id BIGINT NOT NULL REFERENCES recognitions(id),
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    source TEXT NOT NULL,
    description TEXT NOT NULL,
    serious BIGINT NOT NULL,          -- meets the edition's veto levels
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    org_code TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX incidents_recognition ON incidents(recognition_id);

-- Revocation cases (第十七条): candidate → open → revoked | closed.
CREATE TABLE revocation_cases (
    id {{ID}},
    recognition_id BIGINT NOT NULL REFERENCES recognitions(id),
    ground TEXT NOT NULL,             -- R1 … R5
    ref_key TEXT NOT NULL,            -- what opened it, e.g. report:2024, incident:7
    status TEXT NOT NULL,
    facts TEXT NOT NULL,
    evidence TEXT NOT NULL,
    opened_by TEXT NOT NULL,          -- user name or "system"
    opened_org TEXT NOT NULL,
    province_opinion TEXT,
    province_by BIGINT REFERENCES users(id),
    province_at TEXT,
    decision_reason TEXT,
    decided_by TEXT,
    decided_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (recognition_id, ref_key)
);
CREATE INDEX revocation_cases_status ON revocation_cases(status);

-- 复核 (第十五条).
CREATE TABLE reexaminations (
    id {{ID}},
    recognition_id BIGINT NOT NULL REFERENCES recognitions(id),
    valid_until TEXT NOT NULL,        -- the validity end it re-examines
    status TEXT NOT NULL,             -- draft | submitted | province_checked | passed | failed
    content TEXT NOT NULL,
    eligible BIGINT,
    evaluation TEXT,
    achievement_rate TEXT,
    province_result TEXT,             -- pass | fail
    province_opinion TEXT,
    province_by BIGINT REFERENCES users(id),
    province_at TEXT,
    decision_reason TEXT,
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    UNIQUE (recognition_id, valid_until)
);

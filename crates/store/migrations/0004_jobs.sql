-- The job queue of the scheduler (docs/scheduler.md). Reminders and the daily sweep of
-- dynamic management (第十六条, 第十七条) run from here, exactly once even when several
-- server nodes share one PostgreSQL database.
--
-- status: pending → running → done, or back to pending with a later due_at after a
-- failure, or dead once max_attempts runs have failed (the system administrator sees it
-- on /admin/jobs and may put it back to pending).

CREATE TABLE jobs (
    id {{ID}},
    kind TEXT NOT NULL,               -- notify | sweep | …
    unique_key TEXT NOT NULL UNIQUE,  -- enqueueing the same key twice is a no-op
    payload TEXT NOT NULL,            -- JSON
    due_at TEXT NOT NULL,             -- not run before this instant
    status TEXT NOT NULL DEFAULT 'pending', -- pending | running | done | dead
    attempts BIGINT NOT NULL DEFAULT 0,     -- runs started so far
    max_attempts BIGINT NOT NULL DEFAULT 5,
    lease_owner TEXT,                 -- node id holding the job while running
    lease_until TEXT,                 -- after this another node may take it over
    last_error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    finished_by TEXT                  -- node id that completed it
);
CREATE INDEX jobs_status_due ON jobs(status, due_at);

-- Provincial tiers (issue 8): the cultivation library a province keeps (第七条 "建立集群培育库")
-- and the tier history of every cluster (培育库 → 省级集群 → 国家级集群, 第五条, 第十二条).

-- One row per time a cluster is proposed for a province's library. A cluster has at most
-- one open entry (proposed or in_library) at a time.
CREATE TABLE cultivation_entries (
    id {{ID}},
    cluster_id BIGINT NOT NULL REFERENCES clusters(id),
    authority_code TEXT NOT NULL,          -- the province whose library it is
    proposed_by BIGINT NOT NULL REFERENCES organisations(id),
    proposed_by_user BIGINT NOT NULL REFERENCES users(id),
    reasons TEXT NOT NULL,
    status TEXT NOT NULL,                  -- proposed | in_library | promoted | withdrawn
    proposed_on TEXT NOT NULL,
    entered_on TEXT,                       -- accepted into the library
    left_on TEXT,                          -- promoted or withdrawn
    leave_reason TEXT,
    decision_no TEXT,                      -- provincial recognition document number
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cultivation_entries_authority ON cultivation_entries(authority_code, status);
CREATE INDEX cultivation_entries_cluster ON cultivation_entries(cluster_id);
CREATE UNIQUE INDEX cultivation_entries_open ON cultivation_entries(cluster_id)
    WHERE status IN ('proposed', 'in_library');

-- Every change of a cluster's tier, with the decision behind it. National recognitions are
-- read from `recognitions` when the history is built and are not copied here.
CREATE TABLE tier_events (
    id {{ID}},
    cluster_id BIGINT NOT NULL REFERENCES clusters(id),
    entry_id BIGINT REFERENCES cultivation_entries(id),
    from_tier TEXT NOT NULL,
    to_tier TEXT NOT NULL,
    on_date TEXT NOT NULL,
    decision TEXT NOT NULL,
    actor_user_id BIGINT REFERENCES users(id),
    actor TEXT NOT NULL,
    actor_org TEXT NOT NULL,
    source TEXT NOT NULL,                  -- library_proposal | library_entry | provincial_recognition | withdrawal | …
    created_at TEXT NOT NULL
);
CREATE INDEX tier_events_cluster ON tier_events(cluster_id, on_date);

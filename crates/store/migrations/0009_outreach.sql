-- Policy outreach register (issue 8; 认定标准 八: "促进中小企业发展政策宣贯实现集群全覆盖，
-- 确保惠企政策受益主体不漏户、不漏人"). Provinces and counties record the support policies
-- they issue and, per roster enterprise (by USCC), which policy reached it, how and when.
-- C8.policy is computed from these rows.

CREATE TABLE outreach_policies (
    id {{ID}},
    title TEXT NOT NULL,
    issuer TEXT NOT NULL,                  -- issuing body as printed on the document
    issued_on TEXT NOT NULL,
    level TEXT NOT NULL,                   -- province | county
    authority_code TEXT NOT NULL,          -- the provincial-level authority of its clusters
    county_code TEXT,                      -- the county, for a county policy
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_org TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX outreach_policies_authority ON outreach_policies(authority_code);

-- The clusters a policy covers.
CREATE TABLE outreach_policy_clusters (
    policy_id BIGINT NOT NULL REFERENCES outreach_policies(id),
    cluster_id BIGINT NOT NULL REFERENCES clusters(id),
    PRIMARY KEY (policy_id, cluster_id)
);
CREATE INDEX outreach_policy_clusters_cluster ON outreach_policy_clusters(cluster_id);

-- One enterprise reached by one policy (first record wins; later ones are refused).
CREATE TABLE outreach_reaches (
    id {{ID}},
    policy_id BIGINT NOT NULL REFERENCES outreach_policies(id),
    cluster_id BIGINT NOT NULL REFERENCES clusters(id),
    uscc TEXT NOT NULL,                    -- upper case, as in the roster
    method TEXT NOT NULL,                  -- 走访 | 座谈 | 线上推送 | 培训会 | 电话 | 其他
    reached_on TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (policy_id, cluster_id, uscc)
);
CREATE INDEX outreach_reaches_cluster ON outreach_reaches(cluster_id, uscc);

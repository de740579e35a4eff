-- Provincial batches (issue 8): a province opens its own batch for provincial clusters
-- (第五条 "培育一批省级集群") with a provincial criteria edition; `level` and
-- `owner_authority` exist since 0002. A provincial batch may have the optional 设区市
-- recommendation step: county applications go to their city first, which recommends at most
-- `city_cap` of them to the province.
ALTER TABLE batches ADD COLUMN city_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN city_cap BIGINT NOT NULL DEFAULT 3;
CREATE INDEX batches_owner ON batches(owner_authority);

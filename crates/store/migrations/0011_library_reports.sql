-- Library figures over time (issue 8 item 1): a county files, for a cluster in its province's
-- cultivation library (第七条 "建立集群培育库"), yearly figures in the annual-report format
-- (第十六条), one document per (entry, year), and the province tracks them. The indicator
-- values of each document are computed by the same code as the annual reports'
-- (monitoring::document_values) and kept in a table parallel to indicator_values, keyed by
-- the library entry instead of a recognition. See docs/provincial-tiers.md.
CREATE TABLE library_reports (
    id {{ID}},
    entry_id BIGINT NOT NULL REFERENCES cultivation_entries(id),
    year BIGINT NOT NULL,
    content TEXT NOT NULL,                 -- the annual-report JSON as filed
    filed_by_user BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX library_reports_entry_year ON library_reports(entry_id, year);

CREATE TABLE library_indicator_values (
    entry_id BIGINT NOT NULL REFERENCES cultivation_entries(id),
    year_filed BIGINT NOT NULL,            -- the report year of the document
    metric TEXT NOT NULL,                  -- as indicator_values.metric
    year BIGINT NOT NULL,                  -- the figure's year; 0 for a whole-document value
    value DOUBLE PRECISION NOT NULL,       -- in the display unit (per cent for shares and growth)
    PRIMARY KEY (entry_id, year_filed, metric, year)
);

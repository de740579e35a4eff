-- Computed indicator values (issue 7, the 1 s / 10 s budgets): each figure document of a
-- recognition (the frozen declaration of its application, and every filed annual report,
-- 第十六条) is read by the criteria engine once, when it is frozen or filed, and its numbers
-- are kept here, so the dashboards and the assessment report aggregate this table in SQL
-- instead of parsing every document on every render. See docs/monitoring.md.
CREATE TABLE indicator_values (
    recognition_id BIGINT NOT NULL REFERENCES recognitions(id),
    source TEXT NOT NULL,                  -- declaration | annual_report
    doc_rank BIGINT NOT NULL,              -- 0 for the declaration, the report year for a report
    metric TEXT NOT NULL,                  -- an indicator key, or a per-year figure (y.*, iip.*), or the document marker
    year BIGINT NOT NULL,                  -- the figure's year; 0 for a whole-document value
    value DOUBLE PRECISION NOT NULL,       -- in the display unit (per cent for shares and growth)
    PRIMARY KEY (recognition_id, doc_rank, metric, year)
);
CREATE INDEX indicator_values_metric ON indicator_values(metric, year, recognition_id, doc_rank);

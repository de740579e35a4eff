-- The trends (docs/monitoring.md) take each recognition's figures of a year from the latest
-- document reporting that year. Choosing it with a correlated MAX(doc_rank) per row cost
-- 1.2–1.9 s per dashboard at 10,000 clusters (docs/performance.md); `current` keeps that
-- choice, set by monitoring::refresh_current in the transaction of every write.
ALTER TABLE indicator_values ADD COLUMN current BIGINT NOT NULL DEFAULT 0;
UPDATE indicator_values SET current = CASE WHEN doc_rank = (
    SELECT MAX(d.doc_rank) FROM indicator_values d
    WHERE d.recognition_id = indicator_values.recognition_id
    AND d.metric = 'year' AND d.year = indicator_values.year) THEN 1 ELSE 0 END
WHERE metric IN ('y.output', 'y.rd', 'y.patents', 'y.co2', 'y.co2_output');
UPDATE indicator_values SET current = CASE WHEN doc_rank = (
    SELECT MAX(d.doc_rank) FROM indicator_values d
    WHERE d.recognition_id = indicator_values.recognition_id
    AND d.metric = 'iip.total' AND d.year = indicator_values.year) THEN 1 ELSE 0 END
WHERE metric IN ('iip.yes', 'iip.total');
CREATE INDEX indicator_values_current ON indicator_values(metric, current, year, recognition_id, value);

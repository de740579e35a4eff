-- The distributions take each recognition's whole-document values (year 0) from its latest
-- readable document; like the trends (0013) that choice is now kept in `current` by
-- monitoring::refresh_current instead of a correlated subquery per row (0.64 s of a
-- national dashboard at 10,000 clusters, docs/performance.md).
UPDATE indicator_values SET current = CASE WHEN doc_rank = (
    SELECT MAX(d.doc_rank) FROM indicator_values d
    WHERE d.recognition_id = indicator_values.recognition_id
    AND d.metric = 'doc' AND d.year = 0 AND d.value = 1) THEN 1 ELSE 0 END
WHERE year = 0 AND metric <> 'doc';
ANALYZE indicator_values;

-- Migration 0013 rewrote every row of indicator_values: refresh the planner's statistics at
-- once rather than waiting for autovacuum (a filtered dashboard took 7.3 s instead of 0.25 s
-- with the stale ones, docs/performance.md).
ANALYZE indicator_values;

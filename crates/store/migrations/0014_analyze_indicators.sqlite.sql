-- SQLite keeps no planner statistics unless ANALYZE is run; jiqun does not rely on them.
SELECT 1;

-- SQLite sets its search ranking here; PostgreSQL ranks in the query (ts_rank_cd). Kept so both
-- backends number their migrations alike.
SELECT 1;

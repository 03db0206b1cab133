-- Rank matches by bm25 with the title weighted 10 to 1, as FTS5's own `rank` column, which
-- FTS5 computes faster than a bm25() call in the query.
INSERT INTO search_documents (search_documents, rank) VALUES ('rank', 'bm25(10.0, 1.0)');

-- Knowledge (7.6): articles with an owner, an audience and a review date, and the votes of the
-- people who read them (one each, which they may change). The vote counts are kept on the
-- article, written in the same transaction as the vote, so a list never counts per row.
CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    keywords TEXT,
    audience TEXT NOT NULL,
    service_id BIGINT REFERENCES services (id),
    owner_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    published_at BIGINT,
    reviewed_on TEXT,
    next_review TEXT,
    helpful_votes BIGINT NOT NULL DEFAULT 0,
    unhelpful_votes BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX articles_updated_idx ON articles (updated_at, id);
CREATE INDEX articles_created_idx ON articles (created_at, id);
CREATE INDEX articles_status_idx ON articles (status, updated_at, id);
CREATE INDEX articles_audience_idx ON articles (audience, status, updated_at, id);
CREATE INDEX articles_owner_idx ON articles (owner_id, updated_at, id);
CREATE INDEX articles_service_idx ON articles (service_id, updated_at, id);

CREATE TABLE article_votes (
    article_id BIGINT NOT NULL REFERENCES articles (id),
    voter_id BIGINT NOT NULL REFERENCES users (id),
    helpful BOOLEAN NOT NULL,
    comment TEXT,
    voted_at BIGINT NOT NULL,
    PRIMARY KEY (article_id, voter_id)
);
CREATE INDEX article_votes_voted_idx ON article_votes (voted_at, article_id);
CREATE INDEX article_votes_article_idx ON article_votes (article_id, voted_at);

-- Articles join the full-text index as kind code 6; the keywords are searched with the text.
-- Who may find which article (customers only those published for them) is decided in the
-- search query from the articles table, so publishing one needs no re-indexing.
INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id)
SELECT (6 << 40) | t.id, t.title, t.body || ' ' || COALESCE(t.keywords, ''), 'article', t.id, NULL FROM articles t;
CREATE TRIGGER articles_search_insert AFTER INSERT ON articles BEGIN
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((6 << 40) | new.id, new.title, new.body || ' ' || COALESCE(new.keywords, ''), 'article', new.id, NULL);
END;
CREATE TRIGGER articles_search_update AFTER UPDATE OF title, body, keywords ON articles
    WHEN old.title IS NOT new.title OR old.body IS NOT new.body OR old.keywords IS NOT new.keywords BEGIN
    DELETE FROM search_documents WHERE rowid = (6 << 40) | old.id;
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((6 << 40) | new.id, new.title, new.body || ' ' || COALESCE(new.keywords, ''), 'article', new.id, NULL);
END;

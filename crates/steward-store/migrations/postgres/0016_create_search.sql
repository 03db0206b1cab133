-- Full-text search over incidents, requests, problems, changes and configuration items, kept in
-- step by triggers so every write path (API, job runner, imports) indexes without extra round
-- trips. One document per record; its id is (kind code << 40) | record id, so a record's document
-- is found by key. Kind codes: 1 incident, 2 request, 3 problem, 4 change, 5 configuration item.
-- Requesters search only their organisation's incidents and requests, filtered in the same query.
-- An update re-indexes only when an indexed column really changed (the store writes every column).
CREATE TABLE search_documents (
    doc_id BIGINT PRIMARY KEY,
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    organisation_id BIGINT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    document tsvector NOT NULL
);
CREATE INDEX search_documents_document_idx ON search_documents USING GIN (document);
CREATE INDEX search_documents_organisation_idx ON search_documents (organisation_id);

INSERT INTO search_documents (doc_id, record_kind, record_id, organisation_id, title, body, document)
SELECT (1::bigint << 40) | t.id, 'incident', t.id, t.organisation_id, t.title, COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, '') || ' ' || COALESCE(t.resolution_notes, ''),
    setweight(to_tsvector('english', t.title), 'A') || setweight(to_tsvector('english', COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, '') || ' ' || COALESCE(t.resolution_notes, '')), 'B')
FROM incidents t;
CREATE FUNCTION incidents_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_documents (doc_id, record_kind, record_id, organisation_id, title, body, document)
    VALUES ((1::bigint << 40) | NEW.id, 'incident', NEW.id, NEW.organisation_id, NEW.title, COALESCE(NEW.description, '') || ' ' || COALESCE(NEW.category, '') || ' ' || COALESCE(NEW.subcategory, '') || ' ' || COALESCE(NEW.resolution_notes, ''),
        setweight(to_tsvector('english', NEW.title), 'A') || setweight(to_tsvector('english', COALESCE(NEW.description, '') || ' ' || COALESCE(NEW.category, '') || ' ' || COALESCE(NEW.subcategory, '') || ' ' || COALESCE(NEW.resolution_notes, '')), 'B'))
    ON CONFLICT (doc_id) DO UPDATE SET organisation_id = excluded.organisation_id, title = excluded.title,
        body = excluded.body, document = excluded.document;
    RETURN NEW;
END
$$;
CREATE TRIGGER incidents_search_insert AFTER INSERT ON incidents
    FOR EACH ROW EXECUTE FUNCTION incidents_search();
CREATE TRIGGER incidents_search_update AFTER UPDATE OF title, description, category, subcategory, resolution_notes, organisation_id ON incidents
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description OR OLD.category IS DISTINCT FROM NEW.category OR OLD.subcategory IS DISTINCT FROM NEW.subcategory OR OLD.resolution_notes IS DISTINCT FROM NEW.resolution_notes OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
    EXECUTE FUNCTION incidents_search();

INSERT INTO search_documents (doc_id, record_kind, record_id, organisation_id, title, body, document)
SELECT (2::bigint << 40) | t.id, 'request', t.id, t.organisation_id, t.title, COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, '') || ' ' || COALESCE(t.fulfilment_notes, ''),
    setweight(to_tsvector('english', t.title), 'A') || setweight(to_tsvector('english', COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, '') || ' ' || COALESCE(t.fulfilment_notes, '')), 'B')
FROM requests t;
CREATE FUNCTION requests_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_documents (doc_id, record_kind, record_id, organisation_id, title, body, document)
    VALUES ((2::bigint << 40) | NEW.id, 'request', NEW.id, NEW.organisation_id, NEW.title, COALESCE(NEW.description, '') || ' ' || COALESCE(NEW.category, '') || ' ' || COALESCE(NEW.subcategory, '') || ' ' || COALESCE(NEW.fulfilment_notes, ''),
        setweight(to_tsvector('english', NEW.title), 'A') || setweight(to_tsvector('english', COALESCE(NEW.description, '') || ' ' || COALESCE(NEW.category, '') || ' ' || COALESCE(NEW.subcategory, '') || ' ' || COALESCE(NEW.fulfilment_notes, '')), 'B'))
    ON CONFLICT (doc_id) DO UPDATE SET organisation_id = excluded.organisation_id, title = excluded.title,
        body = excluded.body, document = excluded.document;
    RETURN NEW;
END
$$;
CREATE TRIGGER requests_search_insert AFTER INSERT ON requests
    FOR EACH ROW EXECUTE FUNCTION requests_search();
CREATE TRIGGER requests_search_update AFTER UPDATE OF title, description, category, subcategory, fulfilment_notes, organisation_id ON requests
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description OR OLD.category IS DISTINCT FROM NEW.category OR OLD.subcategory IS DISTINCT FROM NEW.subcategory OR OLD.fulfilment_notes IS DISTINCT FROM NEW.fulfilment_notes OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
    EXECUTE FUNCTION requests_search();

INSERT INTO search_documents (doc_id, record_kind, record_id, organisation_id, title, body, document)
SELECT (3::bigint << 40) | t.id, 'problem', t.id, NULL, t.title, COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, '') || ' ' || COALESCE(t.root_cause, '') || ' ' || COALESCE(t.workaround, ''),
    setweight(to_tsvector('english', t.title), 'A') || setweight(to_tsvector('english', COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, '') || ' ' || COALESCE(t.root_cause, '') || ' ' || COALESCE(t.workaround, '')), 'B')
FROM problems t;
CREATE FUNCTION problems_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_documents (doc_id, record_kind, record_id, organisation_id, title, body, document)
    VALUES ((3::bigint << 40) | NEW.id, 'problem', NEW.id, NULL, NEW.title, COALESCE(NEW.description, '') || ' ' || COALESCE(NEW.category, '') || ' ' || COALESCE(NEW.subcategory, '') || ' ' || COALESCE(NEW.root_cause, '') || ' ' || COALESCE(NEW.workaround, ''),
        setweight(to_tsvector('english', NEW.title), 'A') || setweight(to_tsvector('english', COALESCE(NEW.description, '') || ' ' || COALESCE(NEW.category, '') || ' ' || COALESCE(NEW.subcategory, '') || ' ' || COALESCE(NEW.root_cause, '') || ' ' || COALESCE(NEW.workaround, '')), 'B'))
    ON CONFLICT (doc_id) DO UPDATE SET organisation_id = excluded.organisation_id, title = excluded.title,
        body = excluded.body, document = excluded.document;
    RETURN NEW;
END
$$;
CREATE TRIGGER problems_search_insert AFTER INSERT ON problems
    FOR EACH ROW EXECUTE FUNCTION problems_search();
CREATE TRIGGER problems_search_update AFTER UPDATE OF title, description, category, subcategory, root_cause, workaround ON problems
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description OR OLD.category IS DISTINCT FROM NEW.category OR OLD.subcategory IS DISTINCT FROM NEW.subcategory OR OLD.root_cause IS DISTINCT FROM NEW.root_cause OR OLD.workaround IS DISTINCT FROM NEW.workaround)
    EXECUTE FUNCTION problems_search();

INSERT INTO search_documents (doc_id, record_kind, record_id, organisation_id, title, body, document)
SELECT (4::bigint << 40) | t.id, 'change', t.id, NULL, t.title, COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, ''),
    setweight(to_tsvector('english', t.title), 'A') || setweight(to_tsvector('english', COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, '')), 'B')
FROM changes t;
CREATE FUNCTION changes_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_documents (doc_id, record_kind, record_id, organisation_id, title, body, document)
    VALUES ((4::bigint << 40) | NEW.id, 'change', NEW.id, NULL, NEW.title, COALESCE(NEW.description, '') || ' ' || COALESCE(NEW.category, '') || ' ' || COALESCE(NEW.subcategory, ''),
        setweight(to_tsvector('english', NEW.title), 'A') || setweight(to_tsvector('english', COALESCE(NEW.description, '') || ' ' || COALESCE(NEW.category, '') || ' ' || COALESCE(NEW.subcategory, '')), 'B'))
    ON CONFLICT (doc_id) DO UPDATE SET organisation_id = excluded.organisation_id, title = excluded.title,
        body = excluded.body, document = excluded.document;
    RETURN NEW;
END
$$;
CREATE TRIGGER changes_search_insert AFTER INSERT ON changes
    FOR EACH ROW EXECUTE FUNCTION changes_search();
CREATE TRIGGER changes_search_update AFTER UPDATE OF title, description, category, subcategory ON changes
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description OR OLD.category IS DISTINCT FROM NEW.category OR OLD.subcategory IS DISTINCT FROM NEW.subcategory)
    EXECUTE FUNCTION changes_search();

INSERT INTO search_documents (doc_id, record_kind, record_id, organisation_id, title, body, document)
SELECT (5::bigint << 40) | t.id, 'configuration_item', t.id, NULL, t.name, COALESCE(t.description, '') || ' ' || COALESCE(t.ci_type, ''),
    setweight(to_tsvector('english', t.name), 'A') || setweight(to_tsvector('english', COALESCE(t.description, '') || ' ' || COALESCE(t.ci_type, '')), 'B')
FROM configuration_items t;
CREATE FUNCTION configuration_items_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_documents (doc_id, record_kind, record_id, organisation_id, title, body, document)
    VALUES ((5::bigint << 40) | NEW.id, 'configuration_item', NEW.id, NULL, NEW.name, COALESCE(NEW.description, '') || ' ' || COALESCE(NEW.ci_type, ''),
        setweight(to_tsvector('english', NEW.name), 'A') || setweight(to_tsvector('english', COALESCE(NEW.description, '') || ' ' || COALESCE(NEW.ci_type, '')), 'B'))
    ON CONFLICT (doc_id) DO UPDATE SET organisation_id = excluded.organisation_id, title = excluded.title,
        body = excluded.body, document = excluded.document;
    RETURN NEW;
END
$$;
CREATE TRIGGER configuration_items_search_insert AFTER INSERT ON configuration_items
    FOR EACH ROW EXECUTE FUNCTION configuration_items_search();
CREATE TRIGGER configuration_items_search_update AFTER UPDATE OF name, description, ci_type ON configuration_items
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.description IS DISTINCT FROM NEW.description OR OLD.ci_type IS DISTINCT FROM NEW.ci_type)
    EXECUTE FUNCTION configuration_items_search();

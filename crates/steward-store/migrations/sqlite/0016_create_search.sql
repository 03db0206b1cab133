-- Full-text search over incidents, requests, problems, changes and configuration items, kept in
-- step by triggers so every write path (API, job runner, imports) indexes without extra round
-- trips. One document per record; its id is (kind code << 40) | record id, so a record's document
-- is found by key. Kind codes: 1 incident, 2 request, 3 problem, 4 change, 5 configuration item.
-- Requesters search only their organisation's incidents and requests, filtered in the same query.
-- An update re-indexes only when an indexed column really changed (the store writes every column).
CREATE VIRTUAL TABLE search_documents USING fts5 (
    title,
    body,
    record_kind UNINDEXED,
    record_id UNINDEXED,
    organisation_id UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id)
SELECT (1 << 40) | t.id, t.title, COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, '') || ' ' || COALESCE(t.resolution_notes, ''), 'incident', t.id, t.organisation_id FROM incidents t;
CREATE TRIGGER incidents_search_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((1 << 40) | new.id, new.title, COALESCE(new.description, '') || ' ' || COALESCE(new.category, '') || ' ' || COALESCE(new.subcategory, '') || ' ' || COALESCE(new.resolution_notes, ''), 'incident', new.id, new.organisation_id);
END;
CREATE TRIGGER incidents_search_update AFTER UPDATE OF title, description, category, subcategory, resolution_notes, organisation_id ON incidents
    WHEN old.title IS NOT new.title OR old.description IS NOT new.description OR old.category IS NOT new.category OR old.subcategory IS NOT new.subcategory OR old.resolution_notes IS NOT new.resolution_notes OR old.organisation_id IS NOT new.organisation_id BEGIN
    DELETE FROM search_documents WHERE rowid = (1 << 40) | old.id;
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((1 << 40) | new.id, new.title, COALESCE(new.description, '') || ' ' || COALESCE(new.category, '') || ' ' || COALESCE(new.subcategory, '') || ' ' || COALESCE(new.resolution_notes, ''), 'incident', new.id, new.organisation_id);
END;

INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id)
SELECT (2 << 40) | t.id, t.title, COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, '') || ' ' || COALESCE(t.fulfilment_notes, ''), 'request', t.id, t.organisation_id FROM requests t;
CREATE TRIGGER requests_search_insert AFTER INSERT ON requests BEGIN
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((2 << 40) | new.id, new.title, COALESCE(new.description, '') || ' ' || COALESCE(new.category, '') || ' ' || COALESCE(new.subcategory, '') || ' ' || COALESCE(new.fulfilment_notes, ''), 'request', new.id, new.organisation_id);
END;
CREATE TRIGGER requests_search_update AFTER UPDATE OF title, description, category, subcategory, fulfilment_notes, organisation_id ON requests
    WHEN old.title IS NOT new.title OR old.description IS NOT new.description OR old.category IS NOT new.category OR old.subcategory IS NOT new.subcategory OR old.fulfilment_notes IS NOT new.fulfilment_notes OR old.organisation_id IS NOT new.organisation_id BEGIN
    DELETE FROM search_documents WHERE rowid = (2 << 40) | old.id;
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((2 << 40) | new.id, new.title, COALESCE(new.description, '') || ' ' || COALESCE(new.category, '') || ' ' || COALESCE(new.subcategory, '') || ' ' || COALESCE(new.fulfilment_notes, ''), 'request', new.id, new.organisation_id);
END;

INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id)
SELECT (3 << 40) | t.id, t.title, COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, '') || ' ' || COALESCE(t.root_cause, '') || ' ' || COALESCE(t.workaround, ''), 'problem', t.id, NULL FROM problems t;
CREATE TRIGGER problems_search_insert AFTER INSERT ON problems BEGIN
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((3 << 40) | new.id, new.title, COALESCE(new.description, '') || ' ' || COALESCE(new.category, '') || ' ' || COALESCE(new.subcategory, '') || ' ' || COALESCE(new.root_cause, '') || ' ' || COALESCE(new.workaround, ''), 'problem', new.id, NULL);
END;
CREATE TRIGGER problems_search_update AFTER UPDATE OF title, description, category, subcategory, root_cause, workaround ON problems
    WHEN old.title IS NOT new.title OR old.description IS NOT new.description OR old.category IS NOT new.category OR old.subcategory IS NOT new.subcategory OR old.root_cause IS NOT new.root_cause OR old.workaround IS NOT new.workaround BEGIN
    DELETE FROM search_documents WHERE rowid = (3 << 40) | old.id;
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((3 << 40) | new.id, new.title, COALESCE(new.description, '') || ' ' || COALESCE(new.category, '') || ' ' || COALESCE(new.subcategory, '') || ' ' || COALESCE(new.root_cause, '') || ' ' || COALESCE(new.workaround, ''), 'problem', new.id, NULL);
END;

INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id)
SELECT (4 << 40) | t.id, t.title, COALESCE(t.description, '') || ' ' || COALESCE(t.category, '') || ' ' || COALESCE(t.subcategory, ''), 'change', t.id, NULL FROM changes t;
CREATE TRIGGER changes_search_insert AFTER INSERT ON changes BEGIN
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((4 << 40) | new.id, new.title, COALESCE(new.description, '') || ' ' || COALESCE(new.category, '') || ' ' || COALESCE(new.subcategory, ''), 'change', new.id, NULL);
END;
CREATE TRIGGER changes_search_update AFTER UPDATE OF title, description, category, subcategory ON changes
    WHEN old.title IS NOT new.title OR old.description IS NOT new.description OR old.category IS NOT new.category OR old.subcategory IS NOT new.subcategory BEGIN
    DELETE FROM search_documents WHERE rowid = (4 << 40) | old.id;
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((4 << 40) | new.id, new.title, COALESCE(new.description, '') || ' ' || COALESCE(new.category, '') || ' ' || COALESCE(new.subcategory, ''), 'change', new.id, NULL);
END;

INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id)
SELECT (5 << 40) | t.id, t.name, COALESCE(t.description, '') || ' ' || COALESCE(t.ci_type, ''), 'configuration_item', t.id, NULL FROM configuration_items t;
CREATE TRIGGER configuration_items_search_insert AFTER INSERT ON configuration_items BEGIN
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((5 << 40) | new.id, new.name, COALESCE(new.description, '') || ' ' || COALESCE(new.ci_type, ''), 'configuration_item', new.id, NULL);
END;
CREATE TRIGGER configuration_items_search_update AFTER UPDATE OF name, description, ci_type ON configuration_items
    WHEN old.name IS NOT new.name OR old.description IS NOT new.description OR old.ci_type IS NOT new.ci_type BEGIN
    DELETE FROM search_documents WHERE rowid = (5 << 40) | old.id;
    INSERT INTO search_documents (rowid, title, body, record_kind, record_id, organisation_id) VALUES ((5 << 40) | new.id, new.name, COALESCE(new.description, '') || ' ' || COALESCE(new.ci_type, ''), 'configuration_item', new.id, NULL);
END;

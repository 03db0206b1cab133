-- The post-implementation review of a change.
ALTER TABLE changes ADD COLUMN review_notes TEXT;

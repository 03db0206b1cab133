-- Change assessment: impact and likelihood (from which risk is assessed), potentially major
-- impact, and the service design and transition plan such a change needs (a JSON document).
ALTER TABLE changes ADD COLUMN impact TEXT;
ALTER TABLE changes ADD COLUMN likelihood TEXT;
ALTER TABLE changes ADD COLUMN major BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE changes ADD COLUMN transition_plan TEXT;

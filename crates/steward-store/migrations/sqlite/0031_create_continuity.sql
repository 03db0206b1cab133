-- Service continuity (8.7.2): each service's plan with its recovery objectives, and the tests
-- that exercise it.
CREATE TABLE continuity_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES services (id),
    title TEXT NOT NULL,
    recovery_time_minutes BIGINT NOT NULL,
    recovery_point_minutes BIGINT NOT NULL,
    invocation_criteria TEXT NOT NULL,
    recovery_steps TEXT NOT NULL,
    return_to_normal TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    status TEXT NOT NULL,
    reviewed_on TEXT,
    -- UTC midnight of `reviewed_on`, to set against the instant a change closed.
    reviewed_at BIGINT,
    next_review TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX continuity_plans_service_idx ON continuity_plans (service_id, updated_at, id);
CREATE INDEX continuity_plans_status_idx ON continuity_plans (status, updated_at, id);
CREATE INDEX continuity_plans_owner_idx ON continuity_plans (owner_id, updated_at, id);
CREATE INDEX continuity_plans_updated_idx ON continuity_plans (updated_at, id);
CREATE INDEX continuity_plans_created_idx ON continuity_plans (created_at, id);

CREATE TABLE continuity_tests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id BIGINT NOT NULL REFERENCES continuity_plans (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    scheduled_on TEXT NOT NULL,
    status TEXT NOT NULL,
    held_on TEXT,
    recovery_minutes BIGINT,
    data_loss_minutes BIGINT,
    recovery_time_objective BIGINT,
    recovery_point_objective BIGINT,
    met_objectives BOOLEAN,
    findings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX continuity_tests_plan_idx ON continuity_tests (plan_id, updated_at, id);
CREATE INDEX continuity_tests_kind_idx ON continuity_tests (kind, updated_at, id);
CREATE INDEX continuity_tests_status_idx ON continuity_tests (status, updated_at, id);
CREATE INDEX continuity_tests_held_idx ON continuity_tests (held_on, plan_id);
CREATE INDEX continuity_tests_scheduled_idx ON continuity_tests (scheduled_on, id);
CREATE INDEX continuity_tests_updated_idx ON continuity_tests (updated_at, id);
CREATE INDEX continuity_tests_created_idx ON continuity_tests (created_at, id);

-- A plan is reviewed after every high-risk change to its service closes.
CREATE INDEX changes_service_closed_idx ON changes (service_id, risk, closed_at);

//! Database errors and how they become domain errors: a named unique constraint is a conflict
//! with a sentence a user understands, anything else unexpected.

use steward_core::Error;

pub type StoreResult<T> = Result<T, DbError>;

/// A driver error on its way to becoming a [`steward_core::Error`].
#[derive(Debug)]
pub struct DbError(pub sqlx::Error);

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        DbError(e)
    }
}

impl From<sqlx::migrate::MigrateError> for DbError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        DbError(sqlx::Error::Migrate(Box::new(e)))
    }
}

/// Unique constraints: PostgreSQL's constraint name, SQLite's `table.column` list, the field, and
/// what to tell the user.
const UNIQUE: &[(&str, &str, &str, &str)] = &[
    (
        "documents_identifier_key",
        "documents.identifier",
        "identifier",
        "a document with this identifier is already in the register",
    ),
    (
        "services_code_key",
        "services.code",
        "code",
        "a service with this code already exists",
    ),
    (
        "users_email_key",
        "users.email",
        "email",
        "a user with this email already exists",
    ),
    (
        "teams_name_key",
        "teams.name",
        "name",
        "a team with this name already exists",
    ),
    (
        "organisations_name_key",
        "organisations.name",
        "name",
        "an organisation with this name already exists",
    ),
    (
        "catalogue_items_service_name_key",
        "catalogue_items.service_id, catalogue_items.name",
        "name",
        "this service already has a catalogue item with this name",
    ),
    (
        "suppliers_name_key",
        "suppliers.name",
        "name",
        "a supplier with this name already exists",
    ),
    (
        "costs_ledger_ref_key",
        "costs.ledger_ref",
        "ledger_ref",
        "a cost with this ledger reference is already recorded",
    ),
    (
        "capacity_readings_pkey",
        "capacity_readings.requirement_id",
        "measured_at",
        "a reading of this requirement at this instant is already recorded",
    ),
    (
        "links_pkey",
        "links.from_kind",
        "to",
        "these records are already linked",
    ),
    (
        "team_members_pkey",
        "team_members.team_id",
        "user",
        "this user is already a member of the team",
    ),
];

impl From<DbError> for Error {
    fn from(DbError(e): DbError) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                let msg = db.message();
                let found = UNIQUE
                    .iter()
                    .find(|(pg, lite, _, _)| db.constraint() == Some(*pg) || msg.contains(lite));
                if let Some((_, _, _field, message)) = found {
                    return Error::Conflict((*message).to_string());
                }
                return Error::Conflict("a record with these values already exists".into());
            }
            if db.is_foreign_key_violation() {
                return Error::Conflict("a referenced record does not exist".into());
            }
        }
        Error::Unexpected(Box::new(e))
    }
}

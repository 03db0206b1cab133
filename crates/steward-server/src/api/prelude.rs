//! What a record's API module needs, including everything [`record_routes!`] expands to.

pub(crate) use axum::Json;
pub(crate) use axum::http::StatusCode;
pub(crate) use steward_core::access::{Operation, authorize};
pub(crate) use steward_core::history::{HistoryAction, HistoryEntry};
pub(crate) use steward_core::record::RecordKind;
pub(crate) use steward_core::service::StatusTransition;
pub(crate) use utoipa_axum::router::OpenApiRouter;
pub(crate) use utoipa_axum::routes;

pub(crate) use super::extract::{ApiJson, ApiPath, ApiQuery};
pub(crate) use super::{
    ListOf, PageQuery, create, history_of, id_from_path, list_all, list_query, modify, read_one, record_routes,
};
pub(crate) use crate::AppState;
pub(crate) use crate::auth::{Changing, Creating, Ctx, May};
pub(crate) use crate::error::{ApiError, ApiResult, ErrorBody};

//! Global search: a reference goes straight to its record; words list the best matches the
//! person may see, through the same search as the API.

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::Error;

use super::{Chrome, UiResult, Viewer, href_of_reference, kind_label, render, see_other};
use crate::api::search::find;
use crate::error::ApiError;

#[derive(Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
}

pub struct Hit {
    pub reference: String,
    pub href: String,
    pub kind: String,
    pub title: String,
    pub snippet: String,
}

#[derive(Template)]
#[template(path = "search/index.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    hits: Vec<Hit>,
    problem: Option<String>,
}

pub async fn search_page(viewer: Viewer, Query(p): Query<SearchParams>) -> UiResult<Response> {
    let q = p.q.trim().to_string();
    let (hits, problem) = if q.is_empty() {
        (vec![], None)
    } else {
        match find(&viewer.ctx, &q, None, 50).await {
            Ok(found) => {
                if let Some(first) = found.first().filter(|h| h.reference.eq_ignore_ascii_case(&q))
                    && let Some(href) = href_of_reference(&first.reference)
                {
                    return Ok(see_other(&href));
                }
                let hits = found
                    .into_iter()
                    .map(|h| Hit {
                        href: href_of_reference(&h.reference).unwrap_or_default(),
                        kind: kind_label(h.kind),
                        reference: h.reference,
                        title: h.title,
                        snippet: h.snippet,
                    })
                    .collect();
                (hits, None)
            }
            Err(ApiError::Domain(Error::Invalid(fields))) => (
                vec![],
                Some(fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join("; ")),
            ),
            Err(e) => return Err(e.into()),
        }
    };
    let page = SearchPage {
        chrome: viewer.chrome("search"),
        q,
        hits,
        problem,
    };
    Ok(render(&page).into_response())
}

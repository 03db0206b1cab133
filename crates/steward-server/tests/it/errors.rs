//! Bad input of every kind gets a 4xx with a JSON error naming what was wrong, never a 500.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::error_code;
use crate::on_each_backend;

#[tokio::test]
async fn malformed_bodies_and_fields_are_refused_with_their_name() {
    on_each_backend!(|s| {
        let url = format!("{}/api/v1/incidents", s.base);
        let raw = |body: Vec<u8>, ctype: &'static str| {
            let c = s
                .client
                .post(&url)
                .bearer_auth(&s.agent)
                .header("content-type", ctype)
                .body(body);
            async move {
                let r = c.send().await.unwrap();
                let st = r.status();
                let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null);
                (st, v)
            }
        };
        let cases: Vec<(Vec<u8>, &str, StatusCode, &str)> = vec![
            (
                b"{\"title\":".to_vec(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "malformed_body",
            ),
            (
                b"".to_vec(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "malformed_body",
            ),
            (
                vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
                "application/json",
                StatusCode::BAD_REQUEST,
                "malformed_body",
            ),
            (
                b"{\"title\":\"a\"} trailing".to_vec(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "malformed_body",
            ),
            (
                b"{\"title\":\"a\"}".to_vec(),
                "text/plain",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (
                format!("{}1{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "malformed_body",
            ),
            (
                format!(
                    "{{\"title\":\"x\",\"description\":{}1{}}}",
                    "[".repeat(5000),
                    "]".repeat(5000)
                )
                .into_bytes(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "malformed_body",
            ),
            (
                b"[\"Mail down\"]".to_vec(),
                "application/json",
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            (
                format!("{{\"title\":\"{}\"}}", "x".repeat(2 * 1024 * 1024)).into_bytes(),
                "application/json",
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
            ),
        ];
        for (body, ctype, status, code) in cases {
            let (st, v) = raw(body, ctype).await;
            assert_eq!((st, error_code(&v)), (status, code), "{v}");
            assert!(v["error"]["request_id"].as_str().unwrap().len() > 8);
        }

        let field_cases = [
            (json!({"title": 5}), "title"),
            (json!({}), "title"),
            (json!({"title": "x", "colour": "red"}), "colour"),
            (json!({"title": "x", "impact": "enormous"}), "impact"),
            (json!({"title": "x", "service": "SVC-x"}), "service"),
            (json!({"title": "x", "service": "SVC-999"}), "service"),
            (json!({"title": "   "}), "title"),
            (json!({"title": "x".repeat(300)}), "title"),
            (json!({"title": "x", "description": "nul \u{0} inside"}), "description"),
            (json!({"title": "x", "category": "a\u{0}"}), "category"),
        ];
        for (body, field) in field_cases {
            let (st, v) = s.post("/api/v1/incidents", &s.agent, body.clone()).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
            assert_eq!(error_code(&v), "invalid");
            let fields: Vec<&str> = v["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap())
                .collect();
            assert_eq!(fields, [field], "{body}: {v}");
        }
        // Nothing of the refused requests was written.
        let (_, v) = s.get("/api/v1/incidents", &s.agent).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 0);
    });
}

#[tokio::test]
async fn bad_queries_references_routes_and_tokens() {
    on_each_backend!(|s| {
        let cases = [
            ("/api/v1/incidents?limit=100000", StatusCode::BAD_REQUEST, "bad_query"),
            ("/api/v1/incidents?limit=0", StatusCode::BAD_REQUEST, "bad_query"),
            ("/api/v1/incidents?limit=ten", StatusCode::BAD_REQUEST, "bad_query"),
            ("/api/v1/incidents?colour=red", StatusCode::BAD_REQUEST, "bad_query"),
            (
                "/api/v1/incidents?status=sleeping",
                StatusCode::BAD_REQUEST,
                "bad_query",
            ),
            ("/api/v1/incidents?sort=title", StatusCode::BAD_REQUEST, "bad_query"),
            (
                "/api/v1/incidents?updated_since=yesterday",
                StatusCode::BAD_REQUEST,
                "bad_query",
            ),
            (
                "/api/v1/incidents?cursor=%%%",
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            (
                "/api/v1/incidents?cursor=bm90LWEtY3Vyc29y",
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            ("/api/v1/incidents/INC-999", StatusCode::NOT_FOUND, "not_found"),
            ("/api/v1/incidents/REQ-1", StatusCode::NOT_FOUND, "not_found"),
            ("/api/v1/incidents/garbage", StatusCode::NOT_FOUND, "not_found"),
            (
                "/api/v1/incidents/INC-99999999999999999999999",
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            ("/api/v1/nothing-here", StatusCode::NOT_FOUND, "not_found"),
            // A path that is not text, or a number that is not one, in the usual error body.
            ("/api/v1/incidents/%ff%fe", StatusCode::BAD_REQUEST, "bad_path"),
            (
                "/api/v1/incidents/INC-1%ff/history",
                StatusCode::BAD_REQUEST,
                "bad_path",
            ),
            (
                "/api/v1/incidents/INC-1/history?limit=9999",
                StatusCode::BAD_REQUEST,
                "bad_query",
            ),
        ];
        for (path, status, code) in cases {
            let (st, v) = s.get(path, &s.agent).await;
            assert_eq!((st, error_code(&v)), (status, code), "{path}: {v}");
        }
        for token in [None, Some("stw_wrong"), Some("")] {
            let (st, v) = s.call(reqwest::Method::GET, "/api/v1/incidents", token, None).await;
            assert_eq!(st, StatusCode::UNAUTHORIZED, "{token:?}");
            assert_eq!(error_code(&v), "unauthenticated");
        }
        let r = s
            .client
            .get(format!("{}/api/v1/incidents", s.base))
            .header("authorization", "Basic abc")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        let (st, v) = s
            .call(reqwest::Method::DELETE, "/api/v1/incidents", Some(&s.agent), None)
            .await;
        assert_eq!(
            (st, error_code(&v)),
            (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
        );
        let (st, v) = s
            .post(
                "/api/v1/incidents/INC-1/transition",
                &s.agent,
                json!({"to": "resolved"}),
            )
            .await;
        assert_eq!((st, error_code(&v)), (StatusCode::NOT_FOUND, "not_found"));
    });
}

//! Knowledge (7.6) over HTTP: articles written by the service desk, found and voted on by
//! customers only when published for them, reviewed and retired, on each backend.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::error_code;
use crate::on_each_backend;

#[tokio::test]
async fn customers_find_read_and_vote_only_on_articles_published_for_them() {
    on_each_backend!(|s| {
        let review = (Utc::now().date_naive() + Duration::days(120)).to_string();
        let write = |title: &'static str, audience: &'static str| {
            let s = &s;
            let review = review.clone();
            async move {
                s.create(
                    "/api/v1/articles",
                    &s.agent,
                    json!({"title": title, "body": "Restart the VPN client and sign in again.",
                           "keywords": "remote access", "audience": audience, "next_review": review}),
                )
                .await
            }
        };
        let public = write("VPN drops at home", "customers").await;
        let internal = write("VPN concentrator failover", "agents").await;
        let draft = write("VPN on a new laptop", "customers").await;

        // Publishing needs a review date; the API names the field.
        let (st, v) = s
            .patch(
                &format!("/api/v1/articles/{public}"),
                &s.agent,
                json!({"next_review": null}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "a draft may lose its date: {v}");
        let (st, v) = s
            .post(
                &format!("/api/v1/articles/{public}/transition"),
                &s.agent,
                json!({"to": "published"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("next_review"), "{v}");
        s.patch(
            &format!("/api/v1/articles/{public}"),
            &s.agent,
            json!({"next_review": review}),
        )
        .await;
        for a in [&public, &internal] {
            let (st, v) = s
                .post(
                    &format!("/api/v1/articles/{a}/transition"),
                    &s.agent,
                    json!({"to": "published"}),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
            assert_eq!(v["status"], "published");
        }

        // A customer reads, lists and finds only the article published for customers.
        let (st, _) = s.get(&format!("/api/v1/articles/{public}"), &s.requester_a).await;
        assert_eq!(st, StatusCode::OK);
        for hidden in [&internal, &draft] {
            let (st, _) = s.get(&format!("/api/v1/articles/{hidden}"), &s.requester_a).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{hidden}");
            let (_, v) = s.get(&format!("/api/v1/search?q={hidden}"), &s.requester_a).await;
            assert_eq!(v["items"].as_array().unwrap().len(), 0, "{v}");
        }
        let (_, v) = s.get("/api/v1/articles?status=draft", &s.requester_a).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 0, "{v}");
        let (_, v) = s.get("/api/v1/articles", &s.requester_a).await;
        let ids: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [public.as_str()]);
        let (_, v) = s.get("/api/v1/search?q=vpn", &s.requester_a).await;
        let found: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["reference"].as_str().unwrap())
            .collect();
        assert_eq!(found, [public.as_str()], "{v}");
        let (_, v) = s.get("/api/v1/search?q=remote&kind=article", &s.agent).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 3, "staff find every article: {v}");
        let (st, _) = s
            .patch(
                &format!("/api/v1/articles/{public}"),
                &s.requester_a,
                json!({"title": "Mine"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // One vote a reader; the auditor only looks; a draft is not voted on.
        let votes = format!("/api/v1/articles/{public}/votes");
        let (st, v) = s
            .post(
                &votes,
                &s.requester_a,
                json!({"helpful": false, "comment": "Which client?"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(
            (v["helpful_votes"].as_u64(), v["unhelpful_votes"].as_u64()),
            (Some(0), Some(1))
        );
        let (_, v) = s.post(&votes, &s.requester_a, json!({"helpful": true})).await;
        assert_eq!(
            (v["helpful_votes"].as_u64(), v["unhelpful_votes"].as_u64()),
            (Some(1), Some(0))
        );
        let (st, v) = s.post(&votes, &s.auditor, json!({"helpful": true})).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
        let (st, v) = s.post(&votes, &s.agent, json!({"helpful": "yes"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v) = s
            .post(
                &format!("/api/v1/articles/{draft}/votes"),
                &s.agent,
                json!({"helpful": true}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        assert_eq!(error_code(&v), "conflict", "{v}");
        let (st, _) = s.get(&votes, &s.requester_a).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "customers do not read the others' votes");
        let (_, v) = s.get(&votes, &s.manager).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v["items"][0]["helpful"], true);

        // A review moves the next one forward and is in the history; retiring hides it.
        let (st, v) = s
            .post(
                &format!("/api/v1/articles/{public}/review"),
                &s.agent,
                json!({"next_review": (Utc::now().date_naive() + Duration::days(3000)).to_string()}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v) = s
            .post(
                &format!("/api/v1/articles/{public}/review"),
                &s.agent,
                json!({"next_review": (Utc::now().date_naive() + Duration::days(300)).to_string()}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (_, h) = s.get(&format!("/api/v1/articles/{public}/history"), &s.manager).await;
        assert!(h.to_string().contains("reviewed_on"), "{h}");
        s.post(
            &format!("/api/v1/articles/{public}/transition"),
            &s.agent,
            json!({"to": "retired"}),
        )
        .await;
        let (st, _) = s.get(&format!("/api/v1/articles/{public}"), &s.requester_a).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, v) = s.get("/api/v1/search?q=vpn", &s.requester_a).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 0, "{v}");

        // An article is linked only to a problem that exists.
        let (st, v) = s
            .post("/api/v1/links", &s.agent, json!({"from": internal, "to": "PRB-999999"}))
            .await;
        assert!(st.is_client_error(), "{st} {v}");
    });
}

//! Knowledge (7.6) over HTTP: articles written by the service desk, found and voted on by
//! customers only when published for them, reviewed and retired, on each backend.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::error_code;
use crate::on_each_backend;
use crate::ui::Web;

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

#[tokio::test]
async fn staff_write_publish_and_review_articles_on_the_knowledge_pages() {
    on_each_backend!(|s| {
        let review = (Utc::now().date_naive() + Duration::days(200)).to_string();
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, page) = agent.get("/knowledge").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains(r#"action="/knowledge/articles""#), "{page}");

        // A refused draft comes back with the message by its field and what was typed.
        let (st, _, body) = agent
            .post(
                "/knowledge/articles",
                &[("title", "Printer offline"), ("body", " "), ("audience", "customers")],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("helps no one") && body.contains("Printer offline"),
            "{body}"
        );
        let (st, _, body) = agent
            .post(
                "/knowledge/articles",
                &[("title", "Printer offline"), ("body", "x"), ("next_review", "soon")],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("must be a date"), "{body}");
        let (st, editor, _) = agent
            .post(
                "/knowledge/articles",
                &[
                    ("title", "A printer shows as offline"),
                    (
                        "body",
                        "Switch it off and on.\n\nAdd it again by the name on its label.",
                    ),
                    ("keywords", "printing toner"),
                    ("audience", "customers"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(editor.ends_with("/edit"), "{editor}");
        let base = editor.trim_end_matches("/edit").to_string();
        let reference = base.rsplit('/').next().unwrap().to_string();

        // Publishing without a next review is refused by name; with one it is published.
        let (st, _, body) = agent.post(&format!("{base}/transition"), &[("to", "published")]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("checked again"), "{body}");
        let (st, to, _) = agent
            .post(
                &format!("{base}/edit"),
                &[
                    ("title", "A printer shows as offline"),
                    (
                        "body",
                        "Switch it off and on.\n\nAdd it again by the name on its label.",
                    ),
                    ("keywords", "printing toner"),
                    ("audience", "customers"),
                    ("next_review", &review),
                ],
            )
            .await;
        assert_eq!((st, to.as_str()), (StatusCode::SEE_OTHER, base.as_str()));
        let (st, to, _) = agent.post(&format!("{base}/transition"), &[("to", "published")]).await;
        assert_eq!((st, to.as_str()), (StatusCode::SEE_OTHER, editor.as_str()));
        let (st, page) = agent.get(&editor).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains(r#"id="article-status">published"#), "{page}");
        let (st, _, _) = agent.post(&format!("{base}/transition"), &[("to", "published")]).await;
        assert_eq!(st, StatusCode::CONFLICT, "published already");

        // A review further than two years ahead is said beside the review form.
        let far = (Utc::now().date_naive() + Duration::days(900)).to_string();
        let (st, _, body) = agent.post(&format!("{base}/review"), &[("next_review", &far)]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("within two years of the review"), "{body}");
        assert!(body.contains(&far), "what was typed is kept: {body}");
        let (st, _, _) = agent.post(&format!("{base}/review"), &[("next_review", &review)]).await;
        assert_eq!(st, StatusCode::SEE_OTHER);

        // It is linked from its editor to the problem it explains, once.
        let problem = s
            .create(
                "/api/v1/problems",
                &s.agent,
                json!({"title": "Print server drops jobs"}),
            )
            .await;
        let explains = format!("{base}/problems");
        let (st, _, body) = agent.post(&explains, &[("problem", "CHG-1")]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("must be a problem reference"), "{body}");
        let (st, _, body) = agent.post(&explains, &[("problem", "PRB-999999")]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("PRB-999999 does not exist"), "{body}");
        let (st, to, _) = agent.post(&explains, &[("problem", &problem)]).await;
        assert_eq!((st, to.as_str()), (StatusCode::SEE_OTHER, editor.as_str()));
        let (st, _, body) = agent.post(&explains, &[("problem", &problem)]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("already explains"), "{body}");
        let (_, page) = agent.get(&editor).await;
        assert!(page.contains("Print server drops jobs"), "{page}");

        // The list finds it by its keywords and filters it by state and audience.
        let (_, page) = agent.get("/knowledge?q=toner").await;
        assert!(
            page.contains(&format!("{reference} A printer shows as offline")),
            "{page}"
        );
        let (_, page) = agent.get("/knowledge?status=draft").await;
        assert!(!page.contains("A printer shows as offline"), "{page}");
        let (_, page) = agent.get("/knowledge?status=published&audience=customers").await;
        assert!(page.contains("A printer shows as offline"), "{page}");
        let (st, page) = agent.get("/knowledge?status=lost").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("choose one of the listed values"), "{page}");
        let (_, page) = agent.get(&base).await;
        assert!(
            page.contains(&format!(r#"href="{editor}""#)),
            "the record page links its editor: {page}"
        );

        // An auditor reads the list but neither writes nor opens the editor.
        let auditor = Web::sign_in(s, "auditor@example.com").await;
        let (st, page) = auditor.get("/knowledge").await;
        assert_eq!(st, StatusCode::OK);
        assert!(!page.contains(r#"action="/knowledge/articles""#), "{page}");
        let (st, _) = auditor.get(&editor).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _, _) = auditor.post(&explains, &[("problem", &problem)]).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _, _) = auditor
            .post("/knowledge/articles", &[("title", "x"), ("body", "y")])
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn customers_are_suggested_read_and_vote_on_articles_in_the_portal() {
    on_each_backend!(|s| {
        let review = (Utc::now().date_naive() + Duration::days(120)).to_string();
        let mut made = Vec::new();
        for (title, audience) in [
            ("The VPN keeps disconnecting", "customers"),
            ("VPN concentrator failover", "agents"),
        ] {
            let a = s
                .create(
                    "/api/v1/articles",
                    &s.agent,
                    json!({"title": title, "body": "Update the client.\n\nThen restart the laptop.",
                           "audience": audience, "next_review": review}),
                )
                .await;
            s.post(
                &format!("/api/v1/articles/{a}/transition"),
                &s.agent,
                json!({"to": "published"}),
            )
            .await;
            made.push(a);
        }
        let draft = s
            .create(
                "/api/v1/articles",
                &s.agent,
                json!({"title": "VPN on a new laptop", "body": "Soon.", "audience": "customers"}),
            )
            .await;
        let (public, internal) = (made[0].clone(), made[1].clone());

        let customer = Web::sign_in(s, "ra@acme.example").await;
        // Suggestions as the title is typed: only what is published for customers.
        let (st, fragment) = customer
            .get("/knowledge/suggestions?title=my%20vpn%20drops%20all%20the%20time")
            .await;
        assert_eq!(st, StatusCode::OK);
        assert!(fragment.contains(&format!("/portal/articles/{public}")), "{fragment}");
        assert!(
            !fragment.contains(&internal) && !fragment.contains(&draft) && !fragment.contains("<html"),
            "{fragment}"
        );
        let (_, fragment) = customer.get("/knowledge/suggestions?title=the").await;
        assert!(
            fragment.trim().is_empty(),
            "nothing to go on suggests nothing: {fragment}"
        );
        let long = "a".repeat(300);
        let (st, _) = customer.get(&format!("/knowledge/suggestions?title={long}")).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        // Staff are suggested their own articles too.
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (_, fragment) = agent.get("/knowledge/suggestions?title=vpn").await;
        assert!(
            fragment.contains(&internal) && fragment.contains("staff only") && !fragment.contains(&draft),
            "{fragment}"
        );
        // A refused ticket keeps the suggestions for its title on the page.
        let (st, _, body) = customer
            .post(
                "/portal/raise",
                &[
                    ("kind", "request"),
                    ("title", "VPN drops"),
                    ("catalogue_item", "nonsense"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains(&format!("/portal/articles/{public}")), "{body}");

        // The portal's answers: the list, a search, and the reading page.
        let (st, page) = customer.get("/portal/articles").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("The VPN keeps disconnecting"), "{page}");
        assert!(!page.contains("failover") && !page.contains("new laptop"), "{page}");
        let (_, page) = customer.get("/portal/articles?q=vpn").await;
        assert!(
            page.contains(&format!("/portal/articles/{public}")) && !page.contains("failover"),
            "{page}"
        );
        let (st, page) = customer.get("/portal/articles?q=%20%2C").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("at least one word"), "{page}");
        let (st, page) = customer.get(&format!("/portal/articles/{public}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("Then restart the laptop.") && !page.contains("your-vote"),
            "{page}"
        );
        for hidden in [&internal, &draft] {
            let (st, _) = customer.get(&format!("/portal/articles/{hidden}")).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{hidden}");
        }
        let (st, _) = customer.get("/portal/articles/KB-x").await;
        assert!(st.is_client_error(), "{st}");
        let (st, _) = customer.get(&format!("/articles/{public}")).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "customers read articles in the portal");
        let (st, _) = customer.get("/knowledge").await;
        assert_eq!(st, StatusCode::SEE_OTHER);

        // A vote, then a changed mind: one vote a reader, shown back to them.
        let votes = format!("/portal/articles/{public}/votes");
        let (st, _, body) = customer.post(&votes, &[("comment", "?")]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("say whether the article helped"), "{body}");
        let (st, _, _) = customer
            .post(&votes, &[("helpful", "no"), ("comment", "Which client?")])
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, page) = customer.get(&format!("/portal/articles/{public}")).await;
        assert!(page.contains("You said this did not help"), "{page}");
        let (st, _, _) = customer.post(&votes, &[("helpful", "yes")]).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, page) = customer.get(&format!("/portal/articles/{public}")).await;
        assert!(page.contains("You said this helped"), "{page}");
        let (st, _, _) = customer
            .post(&format!("/portal/articles/{internal}/votes"), &[("helpful", "yes")])
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "no vote on what one may not read");
        let (_, v) = s.get(&format!("/api/v1/articles/{public}"), &s.manager).await;
        assert_eq!(
            (v["helpful_votes"].as_u64(), v["unhelpful_votes"].as_u64()),
            (Some(1), Some(0))
        );

        // Staff see the vote and its comment in the editor.
        let (_, page) = agent.get(&format!("/articles/{public}/edit")).await;
        assert!(page.contains("Helped") && page.contains("What readers said"), "{page}");
    });
}

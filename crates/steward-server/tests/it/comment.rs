//! Comments through the API: public replies and internal work notes on a ticket, who may write
//! and read which, the same shape on every record type, and each comment in the record's
//! history.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_each_backend;

fn bodies(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn replies_reach_the_customer_and_work_notes_stay_inside() {
    on_each_backend!(|s| {
        let inc = s
            .create(
                "/api/v1/incidents",
                &s.requester_a,
                json!({"title": "My laptop will not start"}),
            )
            .await;
        let path = format!("/api/v1/incidents/{inc}/comments");

        // An agent's comment is a work note unless it says public.
        let (st, note) = s
            .post(
                &path,
                &s.agent,
                json!({"body": "Probably the disk; checking the warranty."}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{note}");
        assert_eq!(note["visibility"], "internal");
        assert_eq!(note["record"], json!(inc));
        let (st, reply) = s
            .post(
                &path,
                &s.agent,
                json!({"body": "We are on it; a loan laptop is ready at the desk.", "visibility": "public"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{reply}");
        assert_eq!(reply["visibility"], "public");
        assert!(reply["seq"].as_i64().unwrap() > note["seq"].as_i64().unwrap());

        // The customer answers; theirs is always public, and may not be a work note.
        let (st, answer) = s
            .post(&path, &s.requester_a, json!({"body": "Thanks, collecting it now."}))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{answer}");
        assert_eq!(answer["visibility"], "public");
        assert_eq!(answer["author"], json!(s.requester_a_user));
        let (st, v) = s
            .post(&path, &s.requester_a, json!({"body": "psst", "visibility": "internal"}))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["fields"][0]["field"], "visibility", "{v}");
        let (st, v) = s.post(&path, &s.agent, json!({"body": "   "})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["fields"][0]["field"], "body", "{v}");

        // Staff read everything in order; the customer never the note, here or in the history.
        let (st, all) = s.get(&path, &s.agent).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            bodies(&all),
            [
                "Probably the disk; checking the warranty.",
                "We are on it; a loan laptop is ready at the desk.",
                "Thanks, collecting it now."
            ]
        );
        let (_, audited) = s.get(&path, &s.auditor).await;
        assert_eq!(bodies(&audited).len(), 3);
        let (_, seen) = s.get(&path, &s.requester_a).await;
        assert_eq!(
            bodies(&seen),
            [
                "We are on it; a loan laptop is ready at the desk.",
                "Thanks, collecting it now."
            ]
        );
        let (_, history) = s.get(&format!("/api/v1/incidents/{inc}/history"), &s.requester_a).await;
        assert!(!history.to_string().contains("warranty"), "{history}");
        let (_, history) = s.get(&format!("/api/v1/incidents/{inc}/history"), &s.agent).await;
        let entry = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["seq"] == note["seq"])
            .unwrap();
        assert_eq!(entry["action"], "comment");

        // Pages of one, in order, by cursor.
        let (_, first) = s.get(&format!("{path}?limit=1"), &s.agent).await;
        assert_eq!(bodies(&first).len(), 1);
        let cursor = first["next_cursor"].as_str().unwrap();
        let (_, second) = s.get(&format!("{path}?limit=1&cursor={cursor}"), &s.agent).await;
        assert_eq!(bodies(&second), ["We are on it; a loan laptop is ready at the desk."]);

        // Another organisation's customer is told there is no such incident; the auditor reads
        // but does not write; a reference of another kind is not this kind's.
        let (st, _) = s.get(&path, &s.requester_b).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.post(&path, &s.requester_b, json!({"body": "hello?"})).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.post(&path, &s.auditor, json!({"body": "noted"})).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s.get("/api/v1/incidents/REQ-1/comments", &s.agent).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.get("/api/v1/incidents/INC-999999/comments", &s.agent).await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // The same on a record that is no ticket: a problem takes work notes from its workers,
        // and a customer may not comment on it at all.
        let prb = s
            .create(
                "/api/v1/problems",
                &s.agent,
                json!({"title": "Laptops fail to boot after update"}),
            )
            .await;
        let path = format!("/api/v1/problems/{prb}/comments");
        let (st, v) = s
            .post(&path, &s.agent, json!({"body": "Linked three incidents."}))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (st, _) = s.post(&path, &s.requester_a, json!({"body": "me too"})).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (_, all) = s.get(&path, &s.manager).await;
        assert_eq!(bodies(&all), ["Linked three incidents."]);
    });
}

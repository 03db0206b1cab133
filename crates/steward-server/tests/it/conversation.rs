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

/// Uploads `bytes` as a file; status and JSON.
async fn upload(
    s: &crate::helpers::Server,
    path: &str,
    token: &str,
    content_type: Option<&str>,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = s
        .client
        .post(format!("{}{path}", s.base))
        .bearer_auth(token)
        .body(bytes);
    if let Some(t) = content_type {
        req = req.header("content-type", t);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn files_are_checked_kept_whole_and_shown_only_to_whom_may_see_them() {
    on_each_backend!(|s| {
        let inc = s
            .create(
                "/api/v1/incidents",
                &s.requester_a,
                json!({"title": "Printer shows an error code"}),
            )
            .await;
        let files = format!("/api/v1/incidents/{inc}/attachments");
        let png = [b"\x89PNG\r\n\x1a\n".to_vec(), vec![7u8; 3 * 1024 * 1024]].concat();

        // The customer's photo of the error: public, its type read from its bytes, over the
        // server's usual 1 MiB body limit and kept in several chunks.
        let (st, photo) = upload(s, &format!("{files}?name=error.png"), &s.requester_a, None, png.clone()).await;
        assert_eq!(st, StatusCode::CREATED, "{photo}");
        assert_eq!(photo["content_type"], "image/png");
        assert_eq!(photo["visibility"], "public");
        assert_eq!(photo["size"], json!(png.len()));
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&png))
        };
        assert_eq!(photo["sha256"], json!(sha));
        // An agent's log: internal unless said otherwise.
        let (st, log) = upload(
            s,
            &format!("{files}?name=spooler.log"),
            &s.agent,
            Some("text/plain"),
            b"10:02 spooler stopped\n".to_vec(),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{log}");
        assert_eq!(log["visibility"], "internal");

        // Bytes that contradict their declared type, nameless, empty, or too large are refused
        // with the field named; nothing is kept.
        let (st, v) = upload(
            s,
            &format!("{files}?name=x.pdf"),
            &s.agent,
            Some("application/pdf"),
            png[..64].to_vec(),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["fields"][0]["field"], "content_type", "{v}");
        let (st, v) = upload(s, &files, &s.agent, None, b"hello".to_vec()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
        let (st, v) = upload(s, &format!("{files}?name=empty.txt"), &s.agent, None, vec![]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["fields"][0]["field"], "body", "{v}");
        let (st, _) = upload(
            s,
            &format!("{files}?name=big.bin"),
            &s.agent,
            None,
            vec![1u8; 10 * 1024 * 1024 + 2],
        )
        .await;
        assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
        let (st, v) = upload(
            s,
            &format!("{files}?name=x.txt&visibility=internal"),
            &s.requester_a,
            None,
            b"psst".to_vec(),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["fields"][0]["field"], "visibility", "{v}");

        // Staff see both; the customer only the photo, in the list and the history.
        let (_, all) = s.get(&files, &s.agent).await;
        assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
        let (_, seen) = s.get(&files, &s.requester_a).await;
        let seen: Vec<&str> = seen
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(seen, ["error.png"]);
        let (_, history) = s.get(&format!("/api/v1/incidents/{inc}/history"), &s.requester_a).await;
        assert!(
            history.to_string().contains("error.png") && !history.to_string().contains("spooler"),
            "{history}"
        );

        // The bytes come back whole, as a download under their own name and type.
        let photo_ref = photo["id"].as_str().unwrap();
        let r = s
            .client
            .get(format!("{}/api/v1/attachments/{photo_ref}", s.base))
            .bearer_auth(&s.requester_a)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(
            r.headers()["content-disposition"],
            "attachment; filename*=UTF-8''error.png"
        );
        assert_eq!(r.bytes().await.unwrap().to_vec(), png);
        // The internal log is not there for the customer, nor anything for another organisation.
        let log_ref = log["id"].as_str().unwrap();
        let (st, _) = s.get(&format!("/api/v1/attachments/{log_ref}"), &s.requester_a).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.get(&format!("/api/v1/attachments/{photo_ref}"), &s.requester_b).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.get(&files, &s.requester_b).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = upload(s, &format!("{files}?name=x.txt"), &s.requester_b, None, b"hi".to_vec()).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = upload(s, &format!("{files}?name=x.txt"), &s.auditor, None, b"hi".to_vec()).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s.get("/api/v1/attachments/ATT-999999", &s.agent).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.get("/api/v1/attachments/not-a-reference", &s.agent).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let r = s
            .client
            .get(format!("{}/api/v1/attachments/{log_ref}", s.base))
            .bearer_auth(&s.auditor)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "text/plain");
        assert_eq!(r.text().await.unwrap(), "10:02 spooler stopped\n");
        // The history chain holds the files' entries and still verifies.
        assert!(s.db.store.verify_history().await.unwrap().faults.is_empty());
    });
}

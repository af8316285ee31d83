//! PATCH with "set to null" (tests/specs/patch.yaml): an optional nullable
//! property of a request body is `None` (absent: leave it), `Some(None)`
//! (`null`: clear it) or `Some(Some(value))`, on the wire and in both the
//! generated client and server.

use std::sync::Mutex;

use patch_client::types::{NotePatch, Person};
use patch_client::Client;
use patch_server::operations::*;
use patch_server::types::Note;
use patch_server::{router, Api, Context, HandlerError, ServerConfig};
use serde_json::{json, Value};

/// One note, changed by each PATCH as its body says.
struct Notes(Mutex<Note>);

impl Api for Notes {
    async fn update_note(
        &self,
        _: Context<()>,
        request: UpdateNoteRequest,
    ) -> Result<UpdateNoteResponse, HandlerError> {
        let patch = request.body;
        let mut note = self.0.lock().unwrap();
        if let Some(title) = patch.title {
            note.title = title;
        }
        // `Some(None)` clears, `None` leaves the value as it is.
        if let Some(due) = patch.due {
            note.due = due;
        }
        if let Some(assignee) = patch.assignee {
            note.assignee = assignee;
        }
        if let Some(tags) = patch.tags {
            note.tags = tags;
        }
        note.id = request.params.note_id;
        Ok(UpdateNoteResponse::Ok(note.clone()))
    }
}

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let note = Note {
        id: 1,
        title: "draft".into(),
        due: Some("2026-12-24T18:00:00Z".parse().unwrap()),
        assignee: Some(patch_server::types::Person { name: "Ada".into() }),
        tags: Some(vec!["home".into()]),
    };
    tokio::spawn(async move {
        axum::serve(
            listener,
            router(Notes(Mutex::new(note)), ServerConfig::default()),
        )
        .await
        .unwrap()
    });
    base
}

#[test]
fn the_three_states_are_three_different_bodies() {
    let leave = NotePatch {
        title: Some("final".into()),
        due: None,
        assignee: None,
        tags: None,
    };
    assert_eq!(
        serde_json::to_value(&leave).unwrap(),
        json!({"title": "final"})
    );
    let clear = NotePatch {
        due: Some(None),
        assignee: Some(None),
        ..leave.clone()
    };
    assert_eq!(
        serde_json::to_value(&clear).unwrap(),
        json!({"title": "final", "due": null, "assignee": null})
    );
    // And back: absent, null and a value decode apart.
    let decoded: NotePatch = serde_json::from_value(json!({"due": null, "tags": ["a"]})).unwrap();
    assert_eq!(
        (decoded.title, decoded.due, decoded.assignee, decoded.tags),
        (None, Some(None), None, Some(Some(vec!["a".to_string()])))
    );
}

#[tokio::test]
async fn the_server_receives_what_the_client_means() {
    let base = start().await;
    let client = Client::builder().base_url(&base).build().unwrap();

    // Only the title changes: absent properties are left as they are.
    let patch = NotePatch {
        title: Some("final".into()),
        due: None,
        assignee: None,
        tags: None,
    };
    let note = client.update_note(1, &patch).await.unwrap().data;
    assert_eq!(note.title, "final");
    assert!(note.due.is_some() && note.assignee.is_some() && note.tags.is_some());

    // `Some(None)` clears; `Some(Some(..))` sets.
    let patch = NotePatch {
        title: None,
        due: Some(None),
        assignee: Some(Some(Person {
            name: "Grace".into(),
        })),
        tags: Some(None),
    };
    let note = client.update_note(1, &patch).await.unwrap().data;
    assert_eq!(note.due, None);
    assert_eq!(note.tags, None);
    assert_eq!(note.assignee.map(|p| p.name), Some("Grace".into()));
}

#[tokio::test]
async fn null_passes_the_checks_but_a_bad_value_does_not() {
    let base = start().await;
    let send = |body: Value| {
        let base = base.clone();
        async move {
            let response = reqwest::Client::new()
                .patch(format!("{base}/notes/1"))
                .json(&body)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, _) = send(json!({"tags": null, "assignee": null})).await;
    assert_eq!(status, 200);
    let (status, body) =
        send(json!({"tags": ["a", "b", "c", "d"], "assignee": {"name": ""}})).await;
    assert_eq!(status, 400);
    let mut problems: Vec<String> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["field"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    problems.sort();
    assert_eq!(
        problems,
        ["assignee.name min_length", "tags max_items"],
        "{body}"
    );
}

#[tokio::test]
async fn the_path_and_the_body_are_checked_together() {
    let base = start().await;
    let client = reqwest::Client::new();
    let url = |id: &str| format!("{base}/notes/{id}");
    let details = |body: &Value| -> Vec<String> {
        let mut found: Vec<String> = body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d["field"].as_str().unwrap(),
                    d["code"].as_str().unwrap()
                )
            })
            .collect();
        found.sort();
        found
    };

    // One 400 lists the path parameter's problem and the body's.
    let response = client
        .patch(url("seven"))
        .json(&json!({"title": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR", "{body}");
    assert_eq!(
        details(&body),
        ["note_id type", "title min_length"],
        "{body}"
    );

    // A body that is not an object, not JSON, or missing is refused whole.
    for (request, code) in [
        (client.patch(url("1")).json(&json!([1, 2])), "INVALID_JSON"),
        (
            client
                .patch(url("1"))
                .header("content-type", "application/json")
                .body("{"),
            "INVALID_JSON",
        ),
        (client.patch(url("1")), "INVALID_JSON"),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
    }

    // Not JSON at all: 415.
    let response = client
        .patch(url("1"))
        .header("content-type", "text/plain")
        .body("title=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}

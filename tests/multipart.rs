//! Multipart bodies (tests/specs/multipart.yaml): the generated client sends
//! files, text and JSON parts; the generated server reads them into the
//! model, types the text by the schema and checks it as it checks JSON,
//! over a real socket. A third-party client's form (reqwest's) reads the
//! same way.

use multipart_client::types::{Meta, Upload};
use multipart_client::{Client, Error, UploadError};
use multipart_server::operations::*;
use multipart_server::types::Receipt;
use multipart_server::{router, Api, Context, HandlerError, ServerConfig};
use serde_json::Value;

struct Uploads;

impl Api for Uploads {
    async fn upload(
        &self,
        _: Context<()>,
        request: UploadRequest,
    ) -> Result<UploadResponse, HandlerError> {
        let upload = request.body;
        Ok(UploadResponse::Created(Receipt {
            size: upload.file.len() as i64,
            caption: upload.caption,
            copies: upload.copies.unwrap_or(1),
            public: upload.public.unwrap_or(false),
            tags: upload.tags.unwrap_or_default(),
            attachment_sizes: upload
                .attachments
                .unwrap_or_default()
                .iter()
                .map(|a| a.len() as i64)
                .collect(),
            source: upload.meta.map(|m| m.source),
        }))
    }
}

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, router(Uploads, ServerConfig::default()))
            .await
            .unwrap()
    });
    base
}

#[tokio::test]
async fn the_client_sends_files_text_and_json_parts() {
    let base = start().await;
    let client = Client::builder().base_url(&base).build().unwrap();
    let upload = Upload {
        // Bytes a text reading would mangle.
        file: vec![0, 159, 146, 150, 255, 13, 10, 45, 45],
        caption: "a \"quoted\" caption".into(),
        copies: Some(3),
        public: Some(true),
        tags: Some(vec!["a".into(), "b".into()]),
        attachments: Some(vec![vec![1, 2], vec![3, 4, 5]]),
        meta: Some(Meta {
            source: "camera".into(),
            width: Some(640),
        }),
    };
    let receipt = client.upload(&upload).await.unwrap().data;
    assert_eq!(receipt.size, 9);
    assert_eq!(receipt.caption, "a \"quoted\" caption");
    assert_eq!((receipt.copies, receipt.public), (3, true));
    assert_eq!(receipt.tags, ["a", "b"]);
    assert_eq!(receipt.attachment_sizes, [2, 3]);
    assert_eq!(receipt.source.as_deref(), Some("camera"));

    // What the schema forbids comes back as the typed 400.
    let bad = Upload {
        caption: "x".repeat(41),
        copies: Some(0),
        ..upload
    };
    match client.upload(&bad).await {
        Err(Error::Api(api)) => match api.error {
            UploadError::BadRequest(body) => {
                let mut fields: Vec<&str> = body.details.iter().map(|d| d.field.as_str()).collect();
                fields.sort();
                assert_eq!(fields, ["caption", "copies"]);
            }
            other => panic!("expected a 400, got {other:?}"),
        },
        other => panic!("expected a 400, got {other:?}"),
    }
}

#[tokio::test]
async fn another_clients_form_reads_the_same_way() {
    let base = start().await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![7u8; 1000]).file_name("f.bin"),
        )
        .text("caption", "hello")
        .text("copies", "2")
        .text("tags", "one")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(vec![1u8]).file_name("a"),
        )
        .text("meta", r#"{"source": "scanner"}"#);
    let response = reqwest::Client::new()
        .post(format!("{base}/uploads"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["size"], 1000);
    assert_eq!(receipt["copies"], 2);
    assert_eq!(
        receipt["tags"],
        serde_json::json!(["one"]),
        "one text value is a list of one"
    );
    assert_eq!(receipt["attachment_sizes"], serde_json::json!([1]));
    assert_eq!(receipt["source"], "scanner");

    // Every problem at once: a number that is not one and a missing file.
    let form = reqwest::multipart::Form::new()
        .text("caption", "hello")
        .text("copies", "many");
    let response = reqwest::Client::new()
        .post(format!("{base}/uploads"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
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
    assert_eq!(problems, ["copies type", "file required"], "{body}");

    // A JSON part that is not JSON is refused, naming the part.
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![1u8]).file_name("f"),
        )
        .text("caption", "hello")
        .text("meta", "{not json");
    let response = reqwest::Client::new()
        .post(format!("{base}/uploads"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["field"], "meta", "{body}");
    assert_eq!(body["error"]["details"][0]["code"], "multipart");

    // Not multipart at all.
    let response = reqwest::Client::new()
        .post(format!("{base}/uploads"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}

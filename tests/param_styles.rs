//! Every parameter style (tests/specs/param-styles.yaml): the generated
//! client writes each as the spec says, the generated server reads each
//! back, and URLs written by hand in each style read the same.

use std::collections::BTreeMap;

use param_styles_client::{Client, EchoStylesOptions};
use param_styles_server::operations::*;
use param_styles_server::{router, Api, Context, HandlerError, ServerConfig};
use serde_json::{json, Value};

struct Echo;

impl Api for Echo {
    async fn echo_styles(
        &self,
        _: Context<()>,
        request: EchoStylesRequest,
    ) -> Result<EchoStylesResponse, HandlerError> {
        let params = request.params;
        let read = json!({
            "simple": params.simple, "label": params.label, "matrix": params.matrix,
            "tags": params.tags, "ids": params.ids, "words": params.words,
            "names": params.names, "filter": params.filter, "codes": params.x_codes,
            "flavours": params.flavours,
        });
        Ok(EchoStylesResponse::Ok(
            serde_json::from_value(read).expect("an object"),
        ))
    }

    async fn echo_single(
        &self,
        _: Context<()>,
        request: EchoSingleRequest,
    ) -> Result<EchoSingleResponse, HandlerError> {
        Ok(EchoSingleResponse::Ok(request.params.id))
    }
}

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, router(Echo, ServerConfig::default()))
            .await
            .unwrap()
    });
    base
}

fn everything() -> Value {
    json!({
        "simple": [1, 2], "label": ["a b", "c"], "matrix": [3, 4],
        "tags": ["x", "y"], "ids": [5, 6], "words": ["hello", "world"],
        "names": ["p", "q"], "filter": {"status": "open", "kind": "bug"},
        "codes": [7, 8], "flavours": ["salt", "pepper"],
    })
}

#[tokio::test]
async fn the_client_writes_every_style_the_server_reads() {
    let base = start().await;
    let client = Client::builder().base_url(&base).build().unwrap();
    let options = EchoStylesOptions {
        tags: Some(vec!["x".into(), "y".into()]),
        ids: Some(vec![5, 6]),
        words: Some(vec!["hello".into(), "world".into()]),
        names: Some(vec!["p".into(), "q".into()]),
        filter: Some(BTreeMap::from([
            ("status".to_string(), "open".to_string()),
            ("kind".to_string(), "bug".to_string()),
        ])),
        x_codes: Some(vec![7, 8]),
        flavours: Some(vec!["salt".into(), "pepper".into()]),
    };
    let read = client
        .echo_styles(
            &[1, 2],
            &["a b".to_string(), "c".to_string()],
            &[3, 4],
            options,
        )
        .await
        .unwrap()
        .data;
    assert_eq!(serde_json::to_value(read).unwrap(), everything());

    let single = client.echo_single("a;b=c").await.unwrap().data;
    assert_eq!(single, "a;b=c", "a matrix scalar keeps its own punctuation");
}

#[tokio::test]
async fn urls_written_in_each_style_read_the_same() {
    let base = start().await;
    let url = format!(
        "{base}/styles/1,2/.a%20b.c/;matrix=3,4\
         ?tags=x&tags=y&ids=5,6&words=hello%20world&names=p|q\
         &filter[status]=open&filter[kind]=bug"
    );
    let response = reqwest::Client::new()
        .get(url)
        .header("X-Codes", "7, 8")
        .header("Cookie", "flavours=salt,pepper")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let read: Value = response.json().await.unwrap();
    assert_eq!(read, everything());

    // Items are typed by the schema: a word where a number belongs is a 400.
    let response = reqwest::Client::new()
        .get(format!("{base}/styles/1,two/.a/;matrix=3"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["field"], "simple[1]", "{body}");
    assert_eq!(body["error"]["details"][0]["location"], "path");
}

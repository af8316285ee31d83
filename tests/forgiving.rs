//! Forgiving loading (tests/specs/forgiving.yaml): every small mistake of
//! the spec is a located warning and the rest is generated as usual; the
//! generated client and server then work on what is left, over a socket.
//! `--deny-warnings` turns the same warnings into a refusal.

use std::path::{Path, PathBuf};
use std::process::Command;

use forgiving_client::{Client, Error, GetItemError};
use forgiving_server::operations::*;
use forgiving_server::types::Item;
use forgiving_server::{router, Api, Context, Credentials, HandlerError, ServerConfig};
use specforge::{generate, Settings};

fn spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/specs/forgiving.yaml")
}

#[test]
fn each_mistake_is_one_located_warning() {
    let generated = generate(
        &spec(),
        &Settings {
            name: "forgiving".into(),
            example_tests: false,
        },
    )
    .expect("a spec with small mistakes still generates");
    // One pass over the file places every warning.
    let mut warnings = generated.warnings.clone();
    warnings.locate_positions();
    let mut found: Vec<(String, String)> = warnings
        .iter()
        .map(|w| {
            assert!(w.file.is_some(), "unlocated: {}", w.message);
            assert!(w.position.is_some(), "no line and column: {}", w.message);
            (w.pointer.clone().unwrap_or_default(), w.message.clone())
        })
        .collect();
    found.sort();
    let expected = [
        ("#/components/schemas/Item/properties/active/default", "the default value \"true\" is a string; it is read as true"),
        ("#/components/schemas/Item/properties/count/default", "the default value \"many\" is not applied"),
        ("#/components/schemas/Item/properties/name/maxLength", "`maxLength: \"40\"` is not valid here"),
        ("#/components/schemas/Item/properties/size/enum", "enum values that are not of type `string`: 3 is read as \"3\""),
        ("#/components/schemas/Item/required", "`required` names `nothing`, which the object does not have"),
        ("#/paths/~1items~1{item_id}/get", "security scheme `partnerToken` is not declared (or not supported); the requirement that names it is left out, the operation's other requirements still apply"),
        ("#/paths/~1items~1{item_id}/get/parameters/1", "path parameter `ghost` does not appear in the path"),
        ("#/paths/~1items~1{item_id}/get/parameters/2", "this node does not follow the OpenAPI 3.0 schema: unknown variant `body`"),
        ("#/paths/~1items~1{item_id}/get/responses/200/content/application~1json/schema/$ref", "`#/components/responses/ItemResponse` is not a schema component; the schema it holds is used"),
        ("#/paths/~1things~1{thing_id}/get", "`{thing_id}` in the path has no parameter; it is generated as a required string"),
        ("#/paths/~1things~1{thing_id}/get", "security scheme `partnerToken` is not declared (or not supported); the requirement that names it is left out, so the operation is generated as public"),
        ("#/paths/~1things~1{thing_id}/get/operationId", "operationId `getItem` is also the id of `GET /items/{item_id}`; this operation's method is `get_item2`"),
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    // The served document is the mended one: what was left out is gone.
    let served = &generated.output.files["forgiving-server/openapi.json"];
    assert!(!served.contains("\"in\": \"body\""), "{served}");
    assert!(!served.contains("\"maxLength\": \"40\""), "{served}");
    for ((pointer, message), (want_pointer, want_start)) in found.iter().zip(expected) {
        assert_eq!(pointer, want_pointer, "{message}");
        assert!(message.starts_with(want_start), "at {pointer}: {message}");
    }
}

#[test]
fn deny_warnings_refuses_the_same_spec() {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_specforge"))
        .args(["generate", "--deny-warnings", "--color", "never", "--out"])
        .arg(out.path())
        .arg(spec())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    // The twelve warnings as errors, then the summary line.
    assert_eq!(stderr.matches("error: ").count(), 13, "{stderr}");
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

struct Items;

impl Api for Items {
    type Principal = String;

    async fn authenticate(&self, credentials: Credentials) -> Option<String> {
        match credentials {
            Credentials::ApiKey { key, .. } if key == "good" => Some(key),
            _ => None,
        }
    }

    async fn get_item(
        &self,
        _: Context<String>,
        request: GetItemRequest,
    ) -> Result<GetItemResponse, HandlerError> {
        Ok(GetItemResponse::Ok(Item {
            id: request.params.item_id,
            name: "from the response component".into(),
            size: None,
            count: None,
            active: true,
        }))
    }

    async fn get_item2(
        &self,
        _: Context<()>,
        request: GetItem2Request,
    ) -> Result<GetItem2Response, HandlerError> {
        Ok(GetItem2Response::Ok(Item {
            id: 2,
            name: request.params.thing_id,
            size: None,
            count: None,
            active: true,
        }))
    }
}

#[tokio::test]
async fn what_is_left_works_end_to_end() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, router(Items, ServerConfig::default()))
            .await
            .unwrap()
    });

    // The declared scheme still guards the operation.
    let anonymous = Client::builder().base_url(&base).build().unwrap();
    match anonymous.get_item(5).await {
        Err(Error::Api(api)) => assert!(matches!(api.error, GetItemError::Unauthorized(_))),
        other => panic!("expected a 401, got {other:?}"),
    }
    let client = Client::builder()
        .base_url(&base)
        .api_key("good")
        .build()
        .unwrap();
    let item = client.get_item(5).await.unwrap().data;
    assert_eq!(
        (item.id, item.name.as_str()),
        (5, "from the response component")
    );

    // The undeclared path parameter was made a string; the operation is public.
    let thing = anonymous
        .get_item2("a thing/with a slash")
        .await
        .unwrap()
        .data;
    assert_eq!(thing.name, "a thing/with a slash");
}

#[test]
fn a_default_written_as_a_string_is_applied_when_it_reads_exactly() {
    use forgiving_server::types::FromJson;
    let item = Item::from_json(serde_json::json!({"id": 1, "name": "lamp"})).unwrap();
    assert!(item.active, "`default: \"true\"` was not applied");
    let item = Item::from_json(serde_json::json!({"id": 1, "name": "lamp", "active": false}));
    assert!(!item.unwrap().active);
}

//! A client generated for a real-world spec without envelopes (the Swagger
//! petstore, vendored under `tests/specs/corpus/`) against a stand-in
//! server that answers as the real one does: bare JSON bodies, body-less
//! errors, its own API key header.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use petstore_client::types::{Category, FindPetsByStatusStatus, Pet, PetStatus, Tag};
use petstore_client::{
    Client, Error, FindPetsByStatusOptions, FindPetsByTagsOptions, GetPetByIdError,
    LoginUserOptions, RequestOptions, RetryPolicy,
};
use serde_json::{json, Value};

const KEY: &str = "special-key";

/// A bare JSON body, as the petstore answers.
fn json_response(value: Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// Exploded query pairs: `tags=a&tags=b`.
fn query_values(uri: &Uri, name: &str) -> Vec<String> {
    let prefix = format!("{name}=");
    uri.query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.strip_prefix(prefix.as_str()))
        .map(str::to_string)
        .collect()
}

fn doggie(id: i64, status: &str) -> Value {
    json!({
        "id": id,
        "name": "doggie",
        "category": {"id": 1, "name": "Dogs"},
        "photoUrls": ["https://example.com/doggie.png"],
        "tags": [{"id": 7, "name": "good"}],
        "status": status,
    })
}

async fn pet(Path(id): Path<i64>, headers: HeaderMap) -> Response {
    if headers.get("api_key").and_then(|v| v.to_str().ok()) != Some(KEY) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match id {
        404 => (StatusCode::NOT_FOUND, "Pet not found").into_response(),
        500 => (StatusCode::INTERNAL_SERVER_ERROR, "<html>oops</html>").into_response(),
        id => json_response(doggie(id, "available")),
    }
}

async fn by_status(uri: Uri) -> Response {
    let status = query_values(&uri, "status").concat();
    json_response(json!([doggie(1, &status), doggie(2, &status)]))
}

async fn by_tags(uri: Uri) -> Response {
    let tags = query_values(&uri, "tags");
    json_response(json!([{"name": tags.join("+"), "photoUrls": []}]))
}

async fn add(headers: HeaderMap, body: Bytes) -> Response {
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let mut pet: Value = serde_json::from_slice(&body).unwrap();
    pet["id"] = json!(10);
    json_response(pet)
}

async fn start() -> String {
    let app = Router::new()
        .route("/api/v3/pet/{id}", get(pet))
        .route("/api/v3/pet", post(add))
        .route("/api/v3/pet/findByStatus", get(by_status))
        .route("/api/v3/pet/findByTags", get(by_tags))
        .route(
            "/api/v3/store/inventory",
            get(|| async { json_response(json!({"available": 3, "sold": 1})) }),
        )
        .route(
            "/api/v3/user/login",
            get(|| async { json_response(json!("logged in user session: 42")) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .api_key(KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn decodes_bare_bodies() {
    let base = start().await;
    let client = client(&base);
    assert_eq!(
        petstore_client::DEFAULT_BASE_URL,
        "https://petstore3.swagger.io"
    );

    let pet = client.get_pet_by_id(5).await.unwrap().into_data();
    assert_eq!(pet.id, Some(5));
    assert_eq!(pet.name, "doggie");
    assert_eq!(pet.status, Some(PetStatus::Available));
    assert_eq!(
        pet.category,
        Some(Category {
            id: Some(1),
            name: Some("Dogs".into())
        })
    );
    assert_eq!(
        pet.tags,
        Some(vec![Tag {
            id: Some(7),
            name: Some("good".into())
        }])
    );

    let sold = client
        .find_pets_by_status(FindPetsByStatusOptions {
            status: Some(FindPetsByStatusStatus::Sold),
        })
        .await
        .unwrap();
    assert_eq!(sold.len(), 2);
    assert!(sold.iter().all(|p| p.status == Some(PetStatus::Sold)));

    let tagged = client
        .find_pets_by_tags(FindPetsByTagsOptions {
            tags: Some(vec!["a".into(), "b".into()]),
        })
        .await
        .unwrap();
    assert_eq!(tagged[0].name, "a+b");

    let added = client
        .add_pet(&Pet {
            id: None,
            name: "rex".into(),
            category: None,
            photo_urls: vec![],
            tags: None,
            status: Some(PetStatus::Pending),
        })
        .await
        .unwrap();
    assert_eq!(added.id, Some(10));
    assert_eq!(added.status, Some(PetStatus::Pending));

    let inventory = client.get_inventory().await.unwrap();
    assert_eq!(inventory.get("available"), Some(&3));

    let session = client
        .login_user(LoginUserOptions {
            username: Some("theUser".into()),
            password: Some("12345".into()),
        })
        .await
        .unwrap();
    assert_eq!(session.data, "logged in user session: 42");
}

#[tokio::test]
async fn body_less_errors_and_the_default_response_are_typed() {
    let base = start().await;
    let client = client(&base);
    match client.get_pet_by_id(404).await.unwrap_err() {
        Error::Api(api) => {
            assert_eq!(api.error, GetPetByIdError::NotFound);
            assert_eq!(api.meta.status, 404);
        }
        other => panic!("a declared 404, got {other}"),
    }
    // `default` takes any other status, whatever its body.
    let error = client
        .with_options(RequestOptions::default().retry(RetryPolicy::none()))
        .get_pet_by_id(500)
        .await
        .unwrap_err();
    assert!(matches!(error.api_error(), Some(GetPetByIdError::Other)));
    assert_eq!(error.code(), None, "no envelope, no error code");

    // Without credentials the stand-in refuses, with a status the spec does not declare.
    let anonymous = Client::new(&base);
    let error = anonymous.get_pet_by_id(5).await.unwrap_err();
    assert!(matches!(error.api_error(), Some(GetPetByIdError::Other)));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
}

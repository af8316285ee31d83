//! OpenAPI 3.1 (tests/specs/openapi31.yaml): it generates exactly the crates
//! its 3.0 twin (tests/specs/openapi31-as-3.0/) does, the served document
//! keeps the declared version, and the generated client and server agree on
//! the 3.1 keywords over a real socket.

use std::path::{Path, PathBuf};

use openapi31_client::types::{
    Address, Carrier, Parcel, ParcelCreate, ParcelCreateReference, Speed,
};
use openapi31_client::{Client, CreateParcelError, Error, GetParcelError, GetParcelOptions};
use openapi31_server::operations::*;
use openapi31_server::types::ParcelStatus;
use openapi31_server::{router, Api, Context, HandlerError, ServerConfig};
use serde_json::{json, Value};
use specforge::{generate, Settings};

fn spec(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/specs")
        .join(relative)
}

fn settings() -> Settings {
    Settings {
        name: "openapi31".into(),
        example_tests: false,
    }
}

#[test]
fn generates_the_same_crates_as_its_3_0_twin() {
    let v31 = generate(&spec("openapi31.yaml"), &settings()).expect("the 3.1 spec generates");
    let v30 = generate(&spec("openapi31-as-3.0/openapi31.yaml"), &settings())
        .expect("the 3.0 twin generates");
    let served = "openapi31-server/openapi.json";
    let paths = |files: &std::collections::BTreeMap<String, String>| -> Vec<String> {
        files.keys().cloned().collect()
    };
    assert_eq!(paths(&v31.output.files), paths(&v30.output.files));
    for (path, text) in &v31.output.files {
        if path != served {
            assert_eq!(
                text, &v30.output.files[path],
                "{path} differs from the 3.0 twin's"
            );
        }
    }
    // The only warning: a tuple has no 3.0 (nor Rust struct) form of its own.
    let warnings: Vec<_> = v31.warnings.iter().map(|d| d.message.clone()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("prefixItems"), "{warnings:?}");
}

#[test]
fn the_served_document_keeps_the_declared_version() {
    let generated = generate(&spec("openapi31.yaml"), &settings()).unwrap();
    let served: Value =
        serde_json::from_str(&generated.output.files["openapi31-server/openapi.json"]).unwrap();
    assert_eq!(served["openapi"], "3.1.0");
    assert_eq!(
        served["jsonSchemaDialect"],
        "https://spec.openapis.org/oas/3.1/dialect/base"
    );
    assert!(served["webhooks"]["parcelDelivered"].is_object());
    let schemas = &served["components"]["schemas"];
    assert_eq!(
        schemas["Parcel"]["properties"]["eta"]["type"],
        json!(["string", "null"])
    );
    assert!(
        schemas["Parcel"]["$defs"]["Address"].is_object(),
        "3.1 keywords stay as written"
    );
    let mut nullable = Vec::new();
    find_key(&served, "nullable", "#", &mut nullable);
    assert!(
        nullable.is_empty(),
        "3.0's `nullable` in a 3.1 document: {nullable:?}"
    );
}

fn find_key(value: &Value, key: &str, at: &str, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (name, child) in object {
                let here = format!("{at}/{name}");
                if name == key {
                    found.push(here.clone());
                }
                find_key(child, key, &here, found);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_key(item, key, &format!("{at}/{index}"), found);
            }
        }
        _ => {}
    }
}

struct Parcels;

impl Api for Parcels {
    async fn create_parcel(
        &self,
        _: Context<()>,
        request: CreateParcelRequest,
    ) -> Result<CreateParcelResponse, HandlerError> {
        let body = request.body;
        // The label tells the test which shape came in.
        let label = format!(
            "{} {:?} {:?} {:?}",
            body.label, body.carrier, body.reference, body.coordinates
        );
        Ok(CreateParcelResponse::Created(
            openapi31_server::types::Parcel {
                id: 7,
                weight_grams: body.weight_grams,
                label,
                status: ParcelStatus::Registered,
                recipient: body.recipient.flatten(),
                eta: None,
            },
        ))
    }

    async fn get_parcel(
        &self,
        _: Context<()>,
        request: GetParcelRequest,
    ) -> Result<GetParcelResponse, HandlerError> {
        let params = request.params;
        if params.parcel_id == 404 {
            return Ok(GetParcelResponse::NotFound);
        }
        Ok(GetParcelResponse::Ok(openapi31_server::types::Parcel {
            id: params.parcel_id,
            weight_grams: 1,
            label: params.note.unwrap_or_default(),
            status: ParcelStatus::Delivered,
            recipient: None,
            eta: Some("2026-01-02T03:04:05Z".parse().unwrap()),
        }))
    }
}

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router(Parcels, ServerConfig::default()))
            .await
            .unwrap()
    });
    format!("http://{address}")
}

fn parcel() -> ParcelCreate {
    ParcelCreate {
        weight_grams: 1200,
        label: "books".into(),
        speed: Speed::Express,
        carrier: Some(Carrier::Courier),
        kind: None,
        recipient: Some(Some(Address {
            city: "Lyon".into(),
            postcode: None,
        })),
        reference: Some(ParcelCreateReference::Integer(42)),
        signature: None,
        coordinates: Some(vec![45.76, 4.83]),
    }
}

#[tokio::test]
async fn client_and_server_agree_on_the_3_1_keywords() {
    let base = start().await;
    let client = Client::builder().base_url(&base).build().unwrap();

    let created: Parcel = client.create_parcel(&parcel()).await.unwrap().data;
    assert_eq!(
        created.label,
        "books Some(Courier) Some(Integer(42)) Some([45.76, 4.83])"
    );
    assert_eq!(
        created.recipient,
        Some(Address {
            city: "Lyon".into(),
            postcode: None
        }),
        "`oneOf: [$ref, {{type: null}}]` carries the referenced type"
    );

    let text_reference = ParcelCreate {
        reference: Some(ParcelCreateReference::String("R-1".into())),
        recipient: Some(None),
        ..parcel()
    };
    let created = client.create_parcel(&text_reference).await.unwrap().data;
    assert!(
        created.label.contains("String(\"R-1\")"),
        "{}",
        created.label
    );
    assert_eq!(created.recipient, None);

    let fetched = client
        .get_parcel(
            5,
            GetParcelOptions {
                note: Some("fragile".into()),
            },
        )
        .await
        .unwrap()
        .data;
    assert_eq!((fetched.id, fetched.label.as_str()), (5, "fragile"));
    assert_eq!(
        fetched.eta.map(|t| t.to_rfc3339()),
        Some("2026-01-02T03:04:05+00:00".into()),
        "`type: [string, null]` with a format keeps the format"
    );
    match client.get_parcel(404, GetParcelOptions::default()).await {
        Err(Error::Api(api)) => assert_eq!(api.error, GetParcelError::NotFound),
        other => panic!("expected a 404, got {other:?}"),
    }
}

#[tokio::test]
async fn the_server_enforces_the_3_1_bounds() {
    let base = start().await;
    let client = Client::builder().base_url(&base).build().unwrap();

    // `exclusiveMinimum: 0` (3.1's number form) on the path parameter.
    match client.get_parcel(0, GetParcelOptions::default()).await {
        Err(Error::Api(api)) => match api.error {
            GetParcelError::BadRequest(body) => {
                assert_eq!(body.details[0].field, "parcel_id");
                assert_eq!(body.details[0].code, "minimum");
            }
            other => panic!("expected a 400, got {other:?}"),
        },
        other => panic!("expected a 400, got {other:?}"),
    }

    // Both numeric exclusive bounds, and `maxLength` on one branch of a
    // `type: [string, integer]` union, all reported at once.
    let raw = reqwest::Client::new()
        .post(format!("{base}/api/parcels"))
        .json(&json!({
            "weight_grams": 30000, "label": "x", "speed": 1,
            "reference": "much-too-long-a-reference",
            "kind": "letter"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: Value = raw.json().await.unwrap();
    let mut fields: Vec<String> = body["error"]["details"]
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
    fields.sort();
    assert_eq!(
        fields,
        ["kind enum", "reference one_of", "weight_grams maximum"],
        "{body}"
    );

    // The typed client sends what the server refuses, and reads the typed 400.
    let zero = ParcelCreate {
        weight_grams: 0,
        ..parcel()
    };
    match client.create_parcel(&zero).await {
        Err(Error::Api(api)) => match api.error {
            CreateParcelError::BadRequest(body) => {
                assert_eq!(body.details[0].field, "weight_grams");
            }
            other => panic!("expected a 400, got {other:?}"),
        },
        other => panic!("expected a 400, got {other:?}"),
    }
}

//! Form bodies (tests/specs/forms.yaml): the generated client encodes the
//! model as the spec's `encoding` says, the generated server reads any of
//! the ways clients write arrays and objects, types the values by the
//! schema and checks them as it checks JSON, over a real socket.

use std::collections::BTreeMap;

use forms_client::types::{
    ChargeForm, ChargeFormCurrency, LineItem, SendMessageBody,
    SendMessageBodyStatusCallbackEventItem as Event, Shipping,
};
use forms_client::{Client, CreateChargeError, Error};
use forms_server::operations::*;
use forms_server::types::Message;
use forms_server::{router, Api, Context, HandlerError, ServerConfig};
use serde_json::{json, Value};

struct Echo;

impl Api for Echo {
    async fn create_charge(
        &self,
        _: Context<()>,
        request: CreateChargeRequest,
    ) -> Result<CreateChargeResponse, HandlerError> {
        Ok(CreateChargeResponse::Ok(request.body))
    }

    async fn send_message(
        &self,
        _: Context<()>,
        request: SendMessageRequest,
    ) -> Result<SendMessageResponse, HandlerError> {
        let body = request.body.expect("the test always sends a body");
        Ok(SendMessageResponse::Created(Message {
            to: body.to,
            body: body.body,
            events: body
                .status_callback_event
                .unwrap_or_default()
                .iter()
                .map(ToString::to_string)
                .collect(),
            smart_encoded: body.smart_encoded,
        }))
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

fn charge() -> ChargeForm {
    ChargeForm {
        amount: 1250,
        currency: ChargeFormCurrency::Eur,
        capture: Some(false),
        fee_rate: Some(0.029),
        expand: Some(vec!["customer".into(), "invoice".into()]),
        codes: Some(vec![7, 11]),
        metadata: Some(BTreeMap::from([(
            "order_id".to_string(),
            "6735".to_string(),
        )])),
        shipping: Some(Shipping {
            city: "Lyon & Co".into(),
            floor: Some(3),
        }),
        items: Some(vec![
            LineItem {
                price: 500,
                quantity: 2,
            },
            LineItem {
                price: 250,
                quantity: 1,
            },
        ]),
    }
}

#[tokio::test]
async fn the_client_and_server_round_trip_a_nested_form() {
    let base = start().await;
    let client = Client::builder().base_url(&base).build().unwrap();
    let echoed = client.create_charge(&charge()).await.unwrap().data;
    assert_eq!(echoed, charge());

    let message = SendMessageBody {
        to: "+15005550006".into(),
        body: "Hello, world & co".into(),
        status_callback_event: Some(vec![Event::Queued, Event::Delivered]),
        smart_encoded: Some(true),
    };
    let read = client.send_message(Some(&message)).await.unwrap().data;
    assert_eq!(read.events, ["queued", "delivered"]);
    assert_eq!(
        (read.to.as_str(), read.smart_encoded),
        ("+15005550006", Some(true))
    );
}

async fn post_form(base: &str, path: &str, form: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn the_server_reads_every_way_of_writing_arrays() {
    let base = start().await;
    // Indexed brackets (the client sends `expand[]`), commas where the
    // spec says `explode: false`, and nested objects and lists of them.
    let (status, body) = post_form(
        &base,
        "/charges",
        "amount=1250&currency=eur&capture=true&expand[0]=customer&expand[1]=invoice\
         &codes=7,11&metadata[order_id]=6735&shipping[city]=Lyon&items[0][price]=5\
         &items[1][price]=6&items[1][quantity]=4",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({
            "amount": 1250, "currency": "eur", "capture": true,
            "expand": ["customer", "invoice"], "codes": [7, 11],
            "metadata": {"order_id": "6735"}, "shipping": {"city": "Lyon"},
            "items": [{"price": 5, "quantity": 1}, {"price": 6, "quantity": 4}],
        })
    );
    // No `encoding`: arrays repeat their key; one value alone is a list of one.
    let (status, body) = post_form(
        &base,
        "/messages",
        "To=%2B1500&Body=hi&StatusCallbackEvent=sent&StatusCallbackEvent=delivered",
    )
    .await;
    assert_eq!(
        (status, &body["events"]),
        (201, &json!(["sent", "delivered"]))
    );
    let (_, body) = post_form(&base, "/messages", "To=x&Body=hi&StatusCallbackEvent=sent").await;
    assert_eq!(body["events"], json!(["sent"]));
}

#[tokio::test]
async fn a_bad_form_gets_every_problem_in_one_answer() {
    let base = start().await;
    let (status, body) = post_form(
        &base,
        "/charges",
        "amount=ten&currency=gbp&capture=maybe&shipping[city]=&items[0][price]=-1&codes=1,x",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR");
    let mut problems: Vec<String> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["location"], "body");
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
        [
            "amount type",
            "capture type",
            "codes[1] type",
            "currency enum",
            "items[0].price minimum",
            "shipping.city min_length",
        ],
        "{body}"
    );

    // The typed client gets the same answer as a typed error.
    let client = Client::builder().base_url(&base).build().unwrap();
    let too_small = ChargeForm {
        amount: 10,
        ..charge()
    };
    match client.create_charge(&too_small).await {
        Err(Error::Api(api)) => match api.error {
            CreateChargeError::BadRequest(body) => {
                assert_eq!(
                    (
                        body.details[0].field.as_str(),
                        body.details[0].code.as_str()
                    ),
                    ("amount", "minimum")
                );
            }
            other => panic!("expected a 400, got {other:?}"),
        },
        other => panic!("expected a 400, got {other:?}"),
    }
}

#[tokio::test]
async fn forms_that_cannot_be_read_are_refused() {
    let base = start().await;
    let (status, body) = post_form(&base, "/charges", "amount=1&amount[x]=2&currency=usd").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("VALIDATION_ERROR"))
    );
    assert_eq!(body["error"]["details"][0]["code"], "form");

    let response = reqwest::Client::new()
        .post(format!("{base}/charges"))
        .json(&json!({"amount": 1250, "currency": "usd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        415,
        "a JSON body where the spec says form"
    );
}

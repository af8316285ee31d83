//! Operations that accept several content types
//! (tests/specs/content-types.yaml), over a real socket: the server reads
//! whichever the client sent with that content type's reader, the same
//! checks and the same envelope; the generated client sends the preferred
//! one, or the one the caller chose.

use content_types_client::types::{Note, Received};
use content_types_client::{Client, CreateNoteError, Error, ImportNotesRequestBody};
use content_types_server::operations::{
    CreateNoteRequest, CreateNoteResponse, DrawShapeRequest, DrawShapeResponse, ImportNotesRequest,
    ImportNotesResponse, RenderRequest, RenderResponse, SetLabelsRequest, SetLabelsResponse,
};
use content_types_server::{router, types, Api, Context, HandlerError, ServerConfig};
use serde_json::{json, Value};

struct Echo;

impl Api for Echo {
    async fn create_note(
        &self,
        _: Context<()>,
        request: CreateNoteRequest,
    ) -> Result<CreateNoteResponse, HandlerError> {
        Ok(CreateNoteResponse::Created(request.body))
    }

    async fn import_notes(
        &self,
        _: Context<()>,
        request: ImportNotesRequest,
    ) -> Result<ImportNotesResponse, HandlerError> {
        use content_types_server::operations::ImportNotesRequestBody as Body;
        let (kind, title, text) = match request.body {
            None => ("none", None, None),
            Some(Body::Json(note)) => ("json", Some(note.title), None),
            Some(Body::Xml(bytes)) => ("xml", None, Some(String::from_utf8(bytes).unwrap())),
            Some(Body::Text(text)) => ("text", None, Some(text)),
        };
        Ok(ImportNotesResponse::Ok(types::Received {
            kind: kind.into(),
            title,
            text,
        }))
    }

    async fn draw_shape(
        &self,
        _: Context<()>,
        request: DrawShapeRequest,
    ) -> Result<DrawShapeResponse, HandlerError> {
        Ok(DrawShapeResponse::Ok(request.body))
    }

    async fn set_labels(
        &self,
        _: Context<()>,
        request: SetLabelsRequest,
    ) -> Result<SetLabelsResponse, HandlerError> {
        Ok(SetLabelsResponse::Ok(request.body))
    }

    async fn render(
        &self,
        _: Context<()>,
        request: RenderRequest,
    ) -> Result<RenderResponse, HandlerError> {
        Ok(RenderResponse::Ok(request.body))
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

fn note(title: &str, stars: Option<i64>) -> Note {
    Note {
        title: title.into(),
        stars,
    }
}

/// Sends `body` as `content_type` and returns the status and the JSON answer.
async fn send(url: &str, content_type: &str, body: &'static str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn one_model_arrives_the_same_in_json_form_and_multipart() {
    let base = start().await;
    let url = format!("{base}/notes");
    let client = Client::new(&base);
    // The client sends the preferred content type, JSON.
    let sent = note("From the client", Some(4));
    let created = client.create_note(&sent).await.unwrap();
    assert_eq!(created.data, sent);

    let (status, body) = send(&url, "application/json", r#"{"title": "Json", "stars": 1}"#).await;
    assert_eq!((status, body), (201, json!({"title": "Json", "stars": 1})));
    let form = "application/x-www-form-urlencoded; charset=utf-8";
    let (status, body) = send(&url, form, "title=Form&stars=2").await;
    assert_eq!((status, body), (201, json!({"title": "Form", "stars": 2})));

    let multipart = reqwest::multipart::Form::new()
        .text("title", "Multipart")
        .text("stars", "3");
    let response = reqwest::Client::new()
        .post(&url)
        .multipart(multipart)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"title": "Multipart", "stars": 3}));
}

#[tokio::test]
async fn each_content_type_is_checked_by_the_schema() {
    let base = start().await;
    let url = format!("{base}/notes");
    for (content_type, body) in [
        ("application/json", r#"{"title": "", "stars": -1}"#),
        ("application/x-www-form-urlencoded", "title=&stars=-1"),
    ] {
        let (status, answer) = send(&url, content_type, body).await;
        assert_eq!(status, 400, "{content_type}: {answer}");
        assert_eq!(answer["error"]["code"], "VALIDATION_ERROR");
        let fields: Vec<&str> = answer["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["title", "stars"], "{content_type}");
    }
}

#[tokio::test]
async fn a_content_type_the_operation_does_not_accept_is_415_naming_the_accepted_ones() {
    let base = start().await;
    let (status, answer) = send(&format!("{base}/notes"), "application/xml", "<note/>").await;
    assert_eq!(status, 415);
    assert_eq!(answer["error"]["code"], "UNSUPPORTED_MEDIA_TYPE");
    assert_eq!(
        answer["error"]["message"],
        "The body must be sent as application/json, application/x-www-form-urlencoded or multipart/form-data."
    );
    let (status, answer) = send(&format!("{base}/render"), "text/html", "<p>hi</p>").await;
    assert_eq!(status, 415);
    assert_eq!(
        answer["error"]["message"],
        "The body must be sent as text/plain or text/x-markdown."
    );
}

#[tokio::test]
async fn content_types_that_read_differently_reach_the_handler_as_an_enum() {
    let base = start().await;
    let client = Client::new(&base);
    let sent = note("A note", None);
    let received = |kind: &str, title: Option<&str>, text: Option<&str>| Received {
        kind: kind.into(),
        title: title.map(Into::into),
        text: text.map(Into::into),
    };
    let json = client
        .import_notes(Some(ImportNotesRequestBody::Json(&sent)))
        .await
        .unwrap();
    assert_eq!(json.data, received("json", Some("A note"), None));
    let xml = client
        .import_notes(Some(ImportNotesRequestBody::Xml(b"<note>A</note>")))
        .await
        .unwrap();
    assert_eq!(xml.data, received("xml", None, Some("<note>A</note>")));
    let text = client
        .import_notes(Some(ImportNotesRequestBody::Text("plain words")))
        .await
        .unwrap();
    assert_eq!(text.data, received("text", None, Some("plain words")));
    let none = client.import_notes(None).await.unwrap();
    assert_eq!(none.data, received("none", None, None));

    // A JSON body in the enum case is still checked against its schema.
    let (status, answer) = send(
        &format!("{base}/notes/import"),
        "application/json",
        r#"{"stars": 2}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["details"][0]["field"], "title");
}

#[tokio::test]
async fn text_in_either_text_type_reaches_the_handler_as_a_string() {
    let base = start().await;
    let client = Client::new(&base);
    let rendered = client.render("*plain*").await.unwrap();
    assert_eq!(rendered.data, "*plain*");
    let response = reqwest::Client::new()
        .post(format!("{base}/render"))
        .header("content-type", "text/x-markdown; charset=utf-8")
        .body("# Title")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "# Title");
}

#[tokio::test]
async fn the_client_reports_a_refused_body_as_a_typed_error() {
    let base = start().await;
    let client = Client::new(&base);
    let error = client.create_note(&note("", None)).await.unwrap_err();
    let Error::Api(error) = error else {
        panic!("expected an API error, got {error:?}");
    };
    let CreateNoteError::BadRequest(body) = &error.error else {
        panic!("expected a 400, got {:?}", error.error);
    };
    assert_eq!(body.code, "VALIDATION_ERROR");
}

#[tokio::test]
async fn a_union_of_objects_is_read_from_a_form_or_multipart_as_the_variant_it_fits() {
    use content_types_client::types::{Circle, Shape, Square};
    let base = start().await;
    let url = format!("{base}/shapes");
    let form = "application/x-www-form-urlencoded";
    let (status, body) = send(&url, form, "radius=1.5").await;
    assert_eq!((status, body), (200, json!({"radius": 1.5})));
    let (status, body) = send(&url, form, "side=3&label=big").await;
    assert_eq!((status, body), (200, json!({"side": 3, "label": "big"})));
    // Neither variant fits: the checks say why, as for JSON.
    let (status, body) = send(&url, form, "side=0").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR");

    let multipart = reqwest::multipart::Form::new().text("side", "4");
    let response = reqwest::Client::new()
        .post(&url)
        .multipart(multipart)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"side": 4}));

    let client = Client::new(&base);
    let circle = Shape::Circle(Circle { radius: 2.0 });
    assert_eq!(client.draw_shape(&circle).await.unwrap().data, circle);
    let square = Shape::Square(Square {
        side: 5,
        label: None,
    });
    assert_eq!(client.draw_shape(&square).await.unwrap().data, square);
}

#[tokio::test]
async fn a_map_of_values_is_read_from_a_form_or_multipart_typed_by_its_schema() {
    let base = start().await;
    let url = format!("{base}/labels");
    let form = "application/x-www-form-urlencoded";
    let (status, body) = send(&url, form, "red=1&blue=22").await;
    assert_eq!((status, body), (200, json!({"blue": 22, "red": 1})));
    // A value that is not an integer is one detail for the body.
    let (status, body) = send(&url, form, "red=many").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR");

    let multipart = reqwest::multipart::Form::new().text("green", "3");
    let response = reqwest::Client::new()
        .post(&url)
        .multipart(multipart)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"green": 3}));

    let client = Client::new(&base);
    let labels = std::collections::BTreeMap::from([("red".to_string(), 7)]);
    assert_eq!(client.set_labels(&labels).await.unwrap().data, labels);
}

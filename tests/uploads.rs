//! Binary bodies (tests/specs/uploads.yaml), over a real socket: a body the
//! spec does not bound reaches the handler chunk by chunk, past the limit
//! for bodies read whole, and leaves the client from bytes, a stream or a
//! file; the stream limit is enforced before and while reading; a body
//! with `maxLength` is read whole and held to it.

use std::io::Write;

use futures_util::StreamExt;
use serde_json::Value;
use uploads_client::{Client, Error, PutFileError, Upload};
use uploads_server::operations::*;
use uploads_server::{router, types, Api, BodyStream, Context, HandlerError, ServerConfig};

struct Store;

/// Reads a stream to its end, counting bytes and chunks.
async fn stored(mut body: BodyStream) -> Result<types::Stored, HandlerError> {
    let content_type = body.content_type().map(str::to_string);
    let (mut bytes, mut chunks, mut checksum) = (0, 0, 0);
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        bytes += chunk.len() as i64;
        chunks += 1;
        checksum += chunk.iter().map(|b| i64::from(*b)).sum::<i64>();
    }
    Ok(types::Stored {
        bytes,
        chunks,
        checksum,
        content_type,
    })
}

impl Api for Store {
    async fn put_file(
        &self,
        _: Context<()>,
        request: PutFileRequest,
    ) -> Result<PutFileResponse, HandlerError> {
        Ok(PutFileResponse::Ok(stored(request.body).await?))
    }

    async fn attach_note(
        &self,
        _: Context<()>,
        request: AttachNoteRequest,
    ) -> Result<AttachNoteResponse, HandlerError> {
        Ok(AttachNoteResponse::Ok(match request.body {
            Some(body) => stored(body).await?,
            None => types::Stored {
                bytes: 0,
                chunks: 0,
                checksum: 0,
                content_type: None,
            },
        }))
    }

    async fn put_avatar(
        &self,
        _: Context<()>,
        request: PutAvatarRequest,
    ) -> Result<PutAvatarResponse, HandlerError> {
        // Bounded by `maxLength`, so read whole.
        let bytes: Vec<u8> = request.body;
        Ok(PutAvatarResponse::Ok(types::Stored {
            bytes: bytes.len() as i64,
            chunks: 1,
            checksum: bytes.iter().map(|b| i64::from(*b)).sum(),
            content_type: None,
        }))
    }
}

async fn start(config: ServerConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(Store, config)).await.unwrap() });
    base
}

/// `count` chunks of 64 KiB, each byte its chunk's number.
fn chunks(count: u8) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::iter((0..count).map(|i| Ok(vec![i; 64 * 1024])))
}

fn checksum(count: u8) -> i64 {
    (0..count).map(|i| i64::from(i) * 64 * 1024).sum()
}

#[tokio::test]
async fn an_unbounded_body_streams_past_the_limit_for_whole_bodies() {
    let base = start(ServerConfig::default()).await;
    let client = Client::new(&base);
    // 40 chunks of 64 KiB: 2.5 MiB, over the default 1 MiB body limit.
    let stored = client
        .put_file("big.bin", Upload::from_stream(chunks(40)))
        .await
        .unwrap()
        .data;
    assert_eq!(stored.bytes, 40 * 64 * 1024);
    assert_eq!(stored.checksum, checksum(40));
    assert!(stored.chunks > 1, "the handler read it whole: {stored:?}");
    assert_eq!(
        stored.content_type.as_deref(),
        Some("application/octet-stream")
    );
}

#[tokio::test]
async fn bytes_and_files_are_uploads_too() {
    let base = start(ServerConfig::default()).await;
    let client = Client::new(&base);
    let stored = client.put_file("a.txt", b"hello").await.unwrap().data;
    assert_eq!((stored.bytes, stored.checksum), (5, 532));

    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&vec![7u8; 300_000]).unwrap();
    let opened = tokio::fs::File::open(file.path()).await.unwrap();
    let stored = client
        .put_file("file.bin", Upload::from_file(opened))
        .await
        .unwrap()
        .data;
    assert_eq!((stored.bytes, stored.checksum), (300_000, 2_100_000));
}

#[tokio::test]
async fn an_optional_stream_may_be_absent() {
    let base = start(ServerConfig::default()).await;
    let client = Client::new(&base);
    let absent = client.attach_note(None).await.unwrap().data;
    assert_eq!((absent.bytes, absent.chunks), (0, 0));
    let present = client
        .attach_note(Some(Upload::from("a note")))
        .await
        .unwrap()
        .data;
    assert_eq!(present.bytes, 6);
}

#[tokio::test]
async fn the_stream_limit_refuses_an_announced_body_and_stops_a_chunked_one() {
    let config = ServerConfig {
        stream_limit: 100_000,
        ..ServerConfig::default()
    };
    let base = start(config).await;
    let client = Client::new(&base);
    // With a Content-Length over the limit, before a byte is read.
    let error = client
        .put_file("big.bin", vec![1u8; 200_000])
        .await
        .unwrap_err();
    let Error::Api(error) = error else {
        panic!("expected a 413, got {error:?}")
    };
    assert!(matches!(error.error, PutFileError::PayloadTooLarge(_)));
    // Chunked: the handler's stream fails past the limit and it propagates that.
    let error = client
        .put_file("big.bin", Upload::from_stream(chunks(4)))
        .await
        .unwrap_err();
    let Error::Api(error) = error else {
        panic!("expected a 413, got {error:?}")
    };
    let PutFileError::PayloadTooLarge(body) = &error.error else {
        panic!("expected a 413, got {:?}", error.error)
    };
    assert_eq!(body.code, "PAYLOAD_TOO_LARGE");
    // Under the limit it still passes.
    let stored = client
        .put_file("small.bin", Upload::from_stream(chunks(1)))
        .await
        .unwrap()
        .data;
    assert_eq!(stored.bytes, 64 * 1024);
}

#[tokio::test]
async fn a_bounded_body_is_read_whole_and_held_to_its_max_length() {
    let base = start(ServerConfig::default()).await;
    let client = Client::new(&base);
    let stored = client.put_avatar(&[1, 2, 3]).await.unwrap().data;
    assert_eq!((stored.bytes, stored.checksum), (3, 6));
    let response = reqwest::Client::new()
        .put(format!("{base}/avatar"))
        .header("content-type", "image/png")
        .body(vec![0u8; 65_537])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["details"][0]["code"], "maxLength");
}

#[tokio::test]
async fn a_required_stream_that_is_absent_is_refused() {
    let base = start(ServerConfig::default()).await;
    let response = reqwest::Client::new()
        .put(format!("{base}/files/none"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["message"], "A body is required.");
}

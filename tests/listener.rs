//! The generated server's listener (`serve`) over real sockets: a stalled
//! half-request is closed within the header read timeout, an idle
//! kept-alive connection within the keep-alive timeout, at the connection
//! cap a new connection waits for a free slot, handlers see the peer's
//! address, and shutdown lets the request in progress finish.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::routing::get;
use axum::Router;
use payments_app::PaymentsApi;
use payments_server::{router, serve, ListenerConfig, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const HEALTH: &str = "GET /health HTTP/1.1\r\nHost: test\r\n\r\n";

struct Running {
    address: SocketAddr,
    stop: oneshot::Sender<()>,
    served: JoinHandle<io::Result<()>>,
}

async fn start(app: Router, config: ListenerConfig) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(serve(listener, app, config, async {
        let _ = stopped.await;
    }));
    Running {
        address,
        stop,
        served,
    }
}

fn flagship() -> Router {
    router(PaymentsApi::new([]), ServerConfig::default())
}

fn limits(header_read: u64, keep_alive: u64, connections: usize) -> ListenerConfig {
    ListenerConfig {
        header_read_timeout: Duration::from_millis(header_read),
        keep_alive_timeout: Duration::from_millis(keep_alive),
        max_connections: connections,
    }
}

/// Sends `request` and reads one response: its status line and body.
async fn exchange(stream: &mut TcpStream, request: &str) -> (String, String) {
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "closed before a whole response: {received:?}");
        received.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&received).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().unwrap())
            })
            .expect("a content-length");
        if body.len() >= length {
            let status = head.lines().next().unwrap().to_string();
            return (status, body[..length].to_string());
        }
    }
}

/// Waits for the server to close `stream`, which sends nothing more; how
/// long that took.
async fn closed_after(stream: &mut TcpStream, within: Duration) -> Duration {
    let started = Instant::now();
    let mut buffer = [0; 1024];
    match tokio::time::timeout(within, stream.read(&mut buffer)).await {
        Err(_) => panic!("still open after {within:?}"),
        Ok(Ok(0)) | Ok(Err(_)) => started.elapsed(),
        Ok(Ok(read)) => panic!(
            "unexpected bytes: {:?}",
            String::from_utf8_lossy(&buffer[..read])
        ),
    }
}

#[tokio::test]
async fn a_stalled_half_request_is_closed_within_the_header_read_timeout() {
    let server = start(flagship(), limits(800, 5_000, 100)).await;
    let mut stalled = TcpStream::connect(server.address).await.unwrap();
    stalled.write_all(b"GET /health HT").await.unwrap();
    let waited = closed_after(&mut stalled, Duration::from_secs(10)).await;
    assert!(
        waited >= Duration::from_millis(600) && waited < Duration::from_secs(5),
        "closed after {waited:?}"
    );
    // Others are served meanwhile and after.
    let mut other = TcpStream::connect(server.address).await.unwrap();
    let (status, body) = exchange(&mut other, HEALTH).await;
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
}

#[tokio::test]
async fn an_idle_connection_closes_after_the_keep_alive_timeout() {
    let server = start(flagship(), limits(10_000, 800, 100)).await;
    let mut client = TcpStream::connect(server.address).await.unwrap();
    let (status, _) = exchange(&mut client, HEALTH).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    // Within the timeout the connection carries the next request.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, _) = exchange(&mut client, HEALTH).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    let waited = closed_after(&mut client, Duration::from_secs(10)).await;
    assert!(
        waited >= Duration::from_millis(600) && waited < Duration::from_secs(5),
        "closed after {waited:?}"
    );
}

#[tokio::test]
async fn at_the_connection_cap_a_new_connection_waits_for_a_free_slot() {
    let server = start(flagship(), limits(30_000, 30_000, 1)).await;
    // Holds the only slot, saying nothing.
    let holder = TcpStream::connect(server.address).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let address = server.address;
    let waiting = tokio::spawn(async move {
        let mut client = TcpStream::connect(address).await.unwrap();
        exchange(&mut client, HEALTH).await
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "served past the cap");
    drop(holder);
    let (status, _) = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("served once the slot was free")
        .unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
}

#[tokio::test]
async fn handlers_see_the_peer_address() {
    let app = Router::new().route(
        "/peer",
        get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }),
    );
    let server = start(app, ListenerConfig::default()).await;
    let mut client = TcpStream::connect(server.address).await.unwrap();
    let local = client.local_addr().unwrap();
    let (status, body) = exchange(&mut client, "GET /peer HTTP/1.1\r\nHost: test\r\n\r\n").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body, local.to_string());
}

#[tokio::test]
async fn shutdown_lets_the_request_in_progress_finish() {
    let app = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(700)).await;
            "done"
        }),
    );
    let server = start(app, ListenerConfig::default()).await;
    let mut busy = TcpStream::connect(server.address).await.unwrap();
    let mut idle = TcpStream::connect(server.address).await.unwrap();
    let (status, _) = exchange(&mut idle, "GET /nowhere HTTP/1.1\r\nHost: test\r\n\r\n").await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    let in_progress = tokio::spawn(async move {
        exchange(&mut busy, "GET /slow HTTP/1.1\r\nHost: test\r\n\r\n").await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.stop.send(()).unwrap();
    // The idle connection closes at once, the busy one after its response.
    closed_after(&mut idle, Duration::from_secs(2)).await;
    let (status, body) = in_progress.await.unwrap();
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("HTTP/1.1 200 OK", "done")
    );
    tokio::time::timeout(Duration::from_secs(5), server.served)
        .await
        .expect("serve returns once every connection closed")
        .unwrap()
        .unwrap();
    assert!(
        TcpStream::connect(server.address).await.is_err(),
        "still listening"
    );
}

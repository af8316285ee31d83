//! Serving the router on a TCP listener with the limits a listener open to
//! the internet needs: how long a client may take to send a request's head,
//! how long a kept-alive connection may wait for its next request, and how
//! many connections are open at once. `axum::serve` sets none of them: a
//! client that sends half a request line and stalls holds its connection
//! (and a file descriptor) for as long as it likes.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;
use tower_service::Service;

/// How the listener treats connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenerConfig {
    /// The longest a client may take to send a request's head, counted
    /// from when its connection is ready for one: opened, or its last
    /// response sent (`HEADER_READ_TIMEOUT_SECS`, default 10). A stalled
    /// half-request is closed when it runs out.
    pub header_read_timeout: Duration,
    /// How long a connection may wait for its next request after a
    /// response before it is closed (`KEEP_ALIVE_TIMEOUT_SECS`, default 5;
    /// the header read timeout, which counts that wait too, caps it).
    pub keep_alive_timeout: Duration,
    /// Connections open at once (`MAX_CONNECTIONS`, default 10,000). Past
    /// it, new connections wait in the listen queue until one closes;
    /// those already open are served as usual.
    pub max_connections: usize,
}

impl Default for ListenerConfig {
    fn default() -> Self {
        ListenerConfig {
            header_read_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(5),
            max_connections: 10_000,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops
/// accepting, lets each connection finish the request it is serving, and
/// returns once every connection has closed. The peer's address reaches
/// handlers as `ConnectInfo<SocketAddr>`, as with
/// `into_make_service_with_connect_info`.
///
/// `router` is an axum [`Router`](axum::Router), or any service that is
/// always ready as routers are, such as one that sends each request to
/// one of several routers (two versions of an API) without a router
/// around them.
pub async fn serve<S>(
    listener: TcpListener,
    router: S,
    config: ListenerConfig,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    // A count `acquire_many` can take back whole at shutdown.
    let capacity = config.max_connections.clamp(1, u32::MAX as usize) as u32;
    let slots = Arc::new(Semaphore::new(capacity as usize));
    let (closing, closed) = watch::channel(false);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener, &slots) => accepted,
        };
        let Some((stream, peer, slot)) = accepted else {
            continue;
        };
        let connection = Connection {
            http: http.clone(),
            router: router.clone(),
            keep_alive: config.keep_alive_timeout,
            closed: closed.clone(),
        };
        tokio::spawn(async move {
            connection.serve(stream, peer).await;
            drop(slot);
        });
    }
    // Every connection closes once its current response is out; each holds
    // a slot until then, so having them all back means all are closed.
    drop(listener);
    let _ = closing.send(true);
    let _ = slots.acquire_many(capacity).await;
    Ok(())
}

/// The next connection, once a slot is free for it. `None` after an error
/// that concerns one connection, or that waiting may cure (out of file
/// descriptors): the loop goes on.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(TcpStream, SocketAddr, tokio::sync::OwnedSemaphorePermit)> {
    let slot = Arc::clone(slots).acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, peer)) => {
            // Responses are small and written whole: do not hold them back.
            let _ = stream.set_nodelay(true);
            Some((stream, peer, slot))
        }
        Err(error) if is_connection_error(&error) => None,
        Err(error) => {
            tracing::error!(%error, "accepting a connection failed; retrying in a second");
            tokio::time::sleep(Duration::from_secs(1)).await;
            None
        }
    }
}

/// Errors that end one connection, not the listener.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// One accepted connection and what serving it needs.
struct Connection<S> {
    http: http1::Builder,
    router: S,
    keep_alive: Duration,
    closed: watch::Receiver<bool>,
}

impl<S> Connection<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    async fn serve(mut self, stream: TcpStream, peer: SocketAddr) {
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            stream,
            activity: Arc::clone(&activity),
        });
        let service = WithPeer {
            router: self.router,
            peer,
        };
        let connection = self.http.serve_connection(io, service);
        tokio::pin!(connection);
        let idle = activity.idle_for(self.keep_alive);
        tokio::pin!(idle);
        let mut closing = false;
        loop {
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        // Timeouts and clients that hang up are routine.
                        tracing::debug!(%error, %peer, "connection ended");
                    }
                    return;
                }
                // Closes an idle connection now, a busy one after its response.
                () = &mut idle, if !closing => {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
                changed = self.closed.changed(), if !closing => {
                    if changed.is_err() || *self.closed.borrow() {
                        closing = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        }
    }
}

/// The router as hyper calls it, with the peer's address for each request.
struct WithPeer<S> {
    router: S,
    peer: SocketAddr,
}

impl<S> hyper::service::Service<hyper::Request<Incoming>> for WithPeer<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone,
{
    type Response = Response;
    type Error = Infallible;
    type Future = S::Future;

    fn call(&self, mut request: hyper::Request<Incoming>) -> Self::Future {
        request.extensions_mut().insert(ConnectInfo(self.peer));
        // A router's clone is a reference count: the router is shared. Its
        // body is boxed here rather than by the router, at the same cost.
        self.router.clone().call(request.map(Body::new))
    }
}

/// When a connection last read request bytes and last wrote response
/// bytes, in microseconds since it opened (0: never).
struct Activity {
    opened: Instant,
    read: AtomicU64,
    written: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Activity {
            opened: Instant::now(),
            read: AtomicU64::new(0),
            written: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        // At least 1, so that 0 keeps meaning "never".
        (self.opened.elapsed().as_micros() as u64).max(1)
    }

    /// Resolves once the connection has waited `timeout` for a request
    /// since its last response. Before its first response a connection is
    /// hyper's header read timeout's to close.
    async fn idle_for(&self, timeout: Duration) {
        let timeout = timeout.as_micros() as u64;
        loop {
            let (read, written) = (
                self.read.load(Ordering::Relaxed),
                self.written.load(Ordering::Relaxed),
            );
            // Waiting for a request: a response went out after the last
            // request bytes came in.
            let wake_at = if written != 0 && written >= read {
                let deadline = written + timeout;
                if self.now() >= deadline {
                    return;
                }
                deadline
            } else {
                self.now() + timeout
            };
            tokio::time::sleep_until(self.opened + Duration::from_micros(wake_at)).await;
        }
    }
}

/// A connection's stream, noting when bytes move each way.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            let now = self.activity.now();
            self.activity.read.store(now, Ordering::Relaxed);
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.note_written(&polled);
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.note_written(&polled);
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl Watched {
    fn note_written(&self, polled: &Poll<io::Result<usize>>) {
        if matches!(polled, Poll::Ready(Ok(written)) if *written > 0) {
            self.activity
                .written
                .store(self.activity.now(), Ordering::Relaxed);
        }
    }
}

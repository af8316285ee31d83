//! Headers that every response of some handlers carries, such as the
//! `Deprecation`, `Sunset` and `Link` headers of a deprecated operation or
//! version. A handler wrapper rather than a layer or `map_response`: the
//! headers are statics and the wrapper's future is not boxed, so adding
//! them costs no allocation (a route layer cost four per request).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use pin_project_lite::pin_project;

/// `handler`, with `headers` added to each of its responses.
pub fn with_headers<H>(
    handler: H,
    headers: &'static [(HeaderName, HeaderValue)],
) -> WithHeaders<H> {
    WithHeaders { handler, headers }
}

/// A handler whose responses carry a fixed set of headers.
#[derive(Debug, Clone, Copy)]
pub struct WithHeaders<H> {
    handler: H,
    headers: &'static [(HeaderName, HeaderValue)],
}

impl<H, T, S> Handler<T, S> for WithHeaders<H>
where
    H: Handler<T, S>,
    S: Send + 'static,
{
    type Future = WithHeadersFuture<H::Future>;

    fn call(self, request: Request, state: S) -> Self::Future {
        WithHeadersFuture {
            inner: self.handler.call(request, state),
            headers: self.headers,
        }
    }
}

pin_project! {
    pub struct WithHeadersFuture<F> {
        #[pin]
        inner: F,
        headers: &'static [(HeaderName, HeaderValue)],
    }
}

impl<F> Future for WithHeadersFuture<F>
where
    F: Future<Output = Response>,
{
    type Output = Response;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx));
        let headers = response.headers_mut();
        for (name, value) in *this.headers {
            headers.insert(name.clone(), value.clone());
        }
        Poll::Ready(response)
    }
}

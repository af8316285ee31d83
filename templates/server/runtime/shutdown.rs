//! Graceful shutdown on Ctrl-C or SIGTERM.

/// Resolves on Ctrl-C or SIGTERM: the `shutdown` of [`serve`](crate::serve),
/// or of `axum::serve(..).with_graceful_shutdown(..)`.
pub async fn signal() {
    let interrupt = async {
        // Without a handler for Ctrl-C, wait for SIGTERM alone.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

//! The accept loop of [`crate::Emulator::start`], in place of `axum::serve`, for what that
//! does not offer: a connection that takes longer than
//! [`Limits::header_timeout`](crate::Limits) to send a request's headers, or stays idle that
//! long between requests, is closed (idle and trickling connections would otherwise hold a
//! descriptor each for ever); a body not received within
//! [`Limits::body_timeout`](crate::Limits) fails (see [`crate::body_timeout`]); at most [`Limits::max_connections`](crate::Limits) are served
//! at once (the others wait in the listen backlog); a failed `accept` (descriptors exhausted)
//! backs off instead of spinning; and shutdown lets requests in flight finish for
//! [`Limits::shutdown_grace`](crate::Limits), then cuts the rest.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot, watch};
use tokio::task::JoinSet;

use crate::body_timeout::TimedBody;
use crate::limits::Limits;
use crate::routes::FastPath;

/// Pause after a failed `accept` (e.g. `EMFILE`), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serve `app` on `listener` until `shutdown` fires (or its sender is dropped).
pub(crate) async fn serve(
    listener: TcpListener,
    app: FastPath,
    limits: Limits,
    mut shutdown: oneshot::Receiver<()>,
) {
    let (closing, closed) = watch::channel(false);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed; backing off");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Small JSON answers: no Nagle delay on keep-alive connections.
        let _ = tcp.set_nodelay(true);
        let body_timeout = limits.body_timeout;
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(
            app.clone(),
            move |req: axum::http::Request<Incoming>| {
                req.map(|body| Body::new(TimedBody::new(body, body_timeout)))
            },
        ));
        let mut close = closed.clone();
        let header_timeout = limits.header_timeout;
        connections.spawn(async move {
            let _slot = slot;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let conn = builder.serve_connection(TokioIo::new(tcp), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = close.changed() => conn.as_mut().graceful_shutdown(),
            }
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            cut = connections.len(),
            "requests still in flight after the shutdown grace; cutting them"
        );
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
}

//! The hub's transport: its own accept loop over hyper, so that no client can hold the hub's
//! resources for long. Each connection takes one of a fixed number of slots (a slowloris cannot
//! use up the file descriptors); a request's head must arrive within the header timeout, which
//! also closes idle kept-alive connections; a TLS handshake must finish within it too. Requests
//! carry the peer's address as `ConnectInfo<SocketAddr>`. On shutdown the loop stops accepting,
//! each connection finishes the request it is serving, and `serve` returns when all are closed.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tower::Service;

/// Limits of the transport, from [`crate::HubConfig`].
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub max_connections: usize,
    pub header_timeout: Duration,
    /// Longest wait on shutdown for requests under way.
    pub drain_timeout: Duration,
    pub tls: Option<Arc<ServerConfig>>,
}

/// Descriptors the process keeps for itself (the book, its journal, logs, the listener).
const RESERVED_FDS: u64 = 64;

/// The TLS settings for a certificate chain and its private key, both PEM files (a town's
/// self-signed certificate, or one from its CA). Only HTTP/1.1 is offered.
///
/// # Errors
/// When a file cannot be read, holds no certificate or key, or they do not match.
pub fn tls_config(cert: &Path, key: &Path) -> std::io::Result<Arc<ServerConfig>> {
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<_, _>>())
        .map_err(|err| invalid(format!("无法读取证书文件 {}：{err}", cert.display())))?;
    if chain.is_empty() {
        return Err(invalid(format!("证书文件 {} 中没有证书", cert.display())));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|err| invalid(format!("无法读取私钥文件 {}：{err}", key.display())))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|err| invalid(format!("证书与私钥不匹配或不受支持：{err}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// At most `wanted` connections, and fewer if the open-files limit would not allow them.
fn connection_slots(wanted: usize) -> usize {
    let Some(soft) = open_files_limit() else {
        return wanted;
    };
    let room = usize::try_from(soft.saturating_sub(RESERVED_FDS)).unwrap_or(usize::MAX);
    if room < wanted {
        tracing::warn!(
            wanted,
            allowed = room,
            "the open-files limit caps the hub's connections"
        );
    }
    wanted.min(room).max(1)
}

#[cfg(unix)]
fn open_files_limit() -> Option<u64> {
    rlimit::Resource::NOFILE.get().ok().map(|(soft, _)| soft)
}

/// Windows has no per-process limit on sockets of this kind.
#[cfg(not(unix))]
fn open_files_limit() -> Option<u64> {
    None
}

/// Accepts connections on `listener` and serves `app` on each until `shutdown` completes.
pub(crate) async fn run(
    listener: tokio::net::TcpListener,
    app: Router,
    transport: Transport,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = connection_slots(transport.max_connections);
    let free = Arc::new(Semaphore::new(slots));
    let (stop, stopping) = watch::channel(false);
    let tls = transport.tls.clone().map(TlsAcceptor::from);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(transport.header_timeout);
    tokio::pin!(shutdown);
    loop {
        // Waiting for a free slot leaves new connections in the kernel's backlog until a slow
        // client is cut off by the header timeout.
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = Arc::clone(&free).acquire_owned() => slot.map_err(std::io::Error::other)?,
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of descriptors or memory for a moment: not a reason to stop serving.
                    tracing::warn!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let connection = Connection {
            http: http.clone(),
            app: app.clone(),
            peer,
            stopping: stopping.clone(),
            _slot: slot,
        };
        match &tls {
            None => {
                tokio::spawn(connection.serve(stream));
            }
            Some(acceptor) => {
                let (acceptor, timeout) = (acceptor.clone(), transport.header_timeout);
                tokio::spawn(async move {
                    match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) => connection.serve(stream).await,
                        Ok(Err(err)) => tracing::debug!(%peer, "TLS handshake failed: {err}"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake too slow"),
                    }
                });
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    // Every slot back means every connection has ended.
    let all = u32::try_from(slots).unwrap_or(u32::MAX);
    if tokio::time::timeout(transport.drain_timeout, free.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("stopping with requests still under way");
    }
    Ok(())
}

/// One accepted connection, holding its slot until it ends.
struct Connection {
    http: hyper::server::conn::http1::Builder,
    app: Router,
    peer: SocketAddr,
    stopping: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
}

impl Connection {
    async fn serve<S>(mut self, stream: S)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (app, peer) = (self.app.clone(), self.peer);
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().call(request)
        });
        let connection = self.http.serve_connection(TokioIo::new(stream), service);
        tokio::pin!(connection);
        let ended = tokio::select! {
            ended = connection.as_mut() => ended,
            () = stop_signal(&mut self.stopping) => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(err) = ended {
            tracing::debug!(%peer, "connection ended: {err}");
        }
    }
}

/// Resolves once the hub is stopping (or its accept loop is gone).
async fn stop_signal(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Handlers can ask for the peer's address (the status page's loopback rule needs it).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_carry_the_peers_address() {
        let app = Router::new().route(
            "/peer",
            axum::routing::get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move {
                peer.ip().to_string()
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let transport = Transport {
            max_connections: 4,
            header_timeout: Duration::from_secs(5),
            drain_timeout: Duration::from_secs(5),
            tls: None,
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(run(listener, app, transport, async {
            let _ = stopped.await;
        }));
        let answer = reqwest::get(format!("http://{address}/peer"))
            .await
            .expect("answered")
            .text()
            .await
            .expect("text");
        assert_eq!(answer, "127.0.0.1");
        let _ = stop.send(());
        server.await.expect("joined").expect("served");
    }
}

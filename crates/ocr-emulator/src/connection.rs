//! The listener: TCP connections that can be killed from a handler (the "dropped
//! connection" fault) or all at once (shutdown).
//!
//! Each accepted socket is wrapped with a kill switch. Once killed, every read and
//! write fails, which makes hyper abandon the connection and drop the socket before a
//! response byte goes out; a connection idle in keep-alive is woken so it closes too.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::fault::lock;

/// A per-connection switch.
#[derive(Default)]
pub(crate) struct KillSwitch {
    killed: AtomicBool,
    wakers: Mutex<[Option<Waker>; 2]>,
}

impl KillSwitch {
    pub(crate) fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(&mut *lock(&self.wakers));
        for waker in wakers.into_iter().flatten() {
            waker.wake();
        }
    }

    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    fn register(&self, slot: usize, waker: &Waker) {
        let mut wakers = lock(&self.wakers);
        if let Some(entry) = wakers.get_mut(slot) {
            match entry {
                Some(existing) if existing.will_wake(waker) => {}
                _ => *entry = Some(waker.clone()),
            }
        }
    }
}

fn aborted() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped by the emulator",
    )
}

/// A TCP stream with a kill switch.
pub(crate) struct KillableStream {
    inner: TcpStream,
    switch: Arc<KillSwitch>,
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.switch.is_killed() {
            return Poll::Ready(Err(aborted()));
        }
        self.switch.register(0, cx.waker());
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.switch.is_killed() {
            return Poll::Ready(Err(aborted()));
        }
        self.switch.register(1, cx.waker());
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.switch.is_killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// What a handler knows about its connection.
#[derive(Clone)]
pub(crate) struct ConnInfo {
    pub(crate) remote: SocketAddr,
    switch: Arc<KillSwitch>,
}

impl std::fmt::Debug for ConnInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnInfo")
            .field("remote", &self.remote)
            .finish()
    }
}

impl ConnInfo {
    /// Drops this connection without an answer.
    pub(crate) fn kill(&self) {
        self.switch.kill();
    }
}

/// All live connections, to close them on shutdown.
#[derive(Default)]
pub(crate) struct Connections {
    live: Mutex<Vec<Weak<KillSwitch>>>,
}

impl Connections {
    fn add(&self, switch: &Arc<KillSwitch>) {
        let mut live = lock(&self.live);
        live.retain(|w| w.strong_count() > 0);
        live.push(Arc::downgrade(switch));
    }

    /// Kills every live connection.
    pub(crate) fn kill_all(&self) {
        let live = std::mem::take(&mut *lock(&self.live));
        for switch in live.iter().filter_map(Weak::upgrade) {
            switch.kill();
        }
    }
}

/// The emulator's listener.
pub(crate) struct KillableListener {
    inner: TcpListener,
    connections: Arc<Connections>,
}

impl KillableListener {
    pub(crate) fn new(inner: TcpListener, connections: Arc<Connections>) -> Self {
        Self { inner, connections }
    }
}

impl Listener for KillableListener {
    type Io = KillableStream;
    type Addr = ConnInfo;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, remote)) => {
                    let _ = stream.set_nodelay(true);
                    let switch = Arc::new(KillSwitch::default());
                    self.connections.add(&switch);
                    let info = ConnInfo {
                        remote,
                        switch: Arc::clone(&switch),
                    };
                    return (
                        KillableStream {
                            inner: stream,
                            switch,
                        },
                        info,
                    );
                }
                // Too many open files and the like: wait a little and try again.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(ConnInfo {
            remote: self.inner.local_addr()?,
            switch: Arc::new(KillSwitch::default()),
        })
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for ConnInfo {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

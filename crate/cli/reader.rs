//! Reads a file on a second thread, so that copying it out of the page cache (a fifth of
//! a pass's time on a warm 1 GB dump) overlaps with parsing. Two 8 MiB buffers circulate
//! between the threads: memory stays bounded whatever the file's size. For the passes
//! after the first of a gzip dump, the thread also inflates it ([`Chunks::inflating`]):
//! inflating then overlaps with parsing too.

use heapscope::format::gzip::GzipDecoder;
use std::fs::File;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

const BUFFER: usize = 8 << 20;
const BUFFERS: usize = 2;

/// Filled buffers in file order; the reader ends with `Err` on a read error.
pub struct Chunks {
    full: Receiver<std::io::Result<Vec<u8>>>,
    empty: SyncSender<Vec<u8>>,
    thread: Option<JoinHandle<()>>,
    /// Bytes of the file read so far (ahead of what was handed out).
    read: Arc<AtomicU64>,
}

impl Chunks {
    /// Starts reading `file` from its current position.
    pub fn new(mut file: File) -> Self {
        let (full_tx, full) = sync_channel::<std::io::Result<Vec<u8>>>(BUFFERS);
        let (empty, empty_rx) = sync_channel::<Vec<u8>>(BUFFERS);
        for _ in 0..BUFFERS {
            // Cannot fail: the channel has room for every buffer.
            let _ = empty.send(vec![0u8; BUFFER]);
        }
        let read = Arc::new(AtomicU64::new(0));
        let thread = std::thread::spawn(move || {
            while let Ok(mut buf) = empty_rx.recv() {
                buf.resize(BUFFER, 0);
                let mut n = 0;
                let r = loop {
                    match file.read(&mut buf[n..]) {
                        Ok(0) => break Ok(()),
                        Ok(k) => {
                            n += k;
                            if n == BUFFER {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                let end = n == 0;
                buf.truncate(n);
                let sent = match r {
                    Ok(()) if end => break,
                    Ok(()) => full_tx.send(Ok(buf)),
                    Err(e) => {
                        let _ = full_tx.send(Err(e));
                        break;
                    }
                };
                if sent.is_err() {
                    break; // the consumer stopped
                }
            }
        });
        Chunks {
            full,
            empty,
            thread: Some(thread),
            read,
        }
    }

    /// Starts reading and inflating the gzip `file` from its start: the buffers hold the
    /// decompressed stream. A read error, or a gzip stream that cannot be inflated, ends
    /// it with `Err`. (Only for a dump that pass 1 read whole: a damaged one is pushed
    /// compressed, for the session to stop where pass 1 did.)
    pub fn inflating(mut file: File) -> Self {
        let (full_tx, full) = sync_channel::<std::io::Result<Vec<u8>>>(BUFFERS);
        let (empty, empty_rx) = sync_channel::<Vec<u8>>(BUFFERS);
        for _ in 0..BUFFERS {
            let _ = empty.send(Vec::with_capacity(BUFFER));
        }
        let read = Arc::new(AtomicU64::new(0));
        let read_in = Arc::clone(&read);
        let thread = std::thread::spawn(move || {
            let mut gz = GzipDecoder::new(false);
            let mut raw = vec![0u8; 1 << 20];
            let Ok(mut out) = empty_rx.recv() else { return };
            out.clear();
            let fail = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
            let r: std::io::Result<()> = (|| {
                loop {
                    let n = match file.read(&mut raw) {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    };
                    read_in.fetch_add(n as u64, Ordering::Relaxed);
                    let mut stopped = false;
                    gz.push(&raw[..n], &mut |mut bytes: &[u8]| {
                        while !bytes.is_empty() {
                            let k = bytes.len().min(BUFFER - out.len());
                            out.extend_from_slice(&bytes[..k]);
                            bytes = &bytes[k..];
                            if out.len() == BUFFER {
                                let next = empty_rx.recv().ok();
                                let full = std::mem::replace(&mut out, next.unwrap_or_default());
                                out.clear();
                                if full_tx.send(Ok(full)).is_err() {
                                    stopped = true;
                                    return Ok(());
                                }
                            }
                        }
                        Ok(())
                    })
                    .map_err(|e| fail(e.to_string()))?;
                    if stopped {
                        return Ok(());
                    }
                }
                gz.finish().map_err(|e| fail(e.to_string()))
            })();
            match r {
                Ok(()) if !out.is_empty() => {
                    let _ = full_tx.send(Ok(out));
                }
                Ok(()) => {}
                Err(e) => {
                    let _ = full_tx.send(Err(e));
                }
            }
        });
        Chunks {
            full,
            empty,
            thread: Some(thread),
            read,
        }
    }

    /// The next bytes of the file, or `None` at its end. Give the buffer back with
    /// [`Chunks::recycle`] once done with it.
    pub fn next_chunk(&mut self) -> Option<std::io::Result<Vec<u8>>> {
        self.full.recv().ok()
    }

    /// Bytes of the file read so far (for an inflating reader, compressed bytes: the
    /// progress through the file).
    pub fn file_bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// Returns a buffer for the reader to fill again.
    pub fn recycle(&mut self, buf: Vec<u8>) {
        let _ = self.empty.send(buf);
    }
}

impl Drop for Chunks {
    fn drop(&mut self) {
        // Closing our ends stops the reader at its next send or receive.
        let (_, dead) = sync_channel(0);
        drop(std::mem::replace(&mut self.full, dead));
        let (alive, _) = sync_channel(0);
        drop(std::mem::replace(&mut self.empty, alive));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

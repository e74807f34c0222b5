//! Random access to the bytes of a dump, for the queries that re-read records after the
//! streaming passes (field values, strings, field names on reference paths).
//!
//! Natively this is a file read at an offset; in the browser the worker reads a slice of
//! the dropped `File` synchronously (`FileReaderSync`); for gzip dumps,
//! [`super::gzip::GzipRandomReader`] sits on top.

use super::error::{ErrorKind, HprofError};

/// Something whose bytes can be read at any offset.
pub trait ByteSource {
    /// Total length in bytes (`u64::MAX` when unknown, as for a decompressed stream).
    fn len(&self) -> u64;
    /// True when the source is known to be empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Reads up to `buf.len()` bytes at `offset`; returns how many were read (fewer only
    /// at the end of the source).
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError>;

    /// Reads exactly `buf.len()` bytes at `offset`, or fails naming `what`.
    fn read_exact_at(
        &mut self,
        offset: u64,
        buf: &mut [u8],
        what: &'static str,
    ) -> Result<(), HprofError> {
        let mut done = 0;
        while let Some(rest) = buf.get_mut(done..).filter(|r| !r.is_empty()) {
            let n = self.read_at(offset + done as u64, rest)?;
            if n == 0 {
                return Err(HprofError::new(
                    offset,
                    ErrorKind::Truncated {
                        what,
                        have: done as u64,
                    },
                ));
            }
            done += n;
        }
        Ok(())
    }
}

/// An in-memory source (tests, small samples).
impl ByteSource for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        let Ok(start) = usize::try_from(offset) else {
            return Ok(0);
        };
        let Some(src) = self.get(start..) else {
            return Ok(0);
        };
        let n = src.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(src);
        }
        Ok(n)
    }
}

impl ByteSource for Vec<u8> {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        let mut s: &[u8] = self.as_slice();
        s.read_at(offset, buf)
    }
}

impl<S: ByteSource + ?Sized> ByteSource for Box<S> {
    fn len(&self) -> u64 {
        (**self).len()
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        (**self).read_at(offset, buf)
    }
}

/// A file on disk (native builds).
#[cfg(not(target_family = "wasm"))]
pub struct FileSource {
    file: std::fs::File,
    len: u64,
}

#[cfg(not(target_family = "wasm"))]
impl FileSource {
    /// Opens `path`.
    pub fn open(path: &std::path::Path) -> std::io::Result<Self> {
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        Ok(FileSource { file, len })
    }
}

#[cfg(not(target_family = "wasm"))]
impl ByteSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            self.file.read_at(buf, offset).map_err(|e| {
                HprofError::new(
                    offset,
                    ErrorKind::Io {
                        detail: e.to_string(),
                    },
                )
            })
        }
        #[cfg(not(unix))]
        {
            use std::io::{Read, Seek, SeekFrom};
            self.file
                .seek(SeekFrom::Start(offset))
                .and_then(|_| self.file.read(buf))
                .map_err(|e| {
                    HprofError::new(
                        offset,
                        ErrorKind::Io {
                            detail: e.to_string(),
                        },
                    )
                })
        }
    }
}

/// A source that several threads read at once, each at its own offsets (the native
/// file, read with `pread`): what the parallel passes read.
pub trait SharedSource: Sync {
    /// Reads up to `buf.len()` bytes at `offset`; returns how many were read (fewer only
    /// at the end of the source).
    fn read_shared(&self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError>;
}

/// Reads `src` from `start` to `end` through `buf`, handing each chunk read (up to
/// `buf.len()` bytes) to `each`, which returns `false` to stop early. The parallel passes
/// read their stretches this way. `Ok(Some(at))`: the source ended at `at`, before `end`.
pub fn read_range<E: From<HprofError>>(
    src: &dyn SharedSource,
    (start, end): (u64, u64),
    buf: &mut [u8],
    mut each: impl FnMut(&[u8]) -> Result<bool, E>,
) -> Result<Option<u64>, E> {
    let mut at = start;
    while at < end {
        let want = usize::try_from(end - at)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let Some(chunk) = buf.get_mut(..want) else {
            break;
        };
        let n = src.read_shared(at, chunk)?;
        if n == 0 {
            return Ok(Some(at));
        }
        if !each(chunk.get(..n).unwrap_or_default())? {
            break;
        }
        at += n as u64;
    }
    Ok(None)
}

impl SharedSource for [u8] {
    fn read_shared(&self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.len());
        let rest = self.get(start..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
            to.copy_from_slice(from);
        }
        Ok(n)
    }
}

#[cfg(unix)]
impl SharedSource for FileSource {
    fn read_shared(&self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        use std::os::unix::fs::FileExt;
        self.file.read_at(buf, offset).map_err(|e| {
            HprofError::new(
                offset,
                ErrorKind::Io {
                    detail: e.to_string(),
                },
            )
        })
    }
}

/// A block cache in front of another source, for queries that read many small records
/// (the record re-reader hops over sub-record headers 64 bytes at a time): reads within
/// cached blocks are copies. Holds at most `BLOCKS` blocks of `BLOCK` bytes (1 MiB);
/// reads larger than a block go to the source directly.
pub struct CachedSource<'a> {
    src: &'a mut dyn ByteSource,
    /// (block number, bytes), most recently used last.
    blocks: Vec<(u64, Vec<u8>)>,
}

impl<'a> CachedSource<'a> {
    /// Bytes per block.
    pub const BLOCK: usize = 64 * 1024;
    /// Blocks kept.
    pub const BLOCKS: usize = 16;

    /// A cache over `src`.
    pub fn new(src: &'a mut dyn ByteSource) -> Self {
        CachedSource {
            src,
            blocks: Vec::new(),
        }
    }

    /// The cached bytes of block `b` (read on a miss; shorter at the end of the source).
    fn block(&mut self, b: u64) -> Result<&[u8], HprofError> {
        if self.blocks.last().is_some_and(|(n, _)| *n == b) {
            // The common case: the block read last.
        } else if let Some(i) = self.blocks.iter().position(|(n, _)| *n == b) {
            // Most recently used last.
            let hit = self.blocks.remove(i);
            self.blocks.push(hit);
        } else {
            let mut buf = if self.blocks.len() >= Self::BLOCKS {
                let (_, mut old) = self.blocks.remove(0);
                old.resize(Self::BLOCK, 0);
                old
            } else {
                vec![0u8; Self::BLOCK]
            };
            let at = b * Self::BLOCK as u64;
            let mut n = 0;
            while n < buf.len() {
                let Some(rest) = buf.get_mut(n..) else { break };
                let k = self.src.read_at(at + n as u64, rest)?;
                if k == 0 {
                    break;
                }
                n += k;
            }
            buf.truncate(n);
            self.blocks.push((b, buf));
        }
        Ok(self.blocks.last().map_or(&[][..], |(_, v)| v.as_slice()))
    }
}

impl ByteSource for CachedSource<'_> {
    fn len(&self) -> u64 {
        self.src.len()
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        if buf.len() > Self::BLOCK {
            return self.src.read_at(offset, buf);
        }
        let block = Self::BLOCK as u64;
        let mut done = 0;
        while done < buf.len() {
            let at = offset + done as u64;
            let data = self.block(at / block)?;
            let Some(from) = data.get((at % block) as usize..) else {
                break;
            };
            let n = from.len().min(buf.len() - done);
            if n == 0 {
                break;
            }
            if let (Some(to), Some(from)) = (buf.get_mut(done..done + n), from.get(..n)) {
                to.copy_from_slice(from);
            }
            done += n;
        }
        Ok(done)
    }
}

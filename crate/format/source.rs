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

//! The memory cap (`--max-memory`) and the spill store behind it: the native binary's
//! global allocator places large allocations in memory-mapped temporary files once the
//! analysis would not fit the cap, and a watcher thread keeps the process's resident set
//! within the cap by letting go of those files' pages.
//!
//! The analysis' large arrays (object table, ID map, graphs, preorder numbers, dominators,
//! retained sizes: ~37 B per object and 11 B per reference) are each one allocation of
//! megabytes. When the cap is exceeded they are placed, unchanged, in files: nothing in the
//! library knows, and the results are the same bytes. The rules:
//! - Before the plan is known (pass 1), a large allocation goes to a file when the process's
//!   anonymous memory plus the allocation would pass half the cap (the other half is the
//!   cache of file pages).
//! - After pass 1 ([`plan_known`]): when the plan's predicted peak exceeds the cap, every
//!   later large allocation goes to a file; when it fits, none does.
//! - Each file is created in the spill directory with `O_TMPFILE` (never named; elsewhere
//!   created and unlinked at once), so it vanishes when the process ends however it ends
//!   (exit, error, Ctrl-C, SIGKILL). Its blocks are reserved with `fallocate` before it is
//!   mapped: a full disk is one clear error ([`disk_full`]) instead of a SIGBUS later.
//! - The watcher reads the resident set (`/proc/self/statm`) every 2 ms; above 7/8 of the
//!   cap it releases file pages (`MADV_DONTNEED`), 32 MiB at a time in clock order, until
//!   the resident set is back to 3/4 of the cap. A released page is written back to its
//!   file by the kernel; touching it again reads it back (from the page cache while the
//!   machine has room for it, else from the disk). The mappings are `MADV_RANDOM`: a fault
//!   maps one page, not the 16 around it.
//!
//! Memory of its own: a fixed table of 4 096 mappings (24 B each, 96 KiB), no allocation.
#![allow(
    unsafe_code,
    reason = "a GlobalAlloc is an unsafe trait; mmap, fallocate and madvise are foreign functions"
)]

use crate::hugepages::HugePages;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::CString;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The global allocator: [`HugePages`] (the system allocator), or a spill file.
pub struct Store;

/// No cap: the store never spills.
const OFF: u8 = 0;
/// Pass 1: spill when anonymous memory would pass half the cap.
const ADAPTIVE: u8 = 1;
/// The plan exceeds the cap: every large allocation spills.
const FORCED: u8 = 2;

static MODE: AtomicU8 = AtomicU8::new(OFF);
/// The cap in bytes (0: none).
static CAP: AtomicU64 = AtomicU64::new(0);
/// Allocations at least this large may spill (set with the cap, never changed after).
static THRESHOLD: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Bytes of the spill files now, and the most at once.
static SPILLED: AtomicU64 = AtomicU64::new(0);
static SPILLED_PEAK: AtomicU64 = AtomicU64::new(0);
/// Whether any allocation ever spilled (deallocations look in the table only then).
static EVER: AtomicBool = AtomicBool::new(false);
/// The spill directory, as the system calls take it.
static DIR: OnceLock<CString> = OnceLock::new();
/// Names for the fallback (a file system without `O_TMPFILE`).
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

const SLOTS: usize = 4096;
/// The smallest threshold (a tiny cap's).
const MIN_THRESHOLD: usize = 64 << 10;
/// What the watcher releases at a time.
const RELEASE_CHUNK: usize = 32 << 20;

#[derive(Clone, Copy)]
struct Mapping {
    /// Start (page-aligned); 0: a free slot.
    addr: usize,
    /// Mapped bytes (whole pages; the file's size).
    len: usize,
    fd: i32,
}

struct Table {
    slots: [Mapping; SLOTS],
    /// Slots in use are below this index.
    used: usize,
    /// The watcher's clock hand: slot and offset of the next range to release.
    hand: (usize, usize),
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    slots: [Mapping {
        addr: 0,
        len: 0,
        fd: -1,
    }; SLOTS],
    used: 0,
    hand: (0, 0),
});

fn table() -> MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

impl Table {
    fn find(&self, addr: usize) -> Option<usize> {
        self.slots
            .get(..self.used)?
            .iter()
            .position(|m| m.addr == addr)
    }

    fn insert(&mut self, m: Mapping) -> bool {
        let Some(i) = self.slots.iter().position(|s| s.addr == 0) else {
            return false;
        };
        if let Some(s) = self.slots.get_mut(i) {
            *s = m;
        }
        self.used = self.used.max(i + 1);
        true
    }

    fn remove(&mut self, i: usize) {
        if let Some(s) = self.slots.get_mut(i) {
            s.addr = 0;
        }
        while self.used > 0 && self.slots.get(self.used - 1).is_some_and(|s| s.addr == 0) {
            self.used -= 1;
        }
    }
}

/// What the cap and the store are set to (for the progress line and `--timings`).
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    /// Bytes of the spill files now.
    pub spilled: u64,
    /// The most bytes of spill files at once.
    pub spilled_peak: u64,
}

pub fn usage() -> Usage {
    Usage {
        spilled: SPILLED.load(Relaxed),
        spilled_peak: SPILLED_PEAK.load(Relaxed),
    }
}

/// Why the cap cannot be set.
pub fn configure(cap: u64, dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::ffi::OsStrExt;
    let c = CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| format!("spill directory {}: a NUL in its name", dir.display()))?;
    // The directory must take a file now, not when the cap is reached.
    let fd = create_file(&c).map_err(|e| {
        format!(
            "cannot create spill files in {}: {}",
            dir.display(),
            std::io::Error::from_raw_os_error(e)
        )
    })?;
    // SAFETY: a descriptor create_file just opened and nothing else holds.
    unsafe { libc::close(fd) };
    let _ = DIR.set(c);
    // Per-object arrays of a small dump are small: the threshold follows the cap (a tiny cap
    // spills nearly everything; 4 MiB, the huge-page threshold, for caps of 256 MiB and up).
    let threshold = (cap / 64).clamp(MIN_THRESHOLD as u64, 4 << 20) as usize;
    THRESHOLD.store(threshold, Relaxed);
    CAP.store(cap, Relaxed);
    MODE.store(ADAPTIVE, Relaxed);
    raise_open_files();
    std::thread::Builder::new()
        .name("spill-watcher".into())
        .spawn(watch)
        .map_err(|e| format!("cannot start the memory watcher: {e}"))?;
    Ok(())
}

/// After pass 1: whether the full analysis' predicted peak `peak_bytes` exceeds the cap
/// (then every large allocation spills; else none does from now on).
pub fn plan_known(peak_bytes: u64) {
    let cap = CAP.load(Relaxed);
    if MODE.load(Relaxed) == OFF {
        return;
    }
    // Allocations spilled in pass 1 stay in their files (the watcher watches them still).
    MODE.store(if peak_bytes > cap { FORCED } else { OFF }, Relaxed);
}

/// Whether the plan exceeded the cap (every large allocation spills).
pub fn forced() -> bool {
    MODE.load(Relaxed) == FORCED
}

/// The cap in bytes (0: none).
pub fn cap() -> u64 {
    CAP.load(Relaxed)
}

/// The spill directory, as given.
pub fn dir_name() -> String {
    DIR.get()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether anything was spilled.
pub fn spilling() -> bool {
    EVER.load(Relaxed)
}

/// Whether `dir` is held in memory (tmpfs, ramfs): spilling there would save nothing.
pub fn in_memory(dir: &std::path::Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: an all-zero statfs is a valid value to be overwritten.
    let mut s: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: a NUL-terminated path and a struct we own.
    if unsafe { libc::statfs(c.as_ptr(), &mut s) } != 0 {
        return false;
    }
    const TMPFS: i64 = 0x0102_1994;
    const RAMFS: i64 = 0x8584_58f6;
    matches!(s.f_type as i64, TMPFS | RAMFS)
}

/// The spill files may hold as many mappings as there are slots: each keeps its descriptor.
fn raise_open_files() {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write a struct we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) == 0 && r.rlim_cur < r.rlim_max {
            r.rlim_cur = r.rlim_max.min(SLOTS as u64 + 1024);
            libc::setrlimit(libc::RLIMIT_NOFILE, &r);
        }
    }
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// A new empty file in `dir` no name refers to, or the error number.
fn create_file(dir: &CString) -> Result<i32, i32> {
    // SAFETY: a NUL-terminated path; the flags ask for a new file.
    let fd = unsafe {
        libc::open(
            dir.as_ptr(),
            libc::O_TMPFILE | libc::O_RDWR | libc::O_CLOEXEC,
            0o600,
        )
    };
    if fd >= 0 {
        return Ok(fd);
    }
    let e = errno();
    if !matches!(e, libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL) {
        return Err(e);
    }
    // A file system without O_TMPFILE: a name, created exclusively and removed at once.
    let mut path = [0u8; 4200];
    let mut w = Buf::new(&mut path);
    let n = SEQUENCE.fetch_add(1, Relaxed);
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    let dir = dir.as_bytes();
    w.bytes(dir);
    let _ = std::fmt::Write::write_fmt(&mut w, format_args!("/.heapscope-spill-{pid}-{n}\0"));
    if w.overflow {
        return Err(libc::ENAMETOOLONG);
    }
    // SAFETY: a NUL-terminated path in our buffer.
    let fd = unsafe {
        libc::open(
            path.as_ptr().cast(),
            libc::O_CREAT | libc::O_EXCL | libc::O_RDWR | libc::O_CLOEXEC,
            0o600,
        )
    };
    if fd < 0 {
        return Err(errno());
    }
    // SAFETY: the same path.
    unsafe { libc::unlink(path.as_ptr().cast()) };
    Ok(fd)
}

/// A fixed buffer to format into without allocating.
struct Buf<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: bool,
}

impl<'a> Buf<'a> {
    fn new(buf: &'a mut [u8]) -> Self {
        Buf {
            buf,
            len: 0,
            overflow: false,
        }
    }
    fn bytes(&mut self, b: &[u8]) {
        match self.buf.get_mut(self.len..self.len + b.len()) {
            Some(dst) => {
                dst.copy_from_slice(b);
                self.len += b.len();
            }
            None => self.overflow = true,
        }
    }
}

impl std::fmt::Write for Buf<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.bytes(s.as_bytes());
        Ok(())
    }
}

/// The spill directory cannot take `more` bytes: one line on stderr, exit status 1. The
/// files have no names: the kernel frees them when the process ends.
fn disk_full(more: usize, e: i32) -> ! {
    let mut line = [0u8; 5000];
    let mut w = Buf::new(&mut line);
    let dir = DIR.get().map(|d| d.as_bytes()).unwrap_or(b"?");
    // SAFETY: isatty has no preconditions.
    if unsafe { libc::isatty(2) } == 1 {
        // Below the progress line.
        w.bytes(b"\n");
    }
    w.bytes(b"error: the spill directory ");
    w.bytes(dir.get(..4000).unwrap_or(dir));
    let reason = if e == libc::ENOSPC || e == libc::EDQUOT {
        "is full"
    } else {
        "refuses a larger file"
    };
    let _ = std::fmt::Write::write_fmt(
        &mut w,
        format_args!(
            " {reason}: {} MiB more could not be reserved ({} MiB spilled so far). Free \
             space there, give --spill-dir another disk, or raise --max-memory. The spill \
             files are removed.\n",
            (more as u64).div_ceil(1 << 20),
            SPILLED.load(Relaxed) >> 20
        ),
    );
    let len = w.len;
    // SAFETY: writes our buffer to stderr, then ends the process without running anything
    // that could allocate.
    unsafe {
        libc::write(2, line.as_ptr().cast(), len);
        libc::_exit(1)
    }
}

fn page() -> usize {
    4096
}

/// Reserves `len` bytes of `fd` from `from`, or ends the process when the disk is full.
fn reserve(fd: i32, from: usize, len: usize) -> bool {
    // SAFETY: a descriptor of ours; the range is checked by the kernel.
    let r = unsafe { libc::fallocate(fd, 0, from as libc::off_t, len as libc::off_t) };
    if r == 0 {
        return true;
    }
    match errno() {
        libc::ENOSPC | libc::EDQUOT | libc::EFBIG => disk_full(len, errno()),
        // No fallocate here: a sparse file (a full disk would then show as SIGBUS).
        libc::EOPNOTSUPP => {
            // SAFETY: as above.
            unsafe { libc::ftruncate(fd, (from + len) as libc::off_t) == 0 }
        }
        _ => false,
    }
}

fn add_spilled(bytes: usize) {
    let now = SPILLED.fetch_add(bytes as u64, Relaxed) + bytes as u64;
    SPILLED_PEAK.fetch_max(now, Relaxed);
}

/// A new file-backed allocation of `size` bytes (zeros), or null (then the system's).
fn map_file(size: usize) -> *mut u8 {
    let Some(dir) = DIR.get() else {
        return std::ptr::null_mut();
    };
    let len = size.next_multiple_of(page());
    let Ok(fd) = create_file(dir) else {
        return std::ptr::null_mut();
    };
    let close = || {
        // SAFETY: our descriptor, closed once.
        unsafe { libc::close(fd) };
    };
    if !reserve(fd, 0, len) {
        close();
        return std::ptr::null_mut();
    }
    // SAFETY: a new shared mapping of a file we own, `len` bytes long.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            fd,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        close();
        return std::ptr::null_mut();
    }
    // No fault-around: a read fault maps its page alone, not the 16 around it that happen
    // to be in the page cache. The arrays that spill are mostly read at random, and pages
    // mapped in bulk pass the cap before the watcher wakes.
    // SAFETY: advice on our new mapping; it changes no contents.
    unsafe { libc::madvise(p, len, libc::MADV_RANDOM) };
    let m = Mapping {
        addr: p as usize,
        len,
        fd,
    };
    if !table().insert(m) {
        // SAFETY: the mapping just made.
        unsafe { libc::munmap(p, len) };
        close();
        return std::ptr::null_mut();
    }
    EVER.store(true, Relaxed);
    add_spilled(len);
    p.cast()
}

/// Unmaps slot `i` (the table locked).
fn unmap(t: &mut Table, i: usize) {
    if let Some(m) = t.slots.get(i).copied() {
        // SAFETY: a mapping of ours no one uses any more (its allocation was freed).
        unsafe {
            libc::munmap(m.addr as *mut libc::c_void, m.len);
            libc::close(m.fd);
        }
        SPILLED.fetch_sub(m.len as u64, Relaxed);
        t.remove(i);
    }
}

/// The process's resident and anonymous bytes (`/proc/self/statm`).
fn statm() -> Option<(u64, u64)> {
    let mut buf = [0u8; 160];
    // SAFETY: reads a proc file into our buffer.
    let n = unsafe {
        let fd = libc::open(
            c"/proc/self/statm".as_ptr(),
            libc::O_RDONLY | libc::O_CLOEXEC,
        );
        if fd < 0 {
            return None;
        }
        let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
        libc::close(fd);
        n
    };
    let text = buf.get(..usize::try_from(n).ok()?)?;
    let mut fields = text.split(|&b| b == b' ').map(|f| {
        f.iter().try_fold(0u64, |a, &d| {
            d.is_ascii_digit().then(|| a * 10 + u64::from(d - b'0'))
        })
    });
    let _size = fields.next()?;
    let resident = fields.next()??;
    let shared = fields.next()??;
    let page = page() as u64;
    Some((resident * page, resident.saturating_sub(shared) * page))
}

/// Whether an allocation of `size` bytes goes to a file now.
fn should_spill(size: usize, layout_align: usize) -> bool {
    if size < THRESHOLD.load(Relaxed) || layout_align > page() {
        return false;
    }
    match MODE.load(Relaxed) {
        FORCED => true,
        ADAPTIVE => {
            let budget = CAP.load(Relaxed) / 2;
            statm().is_some_and(|(_, anon)| anon + size as u64 > budget)
        }
        _ => false,
    }
}

/// The slot of a spilled allocation at `ptr` of `size` bytes, with the table locked.
fn spilled(ptr: *mut u8, size: usize) -> Option<(MutexGuard<'static, Table>, usize)> {
    if !EVER.load(Relaxed) || size < MIN_THRESHOLD {
        return None;
    }
    let t = table();
    let i = t.find(ptr as usize)?;
    Some((t, i))
}

/// The watcher: keeps the resident set within the cap (see the module doc).
fn watch() {
    let cap = CAP.load(Relaxed);
    // Acting from 7/8 of the cap leaves room for what the analysis maps while the watcher
    // sleeps; releasing down to 3/4 only keeps as many pages resident as can be (in the
    // random-access phases, every page fewer is more faults: at a 128 MiB cap on the 1 GB
    // benchmark dump, releasing down to 1/2 instead of 5/8 took 19 M faults instead of 11).
    let limit = cap / 8 * 7;
    let target = cap / 4 * 3;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(2));
        if !EVER.load(Relaxed) {
            continue;
        }
        let Some((resident, _)) = statm() else {
            return;
        };
        if resident <= limit {
            continue;
        }
        release_until(target);
    }
}

/// Releases file pages in clock order until the resident set is at most `target` bytes, or
/// every file was released once.
fn release_until(target: u64) {
    let mut released = 0usize;
    let mut total = usize::MAX;
    while released < total {
        {
            let mut t = table();
            total = t.slots.iter().take(t.used).map(|m| m.len).sum();
            let (mut slot, mut offset) = t.hand;
            // The next mapped range from the hand on.
            let mut found = None;
            for _ in 0..=t.used {
                if slot >= t.used {
                    slot = 0;
                    offset = 0;
                }
                match t.slots.get(slot) {
                    Some(m) if m.addr != 0 && offset < m.len => {
                        found = Some((*m, offset));
                        break;
                    }
                    _ => {
                        slot += 1;
                        offset = 0;
                    }
                }
            }
            let Some((m, off)) = found else {
                return;
            };
            let len = RELEASE_CHUNK.min(m.len - off);
            // SAFETY: a range inside a live shared file mapping (the table is locked: it
            // cannot be unmapped meanwhile). The kernel keeps its contents in the file;
            // the owner's next access reads them back.
            unsafe {
                libc::madvise(
                    (m.addr + off) as *mut libc::c_void,
                    len,
                    libc::MADV_DONTNEED,
                );
            }
            t.hand = (slot, off + len);
            released += len;
        }
        if statm().is_some_and(|(resident, _)| resident <= target) {
            return;
        }
    }
}

// SAFETY: every allocation is either the system's (forwarded to HugePages with the caller's
// arguments) or a whole shared mapping of a file of ours, found in the table by its address:
// page-aligned (layouts aligned beyond a page stay the system's), zero-filled when new, as
// long as asked, and unmapped only when the caller frees it.
unsafe impl GlobalAlloc for Store {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if should_spill(layout.size(), layout.align()) {
            let p = map_file(layout.size());
            if !p.is_null() {
                return p;
            }
        }
        // SAFETY: the caller's arguments, forwarded as is.
        unsafe { HugePages.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if should_spill(layout.size(), layout.align()) {
            // A new file reads as zeros.
            let p = map_file(layout.size());
            if !p.is_null() {
                return p;
            }
        }
        // SAFETY: the caller's arguments, forwarded as is.
        unsafe { HugePages.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some((mut t, i)) = spilled(ptr, layout.size()) {
            unmap(&mut t, i);
            return;
        }
        // SAFETY: the caller's arguments, forwarded as is.
        unsafe { HugePages.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if let Some((mut t, i)) = spilled(ptr, old) {
            let Some(m) = t.slots.get(i).copied() else {
                return std::ptr::null_mut();
            };
            if new_size >= THRESHOLD.load(Relaxed) {
                // Grow or shrink the file and its mapping.
                let len = new_size.next_multiple_of(page());
                if len > m.len && !reserve(m.fd, m.len, len - m.len) {
                    return std::ptr::null_mut();
                }
                // SAFETY: our mapping, resized; the kernel moves it if it must.
                let p = unsafe {
                    libc::mremap(
                        m.addr as *mut libc::c_void,
                        m.len,
                        len,
                        libc::MREMAP_MAYMOVE,
                    )
                };
                if p == libc::MAP_FAILED {
                    return std::ptr::null_mut();
                }
                if len < m.len {
                    // SAFETY: our descriptor; the pages past `len` are unmapped.
                    unsafe { libc::ftruncate(m.fd, len as libc::off_t) };
                    SPILLED.fetch_sub((m.len - len) as u64, Relaxed);
                } else {
                    add_spilled(len - m.len);
                }
                if let Some(s) = t.slots.get_mut(i) {
                    s.addr = p as usize;
                    s.len = len;
                }
                return p.cast();
            }
            // Small again: back to the system allocator.
            // SAFETY: a valid layout (the caller's alignment, a smaller size).
            let q = unsafe {
                HugePages.alloc(Layout::from_size_align_unchecked(new_size, layout.align()))
            };
            if !q.is_null() {
                // SAFETY: both blocks are live and at least `new_size` long.
                unsafe { std::ptr::copy_nonoverlapping(ptr, q, new_size) };
                unmap(&mut t, i);
            }
            return q;
        }
        if new_size > old && should_spill(new_size, layout.align()) {
            let q = map_file(new_size);
            if !q.is_null() {
                // SAFETY: the old block holds `old` bytes, the new one more.
                unsafe {
                    std::ptr::copy_nonoverlapping(ptr, q, old);
                    HugePages.dealloc(ptr, layout);
                }
                return q;
            }
        }
        // SAFETY: the caller's arguments, forwarded as is.
        unsafe { HugePages.realloc(ptr, layout, new_size) }
    }
}

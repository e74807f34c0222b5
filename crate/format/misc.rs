//! Records of the JDK 6 HPROF agent that heap analysis only counts:
//!
//! ```text
//! ALLOC_SITES:      u2 flags | u4 cutoff ratio (f32 bits) | u4 total live bytes
//!                   | u4 total live instances | u8 total bytes allocated
//!                   | u8 total instances allocated | u4 site count
//!                   | [u1 is_array, u4 class serial, u4 stack serial, u4 live bytes,
//!                      u4 live instances, u4 bytes allocated, u4 instances allocated]*
//! HEAP_SUMMARY:     u4 live bytes | u4 live instances | u8 bytes allocated | u8 instances allocated
//! CPU_SAMPLES:      u4 total samples | u4 trace count | [u4 samples, u4 stack serial]*
//! CONTROL_SETTINGS: u4 flags (bit 0 alloc traces, bit 1 cpu sampling) | u2 stack depth
//! ```

use super::primitives::PResult;
use nom::bytes::streaming::take;
use nom::number::streaming::{be_u16, be_u32, be_u64};

/// Size of one allocation site entry.
pub const ALLOC_SITE_SIZE: usize = 25;

/// An ALLOC_SITES record; the sites stay raw.
#[derive(Clone, Copy, Debug)]
pub struct AllocSites<'a> {
    /// Flags (0x1 incremental, 0x2 sorted by allocation, 0x4 force GC).
    pub flags: u16,
    /// Cutoff ratio.
    pub cutoff_ratio: f32,
    /// Total live bytes.
    pub total_live_bytes: u32,
    /// Total live instances.
    pub total_live_instances: u32,
    /// Total bytes allocated.
    pub total_bytes_allocated: u64,
    /// Total instances allocated.
    pub total_instances_allocated: u64,
    /// Raw site entries, `ALLOC_SITE_SIZE` bytes each.
    pub sites: &'a [u8],
}

/// A HEAP_SUMMARY record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeapSummary {
    /// Live bytes.
    pub live_bytes: u32,
    /// Live instances.
    pub live_instances: u32,
    /// Bytes allocated.
    pub bytes_allocated: u64,
    /// Instances allocated.
    pub instances_allocated: u64,
}

/// A CPU_SAMPLES record; the entries stay raw.
#[derive(Clone, Copy, Debug)]
pub struct CpuSamples<'a> {
    /// Total number of samples.
    pub total: u32,
    /// Raw (samples, stack serial) pairs, 8 bytes each.
    pub traces: &'a [u8],
}

/// A CONTROL_SETTINGS record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControlSettings {
    /// Flags.
    pub flags: u32,
    /// Stack trace depth.
    pub stack_depth: u16,
}

fn checked_len(n: u32, each: usize) -> usize {
    (n as usize).saturating_mul(each)
}

/// Parses an ALLOC_SITES body.
pub fn parse_alloc_sites(i: &[u8]) -> PResult<'_, AllocSites<'_>> {
    let (i, flags) = be_u16(i)?;
    let (i, cutoff) = be_u32(i)?;
    let (i, total_live_bytes) = be_u32(i)?;
    let (i, total_live_instances) = be_u32(i)?;
    let (i, total_bytes_allocated) = be_u64(i)?;
    let (i, total_instances_allocated) = be_u64(i)?;
    let (i, n) = be_u32(i)?;
    let (i, sites) = take(checked_len(n, ALLOC_SITE_SIZE))(i)?;
    Ok((
        i,
        AllocSites {
            flags,
            cutoff_ratio: f32::from_bits(cutoff),
            total_live_bytes,
            total_live_instances,
            total_bytes_allocated,
            total_instances_allocated,
            sites,
        },
    ))
}

/// Parses a HEAP_SUMMARY body.
pub fn parse_heap_summary(i: &[u8]) -> PResult<'_, HeapSummary> {
    let (i, live_bytes) = be_u32(i)?;
    let (i, live_instances) = be_u32(i)?;
    let (i, bytes_allocated) = be_u64(i)?;
    let (i, instances_allocated) = be_u64(i)?;
    Ok((
        i,
        HeapSummary {
            live_bytes,
            live_instances,
            bytes_allocated,
            instances_allocated,
        },
    ))
}

/// Parses a CPU_SAMPLES body.
pub fn parse_cpu_samples(i: &[u8]) -> PResult<'_, CpuSamples<'_>> {
    let (i, total) = be_u32(i)?;
    let (i, n) = be_u32(i)?;
    let (i, traces) = take(checked_len(n, 8))(i)?;
    Ok((i, CpuSamples { total, traces }))
}

/// Parses a CONTROL_SETTINGS body.
pub fn parse_control_settings(i: &[u8]) -> PResult<'_, ControlSettings> {
    let (i, flags) = be_u32(i)?;
    let (i, stack_depth) = be_u16(i)?;
    Ok((i, ControlSettings { flags, stack_depth }))
}

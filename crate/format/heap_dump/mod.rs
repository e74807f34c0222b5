//! Heap-dump sub-records (inside `HEAP_DUMP` / `HEAP_DUMP_SEGMENT`). Each sub-record is a
//! one-byte tag followed by a body whose length follows from the tag and its header;
//! there is no length prefix, so an unknown tag ends the parse.
//!
//! Android's `HEAP_DUMP_INFO` (0xFE) is `u4 heap id | ID heap name`: it switches the heap
//! (zygote, image, app) that the following objects belong to.

pub mod arrays;
pub mod class_dump;
pub mod instance;
pub mod roots;

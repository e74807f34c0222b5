//! Raw HPROF constants, spelled as in the specification.
//!
//! Top-level records (`Tag`) and heap-dump sub-records (`SubTag`) are open newtypes: a
//! value that the specification does not name is still representable, so the reader can
//! report it (with its offset) instead of failing to construct it. Sources:
//! `hprof_b_spec.h` of the JDK 6 HPROF agent and `heapDumper.cpp` (HotSpot) for the
//! standard values; Android's `art/runtime/hprof/hprof.cc` for the `JAVA PROFILE 1.0.3`
//! extensions.

/// A top-level record tag.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Tag(pub u8);

impl Tag {
    /// A UTF8 string: ID, then the bytes (not NUL-terminated).
    pub const HPROF_UTF8: Tag = Tag(0x01);
    /// A class was loaded: u4 class serial, ID class object, u4 stack serial, ID name.
    pub const HPROF_LOAD_CLASS: Tag = Tag(0x02);
    /// A class was unloaded: u4 class serial.
    pub const HPROF_UNLOAD_CLASS: Tag = Tag(0x03);
    /// A stack frame: ID frame, ID method, ID signature, ID source file, u4 class serial, i4 line.
    pub const HPROF_FRAME: Tag = Tag(0x04);
    /// A stack trace: u4 serial, u4 thread serial, u4 count, ID frames.
    pub const HPROF_TRACE: Tag = Tag(0x05);
    /// Allocation sites (JDK 6 HPROF agent).
    pub const HPROF_ALLOC_SITES: Tag = Tag(0x06);
    /// Heap summary: u4 live bytes, u4 live instances, u8 bytes allocated, u8 instances allocated.
    pub const HPROF_HEAP_SUMMARY: Tag = Tag(0x07);
    /// A thread started: u4 serial, ID thread object, u4 stack serial, ID name, ID group, ID parent group.
    pub const HPROF_START_THREAD: Tag = Tag(0x0A);
    /// A thread ended: u4 serial.
    pub const HPROF_END_THREAD: Tag = Tag(0x0B);
    /// A whole heap dump in one record (JAVA PROFILE 1.0.1).
    pub const HPROF_HEAP_DUMP: Tag = Tag(0x0C);
    /// CPU samples: u4 total, u4 count, then (u4 samples, u4 stack serial) pairs.
    pub const HPROF_CPU_SAMPLES: Tag = Tag(0x0D);
    /// Control settings: u4 flags, u2 stack depth.
    pub const HPROF_CONTROL_SETTINGS: Tag = Tag(0x0E);
    /// One segment of a heap dump (JAVA PROFILE 1.0.2).
    pub const HPROF_HEAP_DUMP_SEGMENT: Tag = Tag(0x1C);
    /// The end of a segmented heap dump.
    pub const HPROF_HEAP_DUMP_END: Tag = Tag(0x2C);

    /// The specification's name of this tag, or `None` for a value it does not define.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Tag::HPROF_UTF8 => "UTF8",
            Tag::HPROF_LOAD_CLASS => "LOAD_CLASS",
            Tag::HPROF_UNLOAD_CLASS => "UNLOAD_CLASS",
            Tag::HPROF_FRAME => "FRAME",
            Tag::HPROF_TRACE => "TRACE",
            Tag::HPROF_ALLOC_SITES => "ALLOC_SITES",
            Tag::HPROF_HEAP_SUMMARY => "HEAP_SUMMARY",
            Tag::HPROF_START_THREAD => "START_THREAD",
            Tag::HPROF_END_THREAD => "END_THREAD",
            Tag::HPROF_HEAP_DUMP => "HEAP_DUMP",
            Tag::HPROF_CPU_SAMPLES => "CPU_SAMPLES",
            Tag::HPROF_CONTROL_SETTINGS => "CONTROL_SETTINGS",
            Tag::HPROF_HEAP_DUMP_SEGMENT => "HEAP_DUMP_SEGMENT",
            Tag::HPROF_HEAP_DUMP_END => "HEAP_DUMP_END",
            _ => return None,
        })
    }
}

/// A heap-dump sub-record tag.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SubTag(pub u8);

impl SubTag {
    /// Root of unknown kind: ID.
    pub const HPROF_GC_ROOT_UNKNOWN: SubTag = SubTag(0xFF);
    /// JNI global reference: ID object, ID JNI global ref.
    pub const HPROF_GC_ROOT_JNI_GLOBAL: SubTag = SubTag(0x01);
    /// JNI local reference: ID, u4 thread serial, u4 frame number.
    pub const HPROF_GC_ROOT_JNI_LOCAL: SubTag = SubTag(0x02);
    /// Java stack frame local: ID, u4 thread serial, u4 frame number.
    pub const HPROF_GC_ROOT_JAVA_FRAME: SubTag = SubTag(0x03);
    /// Native stack: ID, u4 thread serial.
    pub const HPROF_GC_ROOT_NATIVE_STACK: SubTag = SubTag(0x04);
    /// System class: ID.
    pub const HPROF_GC_ROOT_STICKY_CLASS: SubTag = SubTag(0x05);
    /// Reference from a thread block: ID, u4 thread serial.
    pub const HPROF_GC_ROOT_THREAD_BLOCK: SubTag = SubTag(0x06);
    /// Busy monitor: ID.
    pub const HPROF_GC_ROOT_MONITOR_USED: SubTag = SubTag(0x07);
    /// Thread object: ID, u4 thread serial, u4 stack trace serial.
    pub const HPROF_GC_ROOT_THREAD_OBJ: SubTag = SubTag(0x08);
    /// Class dump (see `heap_dump::class_dump`).
    pub const HPROF_GC_CLASS_DUMP: SubTag = SubTag(0x20);
    /// Instance dump: ID, u4 stack serial, ID class, u4 length, field bytes.
    pub const HPROF_GC_INSTANCE_DUMP: SubTag = SubTag(0x21);
    /// Object array: ID, u4 stack serial, u4 length, ID array class, IDs.
    pub const HPROF_GC_OBJ_ARRAY_DUMP: SubTag = SubTag(0x22);
    /// Primitive array: ID, u4 stack serial, u4 length, u1 element type, elements.
    pub const HPROF_GC_PRIM_ARRAY_DUMP: SubTag = SubTag(0x23);

    // Android (`JAVA PROFILE 1.0.3`), art/runtime/hprof/hprof.cc `HprofHeapTag`.
    /// Android: which heap the following objects belong to: u4 heap id, ID heap name.
    pub const HPROF_HEAP_DUMP_INFO: SubTag = SubTag(0xFE);
    /// Android: interned string root: ID.
    pub const HPROF_ROOT_INTERNED_STRING: SubTag = SubTag(0x89);
    /// Android (obsolete): object awaiting finalization: ID.
    pub const HPROF_ROOT_FINALIZING: SubTag = SubTag(0x8A);
    /// Android: debugger root: ID.
    pub const HPROF_ROOT_DEBUGGER: SubTag = SubTag(0x8B);
    /// Android (obsolete): reference cleanup root: ID.
    pub const HPROF_ROOT_REFERENCE_CLEANUP: SubTag = SubTag(0x8C);
    /// Android: VM-internal root: ID.
    pub const HPROF_ROOT_VM_INTERNAL: SubTag = SubTag(0x8D);
    /// Android: JNI monitor: ID, u4 thread serial, u4 stack depth.
    pub const HPROF_ROOT_JNI_MONITOR: SubTag = SubTag(0x8E);
    /// Android (obsolete): unreachable object: ID.
    pub const HPROF_UNREACHABLE: SubTag = SubTag(0x90);
    /// Android (obsolete): primitive array without its data: ID, u4 stack serial, u4 length, u1 type.
    pub const HPROF_PRIMITIVE_ARRAY_NODATA_DUMP: SubTag = SubTag(0xC3);

    /// The specification's name of this sub-tag, or `None` for a value it does not define.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            SubTag::HPROF_GC_ROOT_UNKNOWN => "ROOT_UNKNOWN",
            SubTag::HPROF_GC_ROOT_JNI_GLOBAL => "ROOT_JNI_GLOBAL",
            SubTag::HPROF_GC_ROOT_JNI_LOCAL => "ROOT_JNI_LOCAL",
            SubTag::HPROF_GC_ROOT_JAVA_FRAME => "ROOT_JAVA_FRAME",
            SubTag::HPROF_GC_ROOT_NATIVE_STACK => "ROOT_NATIVE_STACK",
            SubTag::HPROF_GC_ROOT_STICKY_CLASS => "ROOT_STICKY_CLASS",
            SubTag::HPROF_GC_ROOT_THREAD_BLOCK => "ROOT_THREAD_BLOCK",
            SubTag::HPROF_GC_ROOT_MONITOR_USED => "ROOT_MONITOR_USED",
            SubTag::HPROF_GC_ROOT_THREAD_OBJ => "ROOT_THREAD_OBJ",
            SubTag::HPROF_GC_CLASS_DUMP => "CLASS_DUMP",
            SubTag::HPROF_GC_INSTANCE_DUMP => "INSTANCE_DUMP",
            SubTag::HPROF_GC_OBJ_ARRAY_DUMP => "OBJ_ARRAY_DUMP",
            SubTag::HPROF_GC_PRIM_ARRAY_DUMP => "PRIM_ARRAY_DUMP",
            SubTag::HPROF_HEAP_DUMP_INFO => "HEAP_DUMP_INFO",
            SubTag::HPROF_ROOT_INTERNED_STRING => "ROOT_INTERNED_STRING",
            SubTag::HPROF_ROOT_FINALIZING => "ROOT_FINALIZING",
            SubTag::HPROF_ROOT_DEBUGGER => "ROOT_DEBUGGER",
            SubTag::HPROF_ROOT_REFERENCE_CLEANUP => "ROOT_REFERENCE_CLEANUP",
            SubTag::HPROF_ROOT_VM_INTERNAL => "ROOT_VM_INTERNAL",
            SubTag::HPROF_ROOT_JNI_MONITOR => "ROOT_JNI_MONITOR",
            SubTag::HPROF_UNREACHABLE => "ROOT_UNREACHABLE",
            SubTag::HPROF_PRIMITIVE_ARRAY_NODATA_DUMP => "PRIMITIVE_ARRAY_NODATA",
            _ => return None,
        })
    }
}

/// A basic (field or array element) type code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct BasicType(pub u8);

impl BasicType {
    /// An object reference (an ID).
    pub const OBJECT: BasicType = BasicType(2);
    /// `boolean`, 1 byte.
    pub const BOOLEAN: BasicType = BasicType(4);
    /// `char`, 2 bytes.
    pub const CHAR: BasicType = BasicType(5);
    /// `float`, 4 bytes.
    pub const FLOAT: BasicType = BasicType(6);
    /// `double`, 8 bytes.
    pub const DOUBLE: BasicType = BasicType(7);
    /// `byte`, 1 byte.
    pub const BYTE: BasicType = BasicType(8);
    /// `short`, 2 bytes.
    pub const SHORT: BasicType = BasicType(9);
    /// `int`, 4 bytes.
    pub const INT: BasicType = BasicType(10);
    /// `long`, 8 bytes.
    pub const LONG: BasicType = BasicType(11);

    /// The size of a value of this type in the dump, or `None` for an undefined code.
    /// Object references take the dump's identifier size.
    #[inline]
    pub fn size_in_dump(self, id_size: u8) -> Option<u8> {
        Some(match self.0 {
            2 => id_size,
            4 | 8 => 1,
            5 | 9 => 2,
            6 | 10 => 4,
            7 | 11 => 8,
            _ => return None,
        })
    }

    /// The Java name of the type (`int`, `java.lang.Object`).
    pub fn java_name(self) -> &'static str {
        match self.0 {
            2 => "java.lang.Object",
            4 => "boolean",
            5 => "char",
            6 => "float",
            7 => "double",
            8 => "byte",
            9 => "short",
            10 => "int",
            11 => "long",
            _ => "<invalid type>",
        }
    }

    /// The primitive type named `name` (`int`): the inverse of [`BasicType::java_name`]
    /// for the eight primitive types; `None` for any other name.
    pub fn from_java_name(name: &str) -> Option<BasicType> {
        Some(match name {
            "boolean" => BasicType::BOOLEAN,
            "char" => BasicType::CHAR,
            "float" => BasicType::FLOAT,
            "double" => BasicType::DOUBLE,
            "byte" => BasicType::BYTE,
            "short" => BasicType::SHORT,
            "int" => BasicType::INT,
            "long" => BasicType::LONG,
            _ => return None,
        })
    }
}

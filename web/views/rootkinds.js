// GC root kinds in Eclipse MAT's words. The analysis names them in snake_case (the JSON
// keys of `heapscope summary --json`, crate/format/heap_dump/roots.rs); the page shows
// these labels, and exports keep the keys.

export const ROOT_KINDS = {
  unknown: 'Unknown',
  jni_global: 'JNI global',
  jni_local: 'JNI local',
  java_frame: 'Java local',
  native_stack: 'Native stack',
  sticky_class: 'System class',
  thread_block: 'Thread block',
  monitor_used: 'Busy monitor',
  thread_object: 'Thread',
  // Android's kinds.
  interned_string: 'Interned string',
  finalizing: 'Finalizable',
  debugger: 'Debugger',
  reference_cleanup: 'Reference cleanup',
  vm_internal: 'VM internal',
  jni_monitor: 'JNI monitor',
  unreachable: 'Unreachable',
};

/** The label of a root kind (`java_frame` → `Java local`); an unknown key as it is. */
export const rootKind = (kind) => ROOT_KINDS[kind] ?? kind;

/** Several kinds, as a list for a sentence. */
export const rootKinds = (kinds) => kinds.map(rootKind).join(', ');

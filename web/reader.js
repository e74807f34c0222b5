// The file reader: a worker that web/worker.js starts for each pass (and each redacted
// copy) to read the file from its start, so that reading runs on another core while the
// module parses. The analysis worker sends `{file, chunk, buffers}` (ArrayBuffers of
// `chunk` bytes, transferred); this worker fills each from the file in order and sends it
// back `{buffer, length}` (transferred: no copy), then `{length: 0}` once the file ends;
// the analysis worker returns each buffer `{buffer}` when the module has parsed it. A
// failed read is `{error}`. The buffers are filled by a BYOB reader of the Blob's stream
// where the browser has one (no fresh ArrayBuffer per chunk), else by `Blob.slice()`.
// Nothing read leaves the page: the bytes only go to the analysis worker.
let file = null;
let chunk = 0;
let stream = null;
let offset = 0;
let ended = false;
let busy = false;
const free = [];

self.onmessage = (e) => {
  const d = e.data;
  if (d.file) {
    ({ file, chunk } = d);
    free.push(...d.buffers);
    try {
      stream = file.stream().getReader({ mode: 'byob' });
    } catch {
      stream = null; // no BYOB reader for a Blob's stream here: slices instead
    }
  } else if (d.buffer) {
    free.push(d.buffer);
  }
  pump();
};

/** Fills the free buffers in file order and sends them, until the file ends. */
async function pump() {
  if (busy) return;
  busy = true;
  try {
    while (free.length > 0 && !ended) {
      let buffer = free.pop();
      let got = 0;
      if (stream) {
        while (got < chunk) {
          // The stream moves the buffer into each read's result.
          const { done, value } = await stream.read(new Uint8Array(buffer, got, chunk - got));
          if (value) buffer = value.buffer;
          if (done || !value) break;
          got += value.byteLength;
        }
      } else {
        const end = Math.min(offset + chunk, file.size);
        if (offset < end) {
          const b = new Uint8Array(await file.slice(offset, end).arrayBuffer());
          new Uint8Array(buffer).set(b);
          got = b.byteLength;
        }
      }
      offset += got;
      if (got > 0) self.postMessage({ buffer, length: got }, [buffer]);
      if (got < chunk || offset >= file.size) {
        ended = true;
        self.postMessage({ length: 0 });
      }
    }
  } catch (e) {
    ended = true;
    self.postMessage({ error: String(e?.message ?? e) });
  }
  busy = false;
}

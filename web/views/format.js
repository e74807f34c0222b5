// Number formatting for display. Exact values stay in data-value attributes and exports.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1.5 MiB` (binary units), `512 B`. */
export function bytes(n) {
  let v = n;
  let u = 0;
  while (v >= 1024 && u + 1 < UNITS.length) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}

const grouping = new Intl.NumberFormat('en-US');

/**
 * `1 234 567`: digits in groups of three, as the CLI and the module's messages write them
 * (one style in every locale; a no-break space here, so that a number never wraps).
 */
export function count(n) {
  return grouping.format(n).replace(/,/g, '\u00a0');
}

/** `12.3 %` of a total (`–` without one). */
export function percent(part, total) {
  if (!total) return '–';
  const p = (100 * part) / total;
  return `${p < 0.1 && p > 0 ? '<0.1' : p.toFixed(1)} %`;
}

/** Milliseconds for people: `850 ms`, `2.4 s`. */
export function duration(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A time span for people: `45 s`, `50 min`, `2.5 h`, `3.0 d`. */
export function span(ms) {
  const s = Math.abs(ms) / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

// The class histogram: every class with instances, filterable by a substring of its name
// and sortable by any column. Rows: data-class="<java name>"; cells data-col + data-value.

import { h } from './dom.js';
import * as fmt from './format.js';
import { VirtualTable } from './vtable.js';

/** Columns of the histogram (a `retained` column joins when retained sizes exist). */
function columns(totalBytes) {
  return [
    { key: 'class', csv: 'class', title: 'Class', kind: 'text', width: 'minmax(14rem, 1fr)', cellClass: 'mono', value: (r) => r.name },
    { key: 'instances', csv: 'instances', title: 'Instances', kind: 'count', width: '9rem', value: (r) => r.instances },
    {
      key: 'shallow', csv: 'shallow_bytes', title: 'Shallow size', kind: 'bytes', width: '13rem', value: (r) => r.shallow_bytes,
      decorate: (el, _r, v) => {
        const share = totalBytes ? v / totalBytes : 0;
        const bar = h('span', { class: 'share', attrs: { 'aria-hidden': 'true' } });
        // The bar (share of the heap) takes at most the left 45 % of the cell; the size is
        // right-aligned after it.
        bar.style.width = `${(share * 45).toFixed(2)}%`;
        el.title = `${fmt.count(v)} bytes, ${fmt.percent(v, totalBytes)} of the heap`;
        el.append(bar);
      },
    },
  ];
}

export class HistogramView {
  /**
   * @param {object} o
   * @param {import('../protocol.js').Histogram} o.histogram
   * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
   */
  constructor({ histogram, onExport }) {
    this.all = histogram.classes;
    this.lower = this.all.map((r) => r.name.toLowerCase());
    this.totals = { classes: this.all.length, instances: histogram.total_instances, bytes: histogram.total_shallow_bytes };
    this.columns = columns(histogram.total_shallow_bytes);
    this.table = new VirtualTable({
      columns: this.columns,
      rowData: (r) => ({ class: r.name }),
      sort: { key: 'shallow', desc: true },
      testid: 'histogram',
      label: 'Class histogram',
    });
    this.filter = h('input', {
      type: 'search', class: 'filter', placeholder: 'Filter classes by name…', autocomplete: 'off', spellcheck: false,
      data: { testid: 'histogram-filter' }, attrs: { 'aria-label': 'Filter classes by a part of their name' },
      on: { input: () => this.apply() },
    });
    this.counts = h('p', { class: 'muted counts', attrs: { 'aria-live': 'polite' } });
    const exportButton = h('button', {
      class: 'secondary small', type: 'button', text: 'Export CSV', data: { testid: 'export-histogram' },
      title: 'The rows shown, in the order shown',
      on: { click: () => onExport('histogram', this.columns, this.table.displayed()) },
    });
    this.el = h('section', { class: 'view-histogram' },
      h('div', { class: 'toolbar' }, this.filter, this.counts, exportButton),
      this.table.el);
    this.apply();
  }

  apply() {
    const q = this.filter.value.trim().toLowerCase();
    const rows = q ? this.all.filter((_, i) => this.lower[i].includes(q)) : this.all;
    const t = this.totals;
    if (q) {
      let instances = 0;
      let bytes = 0;
      for (const r of rows) {
        instances += r.instances;
        bytes += r.shallow_bytes;
      }
      this.counts.textContent = `${fmt.count(rows.length)} of ${fmt.count(t.classes)} classes · ${fmt.count(instances)} objects · ${fmt.bytes(bytes)} (${fmt.percent(bytes, t.bytes)})`;
    } else {
      this.counts.textContent = `${fmt.count(t.classes)} classes · ${fmt.count(t.instances)} objects · ${fmt.bytes(t.bytes)}`;
    }
    this.table.setRows(rows, 'No class name contains that text.');
  }
}

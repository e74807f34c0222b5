// The class histogram: every class with instances, filterable by a substring of its name
// and sortable by any column. Rows: data-class="<java name>"; cells data-col + data-value.
// A click on a row opens the class page (paths from GC roots, biggest instances and
// immediate dominators are one click on from there).

import { h } from './dom.js';
import * as fmt from './format.js';
import { VirtualTable } from './vtable.js';
import { classHref } from './links.js';
import { className } from './names.js';
import { exportButton, shareBar } from './table.js';

/** Columns of the histogram (a `retained` column joins when retained sizes exist). */
function columns(totalBytes, reachableBytes, withRetained) {
  const retained = {
    key: 'retained', csv: 'retained_bytes', title: 'Retained size ≥', kind: 'bytes', width: '9rem', value: (r) => r.retained_bytes,
    headerTitle: 'Minimum retained size (Eclipse MAT\'s term), a lower bound: the retained sizes of the instances no other instance of the class dominates. '
      + 'What every instance together keeps alive can be more (when they share what they hold): the class page computes it (precise retained size).',
    decorate: (el, _r, v) => {
      el.title = `at least ${fmt.count(v)} bytes, ${fmt.percent(v, reachableBytes)} of the reachable heap, would be freed with every instance (a lower bound; the class page has the precise size)`;
    },
  };
  return [
    {
      key: 'class', csv: 'class', title: 'Class', kind: 'text', width: 'minmax(14rem, 1fr)', cellClass: 'mono', value: (r) => r.name,
      // With the full analysis, the name links to the class page.
      // Long names are cut in the middle (the simple name stays whole); the cell's title has it all.
      decorate: (el, r) => el.replaceChildren(withRetained ? h('a', { href: classHref(r.name) }, className(r.name)) : className(r.name)),
    },
    { key: 'instances', csv: 'instances', title: 'Instances', kind: 'count', width: '9rem', value: (r) => r.instances },
    {
      key: 'shallow', csv: 'shallow_bytes', title: 'Shallow size', kind: 'bytes', width: '13rem', value: (r) => r.shallow_bytes,
      decorate: (el, _r, v) => {
        el.title = `${fmt.count(v)} bytes, ${fmt.percent(v, totalBytes)} of the heap`;
        el.append(shareBar(v, totalBytes));
      },
    },
    withRetained && retained,
  ].filter(Boolean);
}

export class HistogramView {
  /**
   * @param {object} o
   * @param {import('../protocol.js').Histogram} o.histogram
   * @param {number} [o.reachableBytes]  the reachable heap (retained sizes are shares of it)
   * @param {(name: string, columns: any[], rows: any[]) => void} o.onExport
   * @param {string} [o.name]  the table's name: its test hooks (`data-testid`, `-filter`) and CSV file
   * @param {string} [o.label]  what the table is, for assistive technology
   */
  constructor({ histogram, reachableBytes, onExport, name = 'histogram', label = 'Class histogram' }) {
    this.all = histogram.classes;
    this.lower = this.all.map((r) => r.name.toLowerCase());
    this.totals = { classes: this.all.length, instances: histogram.total_instances, bytes: histogram.total_shallow_bytes };
    const withRetained = this.all.some((r) => r.retained_bytes !== undefined);
    this.withRetained = withRetained;
    this.columns = columns(histogram.total_shallow_bytes, reachableBytes, withRetained);
    this.table = new VirtualTable({
      columns: this.columns,
      rowData: (r) => ({ class: r.name }),
      sort: { key: 'shallow', desc: true },
      testid: name,
      label,
    });
    if (withRetained) {
      // The whole row opens the class (the name is also a link, for the keyboard).
      this.table.canvas.classList.add('clickable');
      this.table.canvas.addEventListener('click', (e) => {
        const row = e.target.closest('[data-class]');
        if (row && !e.target.closest('a')) location.hash = classHref(row.dataset.class);
      });
    }
    this.filter = h('input', {
      type: 'search', class: 'filter', placeholder: 'Filter classes by name…', autocomplete: 'off', spellcheck: false,
      data: { testid: `${name}-filter` }, attrs: { 'aria-label': 'Filter classes by a part of their name' },
      on: { input: () => this.apply() },
    });
    this.counts = h('p', { class: 'muted counts', attrs: { 'aria-live': 'polite' } });
    const exportCsv = exportButton(name, () => onExport(name, this.columns, this.table.displayed()), 'The rows shown, in the order shown');
    this.el = h('section', { class: 'view-histogram' },
      h('div', { class: 'toolbar' }, this.filter, this.counts, exportCsv),
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
      this.counts.textContent = `${fmt.count(rows.length)} of ${fmt.count(t.classes)} classes with instances · ${fmt.count(instances)} objects · ${fmt.bytes(bytes)} shallow (${fmt.percent(bytes, t.bytes)})`;
    } else {
      this.counts.textContent = `${fmt.count(t.classes)} classes with instances · ${fmt.count(t.instances)} objects · ${fmt.bytes(t.bytes)} shallow`;
    }
    if (this.withRetained) {
      // Shallow counts every object; retained sizes only reachable ones.
      this.counts.textContent += ' · shallow sizes include unreachable objects, retained sizes do not';
    }
    this.table.setRows(rows, 'No class name contains that text.');
  }
}

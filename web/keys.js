// The page's keyboard: `/` focuses the current view's filter (or search) box; in a tree —
// the dominator tree, its grouped form, the grouped histogram, the paths from GC roots —
// ArrowUp and ArrowDown move between the rows shown, ArrowRight opens a row (or goes to
// its first child when open), ArrowLeft closes it (or goes to its parent), Home and End go
// to the first and last row; the focus is on the row's link, so Enter follows it.

/** Whether keys typed at `el` are text (not commands). */
const typing = (el) => el instanceof Element && (el.closest('input, textarea, select, [contenteditable=""], [contenteditable=true]') !== null);

const visible = (el) => el.getClientRects().length > 0;

/** The tree a focused element is in, and its row. */
function treeOf(el) {
  const li = el.closest('.ptree li.pnode');
  if (li) return { tree: li.closest('.ptree.top') ?? li.closest('.ptree'), row: li, rows: (t) => [...t.querySelectorAll('li.pnode')] };
  const tr = el.closest('table.tree tbody tr');
  if (tr) return { tree: tr.closest('table'), row: tr, rows: (t) => [...t.tBodies].flatMap((b) => [...b.rows]) };
  return null;
}

/** A row's own line (a path node holds its children's rows too). */
const line = (row) => (row.matches('li') ? row.querySelector(':scope > .pnode-line') ?? row : row);

/** What to focus in a row: its object link, else any link, else a button (Show more, a toggle). */
function target(row) {
  const own = line(row);
  return own.querySelector('a.obj') ?? own.querySelector('a[href]') ?? own.querySelector('button:not(.toggle)') ?? own.querySelector('button');
}

const toggleOf = (row) => line(row).querySelector('button.toggle');

/** The row above `row` that holds it (path nodes nest; table rows by data-depth). */
function parentRow(ctx) {
  const { row } = ctx;
  if (row.matches('li')) return row.parentElement?.closest('li.pnode') ?? null;
  const d = Number(row.dataset.depth);
  if (!Number.isFinite(d) || d === 0) return null;
  for (let r = row.previousElementSibling; r; r = r.previousElementSibling) {
    if (Number(r.dataset.depth) < d) return r;
  }
  return null;
}

/** A row's identity across re-renders (the dominator tree rebuilds its rows on a toggle). */
const rowKey = (row) => JSON.stringify({ ...row.dataset });

/**
 * After a toggle the view may replace its rows (at once, and again when the children
 * arrive): the focus goes to the row of the same identity until the user moves it.
 */
function keepFocus(tree, key, rows) {
  const observer = new MutationObserver(() => {
    const a = document.activeElement;
    if (a && a !== document.body && tree.contains(a) && rowKey(treeOf(a)?.row ?? a) === key) return;
    if (a && a !== document.body) {
      observer.disconnect(); // the user went elsewhere
      return;
    }
    const row = rows(tree).find((r) => rowKey(r) === key);
    target(row ?? tree)?.focus({ preventScroll: true });
  });
  observer.observe(tree, { childList: true, subtree: true });
  setTimeout(() => observer.disconnect(), 30_000);
}

function moveTo(row) {
  const t = row && target(row);
  if (!t) return false;
  t.focus();
  t.scrollIntoView({ block: 'nearest' });
  return true;
}

function treeKey(e) {
  const ctx = treeOf(e.target);
  if (!ctx || !ctx.tree) return false;
  const rows = ctx.rows(ctx.tree).filter((r) => visible(line(r)) && target(r));
  const i = rows.indexOf(ctx.row);
  const toggle = toggleOf(ctx.row);
  const open = toggle?.getAttribute('aria-expanded') === 'true';
  switch (e.key) {
    case 'ArrowDown':
      return moveTo(rows[i + 1]) || true;
    case 'ArrowUp':
      return moveTo(rows[i - 1]) || true;
    case 'Home':
      return moveTo(rows[0]);
    case 'End':
      return moveTo(rows[rows.length - 1]);
    case 'ArrowRight':
      if (toggle && !open) {
        keepFocus(ctx.tree, rowKey(ctx.row), ctx.rows);
        toggle.click();
        return true;
      }
      return (open && moveTo(rows[i + 1])) || true;
    case 'ArrowLeft':
      if (toggle && open) {
        keepFocus(ctx.tree, rowKey(ctx.row), ctx.rows);
        toggle.click();
        return true;
      }
      return moveTo(parentRow(ctx)) || true;
    default:
      return false;
  }
}

/** Listens on the document for the keys above; `view` is the element views are shown in. */
export function installKeys(view) {
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === '/' && !typing(e.target)) {
      const box = [...view.querySelectorAll('input.filter, input[type=search]')].find(visible);
      if (!box) return;
      e.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (typing(e.target) || !(e.target instanceof Element) || !view.contains(e.target)) return;
    if (treeKey(e)) e.preventDefault();
  });
}

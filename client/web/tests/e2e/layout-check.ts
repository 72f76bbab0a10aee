// Measures a page's layout the way a reader would notice it going wrong: text wider than its box, a word broken
// across two lines, text printed over other text, a page wider than the screen. Runs in the page (bounding boxes of
// the rendered layout), returns a readable line per finding.
import type { Page } from 'playwright-core';

export interface LayoutFinding {
  kind: 'overflow' | 'broken-word' | 'overlap' | 'page-too-wide';
  what: string;
}

/** Checks everything under `root` (a CSS selector; the whole page by default). */
export async function layoutFindings(page: Page, root = 'body'): Promise<LayoutFinding[]> {
  return page.evaluate((rootSel) => {
    const out: { kind: 'overflow' | 'broken-word' | 'overlap' | 'page-too-wide'; what: string }[] = [];
    const describe = (el: Element) => {
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
      const cls = el.getAttribute('class') ?? '';
      return `<${el.tagName.toLowerCase()}${cls ? ` class="${cls}"` : ''}> "${text}"`;
    };
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) return false; // not rendered, or visually hidden (clipped to 1 px)
      // Inside a closed <details>, under display: none or visibility: hidden: laid out, but not seen.
      return el.checkVisibility({ checkVisibilityCSS: true, contentVisibilityAuto: true });
    };
    // Clipped to 1 px on purpose (for screen readers only): nothing inside is seen.
    const visuallyHidden = (el: Element) => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const r = e.getBoundingClientRect();
        if (r.width <= 1 && r.height <= 1) return true;
      }
      return false;
    };
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1)
      out.push({ kind: 'page-too-wide', what: `page is ${doc.scrollWidth} px wide in a ${window.innerWidth} px window` });
    const rootEl = document.querySelector(rootSel);
    if (!rootEl) return [{ kind: 'overflow', what: `no ${rootSel}` }];
    const all = [rootEl, ...Array.from(rootEl.querySelectorAll("*"))].filter(
      (el) => !['SCRIPT', 'STYLE', 'svg', 'path', 'OPTION', 'TEXTAREA', 'INPUT', 'SELECT'].includes(el.tagName) && shown(el),
    );
    // 1. Content wider than its box, where the box neither scrolls nor is meant to (a scroll container is fine).
    for (const el of all) {
      const s = getComputedStyle(el);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll') continue;
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && !visuallyHidden(el))
        out.push({ kind: 'overflow', what: `${describe(el)} holds ${el.scrollWidth} px in ${el.clientWidth} px` });
    }
    // 2. A word split over two lines (an overflow-wrap: anywhere in a box too narrow), and the boxes of text for 3.
    const textBoxes: { el: Element; rect: DOMRect }[] = [];
    const walker = document.createTreeWalker(rootEl, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n as Text;
      const parent = t.parentElement;
      if (!parent || !shown(parent) || visuallyHidden(parent) || !t.data.trim()) continue;
      if (['OPTION', 'SCRIPT', 'STYLE', 'TEXTAREA'].includes(parent.tagName)) continue;
      // A word as a line may not be broken: a break after a dash or a slash ("01–03", "28/11") is the browser's
      // ordinary break opportunity, not a word cut in two.
      const re = /[^\s\-–/]+[-–/]?/g;
      for (let m = re.exec(t.data); m; m = re.exec(t.data)) {
        range.setStart(t, m.index);
        range.setEnd(t, m.index + m[0].length);
        const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0.5);
        // A word on two lines has rects on two rows (one rect per line box).
        const rows = new Set(rects.map((r) => Math.round(r.top)));
        if (rows.size > 1 && m[0].length > 1) out.push({ kind: 'broken-word', what: `"${m[0]}" in ${describe(parent)}` });
        for (const r of rects) textBoxes.push({ el: parent, rect: r });
      }
    }
    // 3. Text over other text: words of two different elements whose boxes intersect (more than a pixel).
    const overlaps = new Set<string>();
    for (let i = 0; i < textBoxes.length; ++i) {
      const a = textBoxes[i];
      for (let j = i + 1; j < textBoxes.length; ++j) {
        const b = textBoxes[j];
        if (a.el === b.el) continue;
        const w = Math.min(a.rect.right, b.rect.right) - Math.max(a.rect.left, b.rect.left);
        const h = Math.min(a.rect.bottom, b.rect.bottom) - Math.max(a.rect.top, b.rect.top);
        if (w > 1 && h > 1) {
          const key = `${describe(a.el)} × ${describe(b.el)}`;
          if (!overlaps.has(key)) overlaps.add(key);
        }
      }
    }
    for (const k of overlaps) out.push({ kind: 'overlap', what: k });
    return out;
  }, root);
}

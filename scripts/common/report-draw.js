// Drawing helpers the kit's reports share: SVG elements, times and numbers in the reader's
// language, axes, the black-and-white patterns, and labels placed so that none hides another.
const SVG_NS = 'http://www.w3.org/2000/svg';

function readData(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

function svgEl(parent, tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function htmlEl(parent, tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

/** A number with the reader's decimal separator. */
function num(n, digits, decimal) {
  return n.toFixed(digits).replace('.', decimal);
}

/** A time of day, UTC, as the reports print it: HH:MM:SS, or with tenths. */
function clock(ms, tenths) {
  const s = new Date(ms).toISOString();
  return tenths ? s.substring(11, 21) : s.substring(11, 19);
}

function linear(d0, d1, r0, r1) {
  const k = (r1 - r0) / ((d1 - d0) || 1);
  return v => r0 + (v - d0) * k;
}

/** A round step that cuts a span into about that many parts. */
function niceStep(span, parts) {
  const raw = span / parts;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** Fills that still tell apart on a black-and-white page: plain, hatched, dotted. */
function definePatterns(svg) {
  const defs = svgEl(svg, 'defs');
  const hatch = svgEl(defs, 'pattern', {id: 'hatch', width: 4, height: 4, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)'});
  svgEl(hatch, 'rect', {width: 4, height: 4, fill: '#dd6b20'});
  svgEl(hatch, 'line', {x1: 0, y1: 0, x2: 0, y2: 4, stroke: '#ffffff', 'stroke-width': 1.5});
  const dots = svgEl(defs, 'pattern', {id: 'dots', width: 5, height: 5, patternUnits: 'userSpaceOnUse'});
  svgEl(dots, 'rect', {width: 5, height: 5, fill: '#fbe3e6'});
  svgEl(dots, 'circle', {cx: 2.5, cy: 2.5, r: 0.9, fill: '#b00020'});
  const stripes = svgEl(defs, 'pattern', {id: 'stripes', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(-45)'});
  svgEl(stripes, 'rect', {width: 6, height: 6, fill: '#fff3c4'});
  svgEl(stripes, 'line', {x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#8a5a00', 'stroke-width': 1});
}

/**
 * Places labels in rows above a plot so that none overlaps another: each goes into the first
 * row where it clears every label already there, measured as the browser draws it, on the right
 * of its time or, near the right edge, on the left; further away only when nothing closer is clear. Returns how many rows were used; each item
 * gets its row and the text element, to be moved once the plot's top is known.
 */
function placeLabels(group, items, left, right, rowHeight) {
  // Each item's line runs down from its own label through the rows below it: a label is put in
  // a row, on the right of its mark or else on its left, only where it overlaps no label of that
  // row, no line of a mark whose label sits above it crosses it, and its own line crosses no
  // label below. Only when no row allows that (marks closer than their labels are wide) is a
  // crossing accepted, in a row of its own.
  const rows = [];
  const placed = [];
  items.sort((a, b) => a.x - b.x);
  const clear = (r, a, b, x) => !(rows[r] || []).some(([p, q]) => a < q + 8 && b + 8 > p)
    && placed.every(p => (p.row < r ? !(p.x >= a - 3 && p.x <= b + 3) : true) && (p.row > r ? !(x >= p.a - 3 && x <= p.b + 3) : true));
  for (const it of items) {
    const t = svgEl(group, 'text', {class: 'label ' + (it.cls || '')}, it.text);
    const w = t.getComputedTextLength();
    // Beside its own mark first; then just past each line that would cross it, nearest first.
    const wanted = [it.x + 3, it.x - 3 - w];
    placed.forEach(p => wanted.push(p.x + 4, p.x - 4 - w));
    // A label stays within 60 px of its mark, or a reader cannot tell whose it is; only when no
    // row has room that close does it go further (its line still leads to it), before a crossing.
    const all = [...new Set(wanted.map(s => Math.min(Math.max(s, left), right - w)))]
      .sort((a, b) => Math.abs(a - it.x) - Math.abs(b - it.x));
    const near = all.filter(s => it.x >= s - 60 && it.x <= s + w + 60);
    if (!near.length) near.push(Math.min(Math.max(it.x + 3, left), right - w));
    let row = -1, start = near[0];
    for (const sides of [near, all]) {
      for (let r = 0; r <= rows.length && row < 0; r++) {
        for (const s of sides) if (row < 0 && clear(r, s, s + w, it.x)) { row = r; start = s; }
      }
    }
    if (row < 0) row = rows.length;
    (rows[row] = rows[row] || []).push([start, start + w]);
    placed.push({x: it.x, row: row, a: start, b: start + w});
    t.setAttribute('x', start.toFixed(1));
    it.row = row;
    it.el = t;
  }
  return rows.length;
}

/** An x axis of times, UTC, with a tick every round step and its title. */
function timeAxis(svg, x, from, to, y, title) {
  const g = svgEl(svg, 'g', {class: 'axis'});
  svgEl(g, 'line', {x1: x(from), x2: x(to), y1: y, y2: y});
  const span = to - from;
  const step = niceStep(span, 10);
  const tenths = step < 1000;
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    svgEl(g, 'line', {x1: x(t), x2: x(t), y1: y, y2: y + 4});
    svgEl(g, 'text', {x: x(t), y: y + 16, 'text-anchor': 'middle'}, clock(t, tenths));
  }
  svgEl(g, 'text', {x: (x(from) + x(to)) / 2, y: y + 32, 'text-anchor': 'middle'}, title);
}

/** A y axis with a few round ticks and its title, on the left or the right of the plot. */
function valueAxis(svg, y, max, xAt, side, title, format) {
  const g = svgEl(svg, 'g', {class: 'axis'});
  const step = niceStep(max, 4);
  svgEl(g, 'line', {x1: xAt, x2: xAt, y1: y(0), y2: y(max)});
  for (let v = 0; v <= max + 1e-9; v += step) {
    const dx = side === 'left' ? -4 : 4;
    svgEl(g, 'line', {x1: xAt, x2: xAt + dx, y1: y(v), y2: y(v)});
    svgEl(g, 'text', {x: xAt + dx * 1.6, y: y(v) + 4, 'text-anchor': side === 'left' ? 'end' : 'start'}, format(v));
  }
  const tx = side === 'left' ? xAt - 42 : xAt + 46;
  const ty = (y(0) + y(max)) / 2;
  svgEl(g, 'text', {x: tx, y: ty, 'text-anchor': 'middle', transform: `rotate(-90 ${tx} ${ty})`}, title);
}

/** One entry of an HTML legend: a small swatch drawn as the chart draws the thing, and its text. */
function legendItem(list, draw, text) {
  const li = htmlEl(list, 'li');
  const s = svgEl(li, 'svg', {viewBox: '0 0 28 12', width: 28, height: 12});
  draw(s);
  li.appendChild(document.createTextNode(text));
}

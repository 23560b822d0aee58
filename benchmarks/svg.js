'use strict';
// A small line chart in plain SVG: axes with ticks, linear or log scales, one polyline per series,
// a legend. Enough for the three charts of the report; no chart library.

const COLORS = { procdesc: '#d62728', node: '#1f77b4', execa: '#2ca02c', floor: '#555555' };
const FALLBACK_COLORS = ['#9467bd', '#ff7f0e', '#17becf', '#8c564b'];

const W = 760;
const H = 460;
const M = { left: 78, right: 150, top: 48, bottom: 62 };

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function num(x) {
  return Number(x.toFixed(2));
}

function tickLabel(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

/** A scale maps [lo, hi] of the data onto [a, b] pixels; ticks are where to label it. */
function linearScale(lo, hi, a, b) {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / 6;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw);
  const lo2 = Math.floor(lo / step) * step;
  const hi2 = Math.ceil(hi / step) * step;
  const ticks = [];
  for (let v = lo2; v <= hi2 + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  const map = (v) => a + ((v - lo2) / (hi2 - lo2)) * (b - a);
  return { map, ticks };
}

function logScale(lo, hi, a, b) {
  const lo2 = 10 ** Math.floor(Math.log10(lo));
  const hi2 = 10 ** Math.ceil(Math.log10(hi));
  const decades = Math.round(Math.log10(hi2 / lo2));
  const mults = decades <= 2 ? [1, 2, 5] : decades <= 4 ? [1, 3] : [1];
  const ticks = [];
  for (let d = lo2; d <= hi2 * 1.0001; d *= 10) {
    for (const m of mults) if (d * m <= hi2 * 1.0001) ticks.push(Number((d * m).toPrecision(6)));
  }
  const map = (v) => a + (Math.log10(v / lo2) / Math.log10(hi2 / lo2)) * (b - a);
  return { map, ticks };
}

function makeScale(kind, values, a, b, includeZero) {
  if (kind === 'log') values = values.filter((v) => v > 0);
  if (!values.length) values = [1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (kind === 'auto') kind = lo > 0 && hi / lo > 30 ? 'log' : 'linear';
  if (kind === 'log') return { kind, ...logScale(lo, hi, a, b) };
  if (includeZero) lo = Math.min(0, lo);
  return { kind, ...linearScale(lo, hi, a, b) };
}

/**
 * series: [{ name, points: [[x, y], ...] }]. x and y: 'linear', 'log' or 'auto'.
 * markers: draw a dot at each point (for few points).
 */
function lineChart({ title, subtitle, xLabel, yLabel, series, x = 'linear', y = 'auto', markers = true, xTicks }) {
  const pts = series.flatMap((s) => s.points).filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const sx = makeScale(x, xs.length ? xs : [0, 1], M.left, W - M.right, false);
  const sy = makeScale(y, ys.length ? ys : [0, 1], H - M.bottom, M.top, true);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  if (subtitle) out.push(`<text x="${W / 2}" y="37" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`);

  const [x0, x1, y0, y1] = [M.left, W - M.right, H - M.bottom, M.top];
  for (const t of sy.ticks) {
    const py = num(sy.map(t));
    out.push(`<line x1="${x0}" y1="${py}" x2="${x1}" y2="${py}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x0 - 6}" y="${py + 4}" text-anchor="end">${esc(tickLabel(t))}</text>`);
  }
  for (const t of xTicks || sx.ticks) {
    const px = num(sx.map(t));
    out.push(`<line x1="${px}" y1="${y0}" x2="${px}" y2="${y1}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${px}" y="${y0 + 16}" text-anchor="middle">${esc(tickLabel(t))}</text>`);
  }
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="#333"/>`);
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="#333"/>`);
  const xTitle = xLabel + (sx.kind === 'log' ? ' (log scale)' : '');
  const yTitle = yLabel + (sy.kind === 'log' ? ' (log scale)' : '');
  out.push(`<text x="${(x0 + x1) / 2}" y="${H - 18}" text-anchor="middle">${esc(xTitle)}</text>`);
  out.push(`<text transform="translate(18 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(yTitle)}</text>`);

  series.forEach((s, i) => {
    const color = COLORS[s.name] || FALLBACK_COLORS[i % FALLBACK_COLORS.length];
    const ok = s.points.filter(([px, py]) => Number.isFinite(sx.map(px)) && Number.isFinite(sy.map(py)));
    if (ok.length) {
      const d = ok.map(([px, py]) => `${num(sx.map(px))},${num(sy.map(py))}`).join(' ');
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${d}"/>`);
      if (markers) {
        for (const [px, py] of ok) out.push(`<circle cx="${num(sx.map(px))}" cy="${num(sy.map(py))}" r="3.5" fill="${color}"/>`);
      }
    }
    const ly = M.top + 10 + i * 22;
    out.push(`<line x1="${x1 + 16}" y1="${ly}" x2="${x1 + 40}" y2="${ly}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${x1 + 46}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

module.exports = { lineChart };

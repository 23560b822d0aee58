'use strict';
// Order statistics over raw samples.

function sorted(xs) {
  return Float64Array.from(xs).sort();
}

/** The p-th percentile (0..100), linear between closest ranks; null for no samples. */
function percentile(xs, p) {
  if (!xs || xs.length === 0) return null;
  const s = sorted(xs);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

const median = (xs) => percentile(xs, 50);

/** Points of the empirical CDF, as a step line: [[x, fraction], ...]. */
function cdfPoints(xs) {
  const s = sorted(xs);
  const points = [];
  for (let i = 0; i < s.length; i++) {
    points.push([s[i], i / s.length], [s[i], (i + 1) / s.length]);
  }
  return points;
}

/** A markdown table of one scenario's samples per contestant (ms): median, p99, median ÷ the floor's. */
function floorTable(scenario, samples) {
  const floorMedian = median(samples.floor);
  const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;
  const rows = Object.entries(samples).map(([name, t]) =>
    `| ${name} | ${us(median(t))} | ${us(percentile(t, 99))} | ${(median(t) / floorMedian).toFixed(2)} |`);
  return `| contestant (${scenario}) | median | p99 | median ÷ floor |\n| --- | ---: | ---: | ---: |\n${rows.join('\n')}\n`;
}

module.exports = { percentile, median, cdfPoints, floorTable };

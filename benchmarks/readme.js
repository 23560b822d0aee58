'use strict';
// The README's benchmark table, rewritten from the run that also wrote benchmarks/results (so the
// README's table and charts always come from one and the same full run). Only the text between
// the two markers changes; a README without them is left alone.
const fs = require('node:fs');
const path = require('node:path');
const { plural } = require('./report');

const README = path.join(__dirname, '..', 'README.md');
const BEGIN = '<!-- bench-table:begin (written by npm run bench) -->';
const END = '<!-- bench-table:end -->';

function fmt(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toPrecision(3);
}

/** The rows a reader compares first: procdesc against node:child_process and the C floor. */
function readmeTable({ summary, machine, cfg }) {
  const wanted = ['1', '2', '4', '5', '6', '7'];
  const rows = summary.rows.filter((r) => wanted.includes(r.id));
  const lines = rows.map((r) => {
    // For throughput a higher number is better: say how many times faster procdesc is either way.
    const vsNode = r.kind === 'rate' ? r.values.procdesc / r.values.node : r.values.node / r.values.procdesc;
    return `| ${r.id} | ${r.label} | ${r.unit} | ${fmt(r.values.procdesc)} | ${fmt(r.values.node)} | ${fmt(r.values.floor)} | ${fmt(vsNode)} | ${fmt(r.toFloor.procdesc)} |`;
  });
  // Scenario 4's ratio, from its brackets (scenarios.js, report.js).
  const b = summary.sweeps.brackets;
  lines.push(`| 4 | as 1, ${b.children} idle children ÷ none (median of ${plural(b.ratios.procdesc.length, 'bracket')}: idle, alive, idle) | ratio | ${fmt(b.ratio.procdesc)} | ${fmt(b.ratio.node)} | ${fmt(b.ratio.floor)} | | |`);
  return [
    `Scale \`${cfg.scale}\`, ${machine.nproc} CPUs, ${machine.kernel.split(' ').slice(0, 2).join(' ')}, Node ${machine.node}, commit ${machine.procdesc.commit}; medians (6: also p99).`,
    'procdesc is faster than `node:child_process` by the factor in "procdesc\'s speed-up" (above 1: faster).',
    '',
    '| # | scenario | unit | procdesc | node | floor | procdesc\'s speed-up over node | procdesc ÷ floor |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
  ].join('\n');
}

/** Rewrites the README's table; false if the README has no markers. */
function updateReadme(report) {
  const text = fs.readFileSync(README, 'utf8');
  const at = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (at < 0 || end < at) return false;
  fs.writeFileSync(README, `${text.slice(0, at + BEGIN.length)}\n${readmeTable(report)}\n${text.slice(end)}`);
  return true;
}

module.exports = { updateReadme, readmeTable };

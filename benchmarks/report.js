'use strict';
// From raw samples to the report: the summary rows (medians per scenario per library, ratios),
// the markdown, and the three charts.
const { median, percentile, cdfPoints } = require('./stats');
const { lineChart } = require('./svg');

const GB = 1024 ** 3;

function fmtBytes(bytes) {
  if (bytes === 0) return '0';
  if (bytes >= GB) return `${Number((bytes / GB).toFixed(2))} GB`;
  return `${Number((bytes / 1024 ** 2).toFixed(0))} MB`;
}

function fmt(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return v.toPrecision(3);
}

const plural = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function ratio(a, b) {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

function map(libs, f) {
  return Object.fromEntries(libs.map((lib) => [lib, f(lib)]));
}

/** Scenario 4's ratio from its brackets (scenarios.js): each top level's median divided by the mean
 * of the idle medians just before and just after it; per library, the levels' medians, every
 * bracket's ratio and the median of those (null if any is missing). config.js makes every run
 * measure at least one bracket. */
function bracketRatios(brackets, libs) {
  const levelMedians = (levels) => map(libs, (lib) => levels.map((l) => median(l.samples[lib])));
  const idle = levelMedians(brackets.idle);
  const alive = levelMedians(brackets.alive);
  const mean = (a, b) => (a === null || b === null ? null : (a + b) / 2);
  const ratios = map(libs, (lib) => alive[lib].map((a, k) => ratio(a, mean(idle[lib][k], idle[lib][k + 1]))));
  return {
    children: brackets.children, idle, alive, ratios,
    ratio: map(libs, (lib) => (ratios[lib].includes(null) ? null : median(ratios[lib]))),
  };
}

/** Per-live-child cost between two stats snapshots. */
function perChild(base, at, key, n) {
  if (!base || !at || base[key] === null || base[key] === undefined || at[key] === null || at[key] === undefined) return null;
  return (at[key] - base[key]) / n;
}

function summarise(raw, cfg, libs) {
  // kind: 'time' and 'rate' are positive by nature; 'cost' is a difference, any finite number.
  // na: contestants for which the row cannot exist (the floor has no event loop and no JS heap).
  const rows = [];
  const add = (id, label, unit, values, kind = 'time', na = []) => rows.push({ id, label, unit, kind, na, values });
  const medians = (samples) => map(libs, (lib) => median(samples[lib]));

  const parentTop = raw.parentSize[raw.parentSize.length - 1];
  const childrenTop = raw.liveChildren[raw.liveChildren.length - 1];
  const cost = raw.liveChildren.find((l) => l.children === cfg.costChildren);
  const base = raw.liveChildren.find((l) => l.children === 0) || raw.liveChildren[0];
  const n = cost.children - base.children;

  add('1', 'spawn -> exit, /bin/true, stdio ignored', 'ms', medians(raw.true));
  add('2', 'spawn -> close, /bin/echo, stdout piped', 'ms', medians(raw.echo));
  add('3', `as 1, parent holds ${fmtBytes(parentTop.bytes)}`, 'ms', medians(parentTop.samples));
  add('3', 'event loop delay during 3, p99 (median of batches)', 'ms', map(libs, (lib) => parentTop.eld[lib] && parentTop.eld[lib].p99), 'time', ['floor']);
  add('3', 'event loop delay during 3, max (of all batches)', 'ms', map(libs, (lib) => parentTop.eld[lib] && parentTop.eld[lib].max), 'time', ['floor']);
  add('4', `as 1, ${childrenTop.children} idle children alive`, 'ms', medians(childrenTop.samples));
  add('5', `throughput, ${cfg.throughput.inFlight} spawns in flight`, 'spawns/s (higher is better)', medians(raw.throughput), 'rate');
  add('6', 'kill(SIGKILL) -> exit of sleep, median', 'ms', medians(raw.kill));
  add('6', 'kill(SIGKILL) -> exit of sleep, p99', 'ms', map(libs, (lib) => percentile(raw.kill[lib], 99)));
  add('7', 'spawnSync(/bin/true)', 'ms', medians(raw.sync));
  add('8', `host fds per live child (${cost.children} alive)`, 'fds', map(libs, (lib) => perChild(base.stats[lib], cost.stats[lib], 'fds', n)), 'cost');
  add('8', `host JS heap per live child (${cost.children} alive)`, 'bytes', map(libs, (lib) => perChild(base.stats[lib], cost.stats[lib], 'heapUsed', n)), 'cost', ['floor']);
  // No RSS row: the difference of two RSS readings across a forced GC moves by megabytes with the
  // heap's pages, so per child it came out negative in every run (-7 to -27 kB for procdesc). The
  // sweep below keeps the raw RSS of each level.

  for (const row of rows) {
    row.toProcdesc = map(libs, (lib) => ratio(row.values[lib], row.values.procdesc));
    row.toFloor = map(libs, (lib) => ratio(row.values[lib], row.values.floor));
  }

  const sweeps = {
    parentSize: raw.parentSize.map((l) => ({
      bytes: l.bytes,
      median: medians(l.samples),
      eldP99: map(libs, (lib) => (l.eld[lib] ? l.eld[lib].p99 : null)),
      eldMax: map(libs, (lib) => (l.eld[lib] ? l.eld[lib].max : null)),
    })),
    liveChildren: raw.liveChildren.map((l) => ({
      children: l.children,
      median: medians(l.samples),
      fds: map(libs, (lib) => l.stats[lib].fds),
      heapUsed: map(libs, (lib) => l.stats[lib].heapUsed),
      rss: map(libs, (lib) => l.stats[lib].rss),
    })),
  };
  // The idle level measured again after the sweep (scenarios.js).
  sweeps.idleAgain = medians(raw.liveChildrenIdleAgain);
  sweeps.brackets = bracketRatios(raw.childrenBrackets, libs);
  return { rows, sweeps };
}

function table(header, lines) {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((h, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`,
    ...lines.map((l) => `| ${l.join(' | ')} |`),
  ].join('\n');
}

function mainTable(summary, libs) {
  const others = libs.filter((l) => l !== 'procdesc' && l !== 'floor');
  const header = ['#', 'scenario', 'unit', ...libs,
    ...others.map((l) => `${l} ÷ procdesc`), ...libs.filter((l) => l !== 'floor').map((l) => `${l} ÷ floor`)];
  const lines = summary.rows.map((r) => [
    r.id, r.label, r.unit,
    ...libs.map((l) => fmt(r.values[l])),
    ...others.map((l) => fmt(r.toProcdesc[l])),
    ...libs.filter((l) => l !== 'floor').map((l) => fmt(r.toFloor[l])),
  ]);
  return table(header, lines);
}

function sweepTables(summary, libs) {
  const parent = table(['parent holds', 'unit', ...libs.map((l) => `${l} ms`), ...libs.filter((l) => l !== 'floor').map((l) => `${l} loop delay p99 / max ms`)],
    summary.sweeps.parentSize.map((s) => [fmtBytes(s.bytes), 'ms', ...libs.map((l) => fmt(s.median[l])),
      ...libs.filter((l) => l !== 'floor').map((l) => `${fmt(s.eldP99[l])} / ${fmt(s.eldMax[l])}`)]));
  const children = table(['idle children alive', 'unit', ...libs.map((l) => `${l} ms`), ...libs.map((l) => `${l} fds`)],
    summary.sweeps.liveChildren.map((s) => [String(s.children), 'ms', ...libs.map((l) => fmt(s.median[l])), ...libs.map((l) => String(s.fds[l]))])
      .concat([['0, again (after the sweep)', 'ms', ...libs.map((l) => fmt(summary.sweeps.idleAgain[l])), ...libs.map(() => '')]]));
  const b = summary.sweeps.brackets;
  const brackets = table(['level', 'unit', ...libs],
    b.idle[libs[0]].flatMap((_, k) => [
      ['idle', 'ms', ...libs.map((l) => fmt(b.idle[l][k]))],
      ...(k < b.alive[libs[0]].length ? [[`${b.children} alive`, 'ms', ...libs.map((l) => fmt(b.alive[l][k]))]] : []),
    ])
      .concat(b.ratios[libs[0]].map((_, k) => [`bracket ${k + 1}`, 'ratio', ...libs.map((l) => fmt(b.ratios[l][k]))]))
      .concat([['median', 'ratio', ...libs.map((l) => fmt(b.ratio[l]))]]));
  return { parent, children, brackets };
}

function markdown({ summary, libs, machine, command, cfg, capabilities, elapsedS, charts }) {
  const sweeps = sweepTables(summary, libs);
  const m = machine;
  const pathNote = capabilities && capabilities.path === 'procdesc'
    ? `procdesc path: **procdesc** (helper pid ${capabilities.helperPid}, clone with CLONE_PIDFD: ${capabilities.clonePidfd})`
    : `procdesc path: **${capabilities ? capabilities.path : 'unknown'}** — procdesc fell back to node:child_process (${capabilities && capabilities.reason}); its numbers are Node's`;
  return `# procdesc benchmarks

Command: \`${command}\` (scale \`${cfg.scale}\`), ${elapsedS.toFixed(0)} s wall.

Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.kernel}, Node ${m.node} (libuv ${m.libuv}), ${m.memTotalGB} GB RAM
(${m.memFreeGB} GB free at start), transparent hugepages \`${m.transparentHugepages}\`, ${m.cc}, execa ${m.execa};
load average at start ${m.loadAvgAtStart.join(' ')}, at end ${m.loadAvgAtEnd.join(' ')} (the end includes the burst of
killing every idle child of scenario 4 at once).
${pathNote}; commit ${m.procdesc.commit}${m.procdesc.changedFiles.length ? ` with uncommitted changes to ${m.procdesc.changedFiles.join(', ')}` : ''};
addon built ${m.procdesc.addonBuilt}, helper ${m.procdesc.helperBuilt}, dist ${m.procdesc.distBuilt}.

Each contestant runs in its own process (the three libraries in a Node worker each, the floor as
\`floor.c\`); they take turns in batches (rotating order, ${cfg.sequential.rounds} rounds of
${cfg.sequential.batch} for scenarios 1, 2 and 7, ${cfg.kill.rounds} × ${cfg.kill.batch} for 6,
${cfg.throughput.rounds} × ${cfg.throughput.batch} spawns for 5, ${cfg.parent.rounds} × ${cfg.parent.batch}
and ${cfg.children.rounds} × ${cfg.children.batch} per level of the two sweeps). Values are medians
over all iterations (throughput: over batches); ratios are value ÷ value, so above 1 means more time
(or, for throughput, more spawns/s) than the reference. execa is measured through its promise (it
settles after 'exit' and its own stream handling), procdesc and node through their events.
Scenario 8 is (value with ${cfg.costChildren} idle children − value with none) ÷ ${cfg.costChildren},
after a forced GC; the floor has no JS heap or event loop (n/a). The event loop's delay is
\`perf_hooks.monitorEventLoopDelay({ resolution: 1 })\`, one monitor per batch (a paused monitor
counts the pause as delay): p99 is the median of the batches' p99s, max the max over all batches.

${mainTable(summary, libs)}

## Spawn latency against the parent's size

Scenario 1 while the contestant's own process holds that much memory, allocated and touched
(Buffers outside the JS heap in the Node workers, mmap in the floor).

${sweeps.parent}

![latency against parent size](${charts.parent})

## Spawn latency against live children

Scenario 1 while the contestant keeps that many \`sleep 1000\` children it spawned itself (all four
contestants hold theirs at the same time); the last row is the idle level again once they are gone
and ${cfg.children.settleMs / 1000} s have passed.

${sweeps.children}

![latency against live children](${charts.children})

Scenario 4's ratio (the README's) does not come from the sweep. After the sweep and its "0, again"
level come ${plural(summary.sweeps.brackets.ratios[libs[0]].length, 'bracket')}: the idle level, ${summary.sweeps.brackets.children} children alive again, the idle level
again (each idle level ${cfg.children.settleMs / 1000} s after the kill; one bracket's last idle level is the next one's
first). Each bracket's ratio is its median with the children alive ÷ the mean of the idle medians
on either side of it, so that a drift of the machine between the levels does not count as the
children's cost. The ms row of scenario 4 above is the sweep's level, with the sweep's noise.

${sweeps.brackets}

## kill -> exit

![kill to exit latency, CDF](${charts.kill})
`;
}

function charts(raw, summary, libs) {
  const parent = lineChart({
    title: 'spawn -> exit of /bin/true against the parent\'s size',
    subtitle: 'median per level',
    xLabel: 'memory held by the parent (GB)',
    yLabel: 'latency (ms)',
    series: libs.map((lib) => ({ name: lib, points: summary.sweeps.parentSize.map((s) => [s.bytes / GB, s.median[lib]]) })),
    x: 'linear',
    xTicks: summary.sweeps.parentSize.map((s) => s.bytes / GB),
  });
  const children = lineChart({
    title: 'spawn -> exit of /bin/true against live children',
    subtitle: 'median per level; idle sleep children spawned through the same library',
    xLabel: 'idle children alive',
    yLabel: 'latency (ms)',
    series: libs.map((lib) => ({ name: lib, points: summary.sweeps.liveChildren.map((s) => [s.children, s.median[lib]]) })),
    x: 'linear',
    xTicks: summary.sweeps.liveChildren.map((s) => s.children),
  });
  const kill = lineChart({
    title: 'kill(SIGKILL) -> exit of a sleep child',
    subtitle: `empirical CDF, ${raw.kill[libs[0]].length} kills per contestant`,
    xLabel: 'latency (ms)',
    yLabel: 'fraction of kills',
    series: libs.map((lib) => ({ name: lib, points: cdfPoints(raw.kill[lib]) })),
    x: 'log',
    y: 'linear',
    markers: false,
  });
  return { 'parent-size.svg': parent, 'live-children.svg': children, 'kill-cdf.svg': kill };
}

module.exports = { summarise, markdown, charts, mainTable, fmt, plural, bracketRatios };

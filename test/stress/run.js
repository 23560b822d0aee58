'use strict';
// The long versions of test/reliability/*.test.js (`npm run stress`):
//   node test/stress/run.js [--seed=N] [--quick]
//
// Runs the reliability suite with STRESS=1 (100,000 sequential spawns with piped output, 2,000
// children alive at once, thousands of fuzzed calls per function, ...) and prints the figures it
// recorded: spawns, fds before/after, zombies, RSS before/after, faults tried, fuzzed cases. Then it
// applies the load limits itself, including those whose test is skipped for a known bug (memory),
// so that the run fails until they hold. Exit status: 0 when everything held, 1 otherwise.
// --quick runs the default (small) counts, to check the runner itself.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const QUICK = process.argv.includes('--quick');

// Limits on the load figures (the suite asserts the same; memory is the skipped one).
const LIMITS = {
  heapBytesPerSpawn: 512,
  rssGrowthKb: 64 * 1024,
  helperRssGrowthKb: 1024,
};

function kb(n) {
  return n === null || n === undefined ? '-' : `${(n / 1024).toFixed(1)} MB`;
}

function runMocha(reportFile) {
  return new Promise((resolve) => {
    const env = { ...process.env, STRESS_REPORT: reportFile };
    if (!QUICK) env.STRESS = '1';
    if (arg('seed', null)) env.FUZZ_SEED = arg('seed', null);
    const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
    const child = spawn(process.execPath, [mocha, '--no-config', '--exit', '--timeout', '60000', '--reporter', 'spec',
      path.join(ROOT, 'test', 'reliability', '*.test.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

function figures(r, t0) {
  const lines = [];
  const failures = [];
  const check = (ok, what) => {
    lines.push(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };
  const say = (s) => lines.push(s);

  say('');
  say('=== procdesc stress figures ===');
  if (r.load) {
    const { sequential: s, concurrent: c } = r.load;
    say(`load: ${s.spawns} sequential spawns (echo, piped stdout) in ${(s.ms / 1000).toFixed(1)} s, ${s.perSpawnMs} ms each`);
    say(`  host fds       before ${s.before.fds}, after ${s.after.fds}`);
    say(`  zombies        after ${s.after.zombies} (under the host and the helper); children still alive ${s.after.liveChildren}`);
    say(`  host RSS       before ${kb(s.before.rssKb)}, after ${kb(s.after.rssKb)} (peak sampled ${kb(s.rssMaxKb)})`);
    say(`  host JS heap   before ${kb(s.before.heapUsedKb)}, after ${kb(s.after.heapUsedKb)} ` +
      `(${(((s.after.heapUsedKb - s.before.heapUsedKb) * 1024) / s.spawns).toFixed(0)} bytes per spawn)`);
    say(`  helper         pid ${s.before.helperPid} -> ${s.after.helperPid}, fds ${s.before.helperFds} -> ${s.after.helperFds}, ` +
      `RSS ${kb(s.before.helperRssKb)} -> ${kb(s.after.helperRssKb)}`);
    check(r.load.failures.length === 0, `every spawn's output and exit right (${r.load.failures.length} wrong)`);
    check(s.after.fds === s.before.fds, `host fd count back to ${s.before.fds} (is ${s.after.fds})`);
    check(s.after.zombies === 0, 'no zombie');
    check(s.after.helperFds === s.before.helperFds, 'helper fd count unchanged');
    const perSpawn = ((s.after.heapUsedKb - s.before.heapUsedKb) * 1024) / s.spawns;
    check(perSpawn < LIMITS.heapBytesPerSpawn, `JS heap growth < ${LIMITS.heapBytesPerSpawn} bytes per spawn (is ${perSpawn.toFixed(0)})`);
    check(s.after.rssKb - s.before.rssKb < LIMITS.rssGrowthKb, `RSS growth < ${kb(LIMITS.rssGrowthKb)} (is ${kb(s.after.rssKb - s.before.rssKb)})`);
    check(s.after.helperRssKb - s.before.helperRssKb < LIMITS.helperRssGrowthKb, 'helper RSS growth < 1 MB');
    say(`load: ${c.children} children alive at once (spawned in ${c.spawnMs} ms, ${c.during.fds} host fds, helper RSS ${kb(c.during.helperRssKb)}); ` +
      `killed: all exits in ${c.killToAllExitsMs} ms: ${JSON.stringify(c.exits)}`);
    say(`  host fds       before ${c.before.fds}, after ${c.after.fds}; zombies after ${c.after.zombies}`);
    check(c.alive === c.children && c.exits.SIGTERM === c.children, `every one of ${c.children} exits reported`);
    check(c.after.fds === c.before.fds && c.after.zombies === 0, 'fds back, no zombie');
  } else {
    check(false, 'load figures recorded');
  }

  let faults = 0;
  const faultKinds = [];
  if (r.emfile) {
    const rows = r.emfile.procdesc;
    faults += rows.length * 2 * 2; // spawn and spawnSync, for both libraries
    const tally = {};
    for (const row of rows) {
      const k = row.outcome.threw ? `threw ${row.outcome.threw.code}` : row.outcome.events[0] === 'spawn' ? 'spawned'
        : `error ${row.outcome.events[0][1].code}`;
      tally[k] = (tally[k] || 0) + 1;
    }
    const leaked = rows.reduce((n, row) => n + row.leaked.length + row.syncLeaked.length, 0);
    faultKinds.push(`RLIMIT_NOFILE (0-${rows.length - 1} free fds): procdesc ${JSON.stringify(tally)}, children left behind ${leaked}`);
  }
  if (r.nproc) {
    faults += 2;
    faultKinds.push(`RLIMIT_NPROC: ${r.nproc.procdesc.spawned} spawned, then ${r.nproc.procdesc.failure && JSON.stringify(r.nproc.procdesc.failure).match(/E[A-Z]+/)}`);
  }
  const files = Object.keys(r).filter((k) => k.startsWith('file: ') || k.startsWith('e2big: '));
  for (const k of files) faults += r[k].tried * 2;
  if (files.length) faultKinds.push(`unrunnable files, cwds, E2BIG: ${files.length} cases (spawn, spawnSync, execFile/execFileSync each)`);
  if (r.hostExit) {
    const n = Object.keys(r.hostExit).length;
    faults += n;
    const helpersLeft = Object.values(r.hostExit).filter((x) => !x.helperGone).length;
    faultKinds.push(`host exits while children run: ${n / 2} ways x 2 libraries, helpers left behind ${helpersLeft}`);
  }
  if (r.workers) faultKinds.push(`worker threads: ${r.workers.workers} + main, ${r.workers.rounds} rounds each, ${r.workers.distinctHelpers} helpers`);
  if (r.workersTerminatedIdle) {
    faults += 1;
    faultKinds.push(`worker terminated while its child runs: its helper gone ${r.workersTerminatedIdle.terminatedHelperGone}`);
  }
  if (r.twoCopies) {
    faults += 1;
    faultKinds.push(`two copies: ${r.twoCopies.calls} interleaved children, ${r.twoCopies.wrong.length} misrouted, ${r.twoCopies.distinctHelpers} helpers`);
  }
  if (r.pidReuse) {
    const rounds = r.pidReuse.rounds.filter((x) => !x.skipped);
    faults += rounds.length;
    faultKinds.push(`PID reuse: ${rounds.filter((x) => x.reused).length}/${rounds.length} rounds reused the PID, victims hit ` +
      `${rounds.filter((x) => !x.victimAliveAfterKill || !x.victimAliveAfterExit).length}`);
  }
  say(`faults tried: ${faults}`);
  for (const f of faultKinds) say(`  ${f}`);

  if (r.fuzz) {
    const f = r.fuzz;
    say(`bad input: ${f.cases} fuzzed calls (seed ${f.seed}) in ${(f.ms / 1000).toFixed(0)} s: ${JSON.stringify(f.perFunction)}`);
    say(`  differences from node:child_process: ${f.mismatches.length} new, process deaths ${f.crashes.length} new; known bugs: ` +
      `${JSON.stringify(Object.fromEntries(Object.entries(f.known).map(([k, v]) => [k, v.count])))}`);
    if (f.nodeCrashes.length) say(`  inputs that abort Node itself (skipped): ${f.nodeCrashes.length}`);
    check(f.mismatches.length === 0 && f.crashes.length === 0, 'no new difference from node:child_process');
  }
  say(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { lines, failures };
}

async function main() {
  const t0 = Date.now();
  const reportFile = path.join(os.tmpdir(), `procdesc-stress-${process.pid}.json`);
  fs.rmSync(reportFile, { force: true });
  const mocha = await runMocha(reportFile);
  let r = {};
  try {
    r = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  } catch { /* nothing recorded */ }
  fs.rmSync(reportFile, { force: true });
  const { lines, failures } = figures(r, t0);
  const pending = (mocha.out.match(/(\d+) pending/) || [])[1] || '0';
  const failing = (mocha.out.match(/(\d+) failing/) || [])[1] || '0';
  lines.push(`suite: ${(mocha.out.match(/(\d+) passing/) || [])[1] || 0} passing, ${failing} failing, ` +
    `${pending} skipped for known bugs (see the BUG comments in test/reliability/)`);
  if (mocha.code !== 0) failures.push(`the reliability suite failed (exit ${mocha.code}${mocha.signal ? `, ${mocha.signal}` : ''})`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (failures.length) {
    process.stdout.write(`\nSTRESS FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write('\nstress passed\n');
}

main();

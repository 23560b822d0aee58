'use strict';
// Load: many sequential spawns with piped output, then many children alive at once, all killed.
// Checks what the library cannot hide: the host's fd count (from /proc), zombies under the host
// and under the helper, the helper's own fds, the RSS of both.
//
//   node test/stress/load.js [--spawns=N] [--concurrent=N] [--lib=procdesc|node]
// Prints one JSON line of figures; exits 0 (the caller judges them; `failures` lists what went
// wrong in the run itself: a wrong output, a missing exit).
const { performance } = require('node:perf_hooks');

const procfs = require('../helpers/procfs');

const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const SPAWNS = Number(arg('spawns', 1000));
const CONCURRENT = Number(arg('concurrent', 200));
const LIB = arg('lib', 'procdesc');
const cp = LIB === 'node' ? require('node:child_process') : require('../../dist/integrations/child_process.js');
const { capabilities } = require('../../dist/lib/index.js');

const failures = [];
const fail = (what) => {
  if (failures.length < 20) failures.push(what);
};

// A full GC before each measure, without needing --expose-gc on the command line.
require('node:v8').setFlagsFromString('--expose-gc');
const fullGc = require('node:vm').runInNewContext('gc');

function gc() {
  fullGc();
  fullGc();
}

function settle(ms = 50) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Lets the last closes land (on a loaded machine a socket may close a few ms after 'close'). */
async function settleFds(target, ms = 2000) {
  await settle();
  await procfs.waitFor(() => procfs.fds().length <= target, ms);
}

/** One child: echo i through a pipe, read it, wait for 'close'. */
function echoOnce(i) {
  return new Promise((resolve) => {
    const child = cp.spawn('echo', [`line ${i}`]);
    let out = '';
    let exit = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', (e) => fail(`spawn ${i}: ${e.message}`));
    child.on('exit', (code, signal) => { exit = [code, signal]; });
    child.on('close', (code, signal) => {
      if (out !== `line ${i}\n`) fail(`spawn ${i}: stdout ${JSON.stringify(out)}`);
      if (code !== 0 || signal !== null || !exit || exit[0] !== 0) fail(`spawn ${i}: close(${code}, ${signal}) exit ${exit}`);
      resolve();
    });
  });
}

function helperPid() {
  return LIB === 'node' ? null : capabilities().helperPid;
}

function snapshot() {
  gc();
  const helper = helperPid();
  return {
    fds: procfs.fds().length,
    rssKb: procfs.rssKb(),
    heapUsedKb: Math.round(process.memoryUsage().heapUsed / 1024),
    externalKb: Math.round(process.memoryUsage().external / 1024),
    helperPid: helper,
    helperFds: helper ? procfs.fds(helper).length : null,
    helperRssKb: helper ? procfs.rssKb(helper) : null,
    zombies: procfs.zombiesOf([process.pid, helper]).length,
    liveChildren: (helper ? procfs.childrenOf(helper).length : 0) + procfs.childrenOf(process.pid).length,
  };
}

async function sequential() {
  // Warm up: the helper starts, lazily loaded modules load, V8 settles.
  for (let i = 0; i < 200; i++) await echoOnce(-1 - i);
  await settle();
  const before = snapshot();
  const t0 = performance.now();
  let rssMaxKb = before.rssKb;
  for (let i = 0; i < SPAWNS; i++) {
    await echoOnce(i);
    if (i % 5000 === 4999) {
      gc();
      rssMaxKb = Math.max(rssMaxKb, procfs.rssKb());
    }
  }
  const ms = performance.now() - t0;
  await settleFds(before.fds);
  const after = snapshot();
  return { spawns: SPAWNS, ms: Math.round(ms), perSpawnMs: +(ms / SPAWNS).toFixed(3), before, after, rssMaxKb };
}

async function concurrent() {
  const before = snapshot();
  const t0 = performance.now();
  const children = [];
  const exits = [];
  for (let i = 0; i < CONCURRENT; i++) {
    const child = cp.spawn('sleep', ['1000']);
    children.push(child);
    exits.push(new Promise((resolve) => {
      let exit = null;
      child.on('error', (e) => fail(`concurrent ${i}: ${e.message}`));
      child.on('exit', (code, signal) => { exit = [code, signal]; });
      child.on('close', () => resolve(exit));
    }));
  }
  await Promise.all(children.map((c) => new Promise((r) => (c.pid ? r() : c.once('spawn', r)))));
  const spawnedMs = performance.now() - t0;
  const helper = helperPid();
  const alive = helper ? procfs.childrenOf(helper).length : procfs.childrenOf(process.pid).length;
  const during = { fds: procfs.fds().length, helperRssKb: helper ? procfs.rssKb(helper) : null };
  const t1 = performance.now();
  let killedTrue = 0;
  for (const c of children) if (c.kill()) killedTrue++;
  const results = await Promise.all(exits);
  const killMs = performance.now() - t1;
  const bySignal = {};
  for (const r of results) {
    const k = r ? String(r[1] ?? r[0]) : 'none';
    bySignal[k] = (bySignal[k] || 0) + 1;
  }
  if (bySignal.SIGTERM !== CONCURRENT) fail(`concurrent exits: ${JSON.stringify(bySignal)}`);
  await settleFds(before.fds);
  const after = snapshot();
  return {
    children: CONCURRENT, alive, killedTrue, exits: bySignal, spawnMs: Math.round(spawnedMs), killToAllExitsMs: Math.round(killMs),
    during, before, after,
  };
}

async function main() {
  const seq = await sequential();
  const conc = await concurrent();
  const out = { lib: LIB, sequential: seq, concurrent: conc, failures };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stdout.write(`${JSON.stringify({ error: String(err && err.stack) })}\n`);
  process.exit(1);
});

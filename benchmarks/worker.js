'use strict';
// One library under test, in a process of its own: `node --expose-gc worker.js <library> [root]`.
// It speaks the protocol of floor.c (one command a line on stdin, one JSON line in reply on stdout;
// durations in milliseconds), so that the harness drives the four contestants the same way.
// Extra commands here: `eldreset` starts recording the event loop's delay during each of the
// following `true` batches, `eld` replies the median over those batches of each one's p99, the
// max over all of them, and stops; `caps` replies procdesc's capabilities().
// (One monitor per batch: a monitor that is disabled and enabled again records the pause as a
// delay, and its histograms cannot be merged.)
const fs = require('node:fs');
const readline = require('node:readline');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { load } = require('./libraries');
const { median } = require('./stats');

const TRUE = '/bin/true';
const ECHO = '/bin/echo';
const SLEEP = '/bin/sleep';

const name = process.argv[2];
// procdesc from another checkout (bench:versions --root=DIR), to compare code before and after.
const root = process.argv[3];
const now = () => Number(process.hrtime.bigint()) / 1e6;

const held = [];
let heldBytes = 0;
const sleepers = [];
let eldBatches = null; // [{ p99, max, count }] while recording

async function timeEach(n, op) {
  const t = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await op();
    t[i] = now() - t0;
  }
  return t;
}

async function throughput(lib, n, inFlight) {
  let started = 0;
  const lane = async () => {
    while (started < n) {
      started++;
      await lib.run(TRUE, []);
    }
  };
  const t0 = now();
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane));
  const elapsed = now() - t0;
  return { n, elapsed, rate: n / (elapsed / 1e3) };
}

async function killLatency(lib, n) {
  const t = new Array(n);
  for (let i = 0; i < n; i++) {
    const child = lib.start(SLEEP, ['1000']);
    await child.ready;
    const t0 = now();
    child.kill('SIGKILL');
    await child.done;
    t[i] = now() - t0;
  }
  return t;
}

function hold(bytes) {
  const CHUNK = 64 * 1024 * 1024;
  while (heldBytes < bytes) {
    const size = Math.min(CHUNK, bytes - heldBytes);
    // Outside the JS heap, touched page by page: resident, as a big parent's memory would be.
    held.push(Buffer.allocUnsafeSlow(size).fill(0x5a));
    heldBytes += size;
  }
  return heldBytes;
}

async function growSleepers(lib, n) {
  while (sleepers.length < n) {
    const child = lib.start(SLEEP, ['1000']);
    await child.ready;
    sleepers.push(child);
  }
}

async function unsleep() {
  for (const child of sleepers) child.kill('SIGKILL');
  await Promise.all(sleepers.map((child) => child.done));
  sleepers.length = 0;
}

function stats() {
  for (let i = 0; i < 3; i++) global.gc();
  const mem = process.memoryUsage();
  return {
    fds: fs.readdirSync('/proc/self/fd').length - 1, // less the one readdir opened
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    external: mem.external,
    children: sleepers.length,
  };
}

async function handle(lib, line) {
  const [op, a, b] = line.trim().split(/\s+/);
  const n = Number(a);
  switch (op) {
    case 'true': {
      const eld = eldBatches && monitorEventLoopDelay({ resolution: 1 });
      if (eld) eld.enable();
      const t = await timeEach(n, () => lib.run(TRUE, []));
      if (eld) {
        eld.disable();
        eldBatches.push({ p99: eld.percentile(99) / 1e6, max: eld.max / 1e6, count: eld.count });
      }
      return { op, t };
    }
    case 'echo':
      return { op, t: await timeEach(n, () => lib.runPiped(ECHO, ['hello'])) };
    case 'sync':
      return { op, t: await timeEach(n, () => lib.sync(TRUE)) };
    case 'throughput':
      return { op, ...(await throughput(lib, n, Number(b))) };
    case 'kill':
      return { op, t: await killLatency(lib, n) };
    case 'hold':
      return { op, bytes: hold(n) };
    case 'sleepers':
      await growSleepers(lib, n);
      return { op, n: sleepers.length };
    case 'unsleep':
      await unsleep();
      return { op };
    case 'stats':
      return { op, ...stats() };
    case 'eldreset':
      eldBatches = [];
      return { op };
    case 'eld': {
      const batches = eldBatches || [];
      eldBatches = null;
      return {
        op,
        p99: median(batches.map((x) => x.p99)),
        max: Math.max(...batches.map((x) => x.max)),
        count: batches.reduce((sum, x) => sum + x.count, 0),
        batches,
      };
    }
    case 'caps':
      return { op, capabilities: lib.capabilities ? lib.capabilities() : null };
    default:
      throw new Error(`unknown command ${JSON.stringify(line)}`);
  }
}

async function main() {
  const lib = await load(name, root);
  const reply = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
  reply({ op: 'ready', pid: process.pid });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    if (line.trim() === 'quit') break;
    try {
      reply(await handle(lib, line));
    } catch (err) {
      reply({ error: String(err && err.stack ? err.stack : err) });
    }
  }
  if (sleepers.length) await unsleep();
  process.exit(0);
}

main().catch((err) => {
  process.stdout.write(`${JSON.stringify({ error: String(err && err.stack) })}\n`);
  process.exit(1);
});

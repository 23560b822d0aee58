'use strict';
// The scenarios. Every measurement is interleaved: the contestants take turns, one small batch
// each, for several rounds, the order rotating every round, so that a noisy neighbour or a CPU
// frequency change lands on all of them alike. Returns raw samples only; report.js summarises.

const { pipelineScenario } = require('./pipeline');

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** Runs `command` on every contestant, round-robin; collect(name, reply) gets each reply. */
async function interleave(contestants, rounds, command, collect) {
  for (let r = 0; r < rounds; r++) {
    for (const c of rotate(contestants, r)) collect(c.name, await c.send(command));
  }
}

function perLibrary(contestants, make) {
  return Object.fromEntries(contestants.map((c) => [c.name, make(c)]));
}

async function warm(contestants, command) {
  for (const c of contestants) await c.send(command);
}

/** A sequential per-iteration scenario (true, echo, sync, kill): samples in ms per library. */
async function sequential(contestants, op, { rounds, batch }, warmup) {
  await warm(contestants, `${op} ${warmup}`);
  const samples = perLibrary(contestants, () => []);
  await interleave(contestants, rounds, `${op} ${batch}`, (name, reply) => samples[name].push(...reply.t));
  return samples;
}

async function throughput(contestants, { rounds, batch, inFlight }) {
  await warm(contestants, `throughput ${inFlight * 2} ${inFlight}`);
  const rates = perLibrary(contestants, () => []);
  await interleave(contestants, rounds, `throughput ${batch} ${inFlight}`, (name, reply) => rates[name].push(reply.rate));
  return rates;
}

/** One level of scenario 1 (whatever each contestant holds now), interleaved: samples in ms per library. */
async function timeLevel(contestants, { rounds, batch }) {
  const samples = perLibrary(contestants, () => []);
  await interleave(contestants, rounds, `true ${batch}`, (name, reply) => samples[name].push(...reply.t));
  return samples;
}

/** Kills every contestant's idle children, then lets the machine settle: the exits of thousands of
 * processes at once leave the kernel busy after the last of them is reaped. (Once on the
 * development VM, 2000 killed by procdesc and 2000 by the floor: procdesc's idle level was 2.53 ms
 * right away, 2.17 ms two seconds later and 2.06-2.50 over the next half minute. A full run kills
 * 8000 at once.) */
async function unsleep(contestants, cfg) {
  await Promise.all(contestants.map((c) => c.send('unsleep')));
  await new Promise((resolve) => setTimeout(resolve, cfg.children.settleMs));
}

/** Spawn latency as live idle children grow; fds and memory of the host at every level. Then
 * scenario 4's ratio, in brackets: the idle level, the top level again, the idle level, and so on,
 * each a minute or so apart. The machine drifts by tens of percent over the minutes a sweep takes
 * (the floor's own figures move with it), so the top level is divided by the idle levels measured
 * just before and just after it, never by one from the start of the sweep. The first idle level
 * is the sweep's "0, again". */
async function liveChildren(contestants, cfg) {
  const levels = [];
  for (const n of cfg.liveChildren) {
    log(`live children: ${n}`);
    await Promise.all(contestants.map((c) => c.send(`sleepers ${n}`)));
    const stats = perLibrary(contestants, () => null);
    for (const c of contestants) stats[c.name] = await c.send('stats');
    const samples = await timeLevel(contestants, cfg.children);
    levels.push({ children: n, samples, stats });
  }
  await unsleep(contestants, cfg);
  const top = cfg.liveChildren[cfg.liveChildren.length - 1];
  const brackets = { children: top, idle: [await timeLevel(contestants, cfg.children)], alive: [] };
  for (let k = 0; k < cfg.children.brackets; k++) {
    log(`live children: ${top} and none again, bracket ${k + 1} of ${cfg.children.brackets}`);
    await Promise.all(contestants.map((c) => c.send(`sleepers ${top}`)));
    brackets.alive.push(await timeLevel(contestants, cfg.children));
    await unsleep(contestants, cfg);
    brackets.idle.push(await timeLevel(contestants, cfg.children));
  }
  return { levels, idleAgain: brackets.idle[0], brackets };
}

/** Spawn latency as the parent's resident memory grows, with the event loop's delay meanwhile. */
async function parentSize(contestants, cfg) {
  const levels = [];
  const workers = contestants.filter((c) => c.name !== 'floor'); // the floor has no event loop
  for (const bytes of cfg.parentSizes) {
    log(`parent holds ${(bytes / 1024 ** 3).toFixed(2)} GB`);
    await Promise.all(contestants.map((c) => c.send(`hold ${bytes}`)));
    for (const c of workers) await c.send('eldreset');
    const samples = perLibrary(contestants, () => []);
    await interleave(contestants, cfg.parent.rounds, `true ${cfg.parent.batch}`, (name, reply) => samples[name].push(...reply.t));
    const eld = perLibrary(contestants, () => null);
    for (const c of workers) {
      const { p99, max, count, batches } = await c.send('eld');
      eld[c.name] = { p99, max, count, batches };
    }
    levels.push({ bytes, samples, eld });
  }
  return levels;
}

/** All scenarios, in an order that leaves the held memory for last. */
async function runAll(contestants, cfg) {
  const raw = {};
  log('1. spawn -> exit, /bin/true');
  raw.true = await sequential(contestants, 'true', cfg.sequential, cfg.warmup);
  log('2. spawn -> close, /bin/echo piped');
  raw.echo = await sequential(contestants, 'echo', cfg.sequential, cfg.warmup);
  log(`5. throughput, ${cfg.throughput.inFlight} in flight`);
  raw.throughput = await throughput(contestants, cfg.throughput);
  log('6. kill -> exit');
  raw.kill = await sequential(contestants, 'kill', cfg.kill, cfg.warmup);
  log('7. spawnSync');
  raw.sync = await sequential(contestants, 'sync', cfg.sequential, cfg.warmup);
  log('4 and 8. live children');
  ({ levels: raw.liveChildren, idleAgain: raw.liveChildrenIdleAgain, brackets: raw.childrenBrackets } = await liveChildren(contestants, cfg));
  log(`9. pipeline of ${cfg.pipeline.bytes} bytes, host CPU: procdesc pipeline() vs Node streams`);
  raw.pipeline = pipelineScenario(cfg);
  log('3. parent size');
  raw.parentSize = await parentSize(contestants, cfg);
  return raw;
}

module.exports = { runAll, sequential, log };

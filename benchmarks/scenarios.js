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
 * processes at once leave the kernel work to do after the last of them is reaped. The pause is a
 * precaution, not a measured need: in one scratch run (2000 children killed by procdesc and 2000
 * by the floor) procdesc's idle level was 2.53 ms right away, then 2.06-2.50 ms over the next half
 * minute, this machine's noise. A full run kills 8000 at once. */
async function unsleep(contestants, cfg) {
  await Promise.all(contestants.map((c) => c.send('unsleep')));
  await new Promise((resolve) => setTimeout(resolve, cfg.children.settleMs));
}

/** One level of a bracket: every contestant grown to `children` idle children (for 0, after
 * unsleep(), the same command only replies how many are left), then scenario 1. The counts the
 * contestants reply are checked and kept with the samples. */
async function bracketLevel(contestants, cfg, children) {
  const held = perLibrary(contestants, () => null);
  await Promise.all(contestants.map(async (c) => {
    held[c.name] = (await c.send(`sleepers ${children}`)).n;
    if (held[c.name] !== children) throw new Error(`${c.name} holds ${held[c.name]} idle children, not ${children}`);
  }));
  return { held, samples: await timeLevel(contestants, cfg.children) };
}

/** Spawn latency as live idle children grow; fds and memory of the host at every level. Then
 * scenario 4's ratio, in brackets: the idle level, the top level again, the idle level, and so on.
 * The machine drifts over the minutes a sweep takes (at 464751e the idle level after the sweep was
 * 1.16-1.56x the one before it, the floor's included), so each top level is divided by the idle
 * levels measured just before and just after it. The idle level right after the sweep ("0, again")
 * is not a bracket's: in the two runs that used it as one (the second is kept at 12d4bb7) it was
 * the slowest idle level of the run for procdesc and the floor (in 12d4bb7's for all four), 5 s
 * after the kill as the others. */
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
  const idleAgain = await timeLevel(contestants, cfg.children);
  const top = cfg.liveChildren[cfg.liveChildren.length - 1];
  const brackets = { children: top, idle: [await bracketLevel(contestants, cfg, 0)], alive: [] };
  for (let k = 0; k < cfg.children.brackets; k++) {
    log(`live children: ${top} and none again, bracket ${k + 1} of ${cfg.children.brackets}`);
    brackets.alive.push(await bracketLevel(contestants, cfg, top));
    await unsleep(contestants, cfg);
    brackets.idle.push(await bracketLevel(contestants, cfg, 0));
  }
  return { levels, idleAgain, brackets };
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

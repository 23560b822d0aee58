'use strict';
// Runs the cases: fuzzCases() in a worker process (test/stress/fuzz.js --worker), and fuzz(), the
// driver, which starts workers, watches them for crashes and hangs and gathers their results.
const fs = require('node:fs');
const path = require('node:path');

const node = require('node:child_process');
const ours = require('../../../dist/integrations/child_process.js');

const { Gen, show } = require('./specs');
const { GENERATORS, FUNCTIONS } = require('./generators');
const { runCase, outcomeKind, uncaught } = require('./outcomes');
const { knownBug } = require('./known-bugs');

// The program a worker runs: the fuzzer's command line.
const FUZZ_MAIN = path.join(__dirname, '..', 'fuzz.js');

/** This process's helper (for the driver to clean up after a case that hangs), or null. */
function helperPid() {
  try {
    return require('../../../dist/lib/index.js').capabilities().helperPid;
  } catch {
    return null;
  }
}

/**
 * Runs the cases of one process: `iterations` per function (a quarter for fork, whose children are
 * slow to start) from `seed`, from `resume` ({ fn, index }) on, until `deadline` (epoch ms).
 * Each case appends one JSON line to `log` ({ fn, i, kind, mismatch? }) and, before each library
 * runs it, `progress` says which ({ fn, i, lib, call }): if a case kills the process, the driver
 * knows which.
 */
async function fuzzCases({ seed, iterations, deadline = Infinity, only = FUNCTIONS, resume = null, log, progress }) {
  let resumed = resume === null;
  for (const fn of only) {
    if (!resumed && fn !== resume.fn) continue;
    // One generator per function, so that a function's cases do not depend on which others run.
    const g = new Gen((seed * 1000003 + fn.length * 7919 + fn.charCodeAt(0)) >>> 0);
    const n = fn === 'fork' ? Math.ceil(iterations / 4) : iterations;
    // Functions share what is left of the time, so that each gets its turn.
    const share = () => Math.max(0, (deadline - Date.now()) / (only.length - only.indexOf(fn)));
    const fnDeadline = Date.now() + share();
    for (let i = 0; i < n && Date.now() < fnDeadline; i++) {
      const specs = GENERATORS[fn](g);
      if (!resumed) {
        if (i < resume.index) continue;
        resumed = true;
      }
      const call = `${fn}(${specs.map(show).join(', ')})`;
      const t0 = Date.now();
      if (process.env.FUZZ_TRACE) process.stderr.write(`${call}\n`);
      if (progress) fs.writeFileSync(progress, JSON.stringify({ fn, i, lib: 'node', call, specs, helperPid: helperPid() }));
      const a = await runCase(node, fn, specs);
      if (progress) fs.writeFileSync(progress, JSON.stringify({ fn, i, lib: 'procdesc', call, specs, helperPid: helperPid() }));
      const b = await runCase(ours, fn, specs);
      const entry = { fn, i, kind: outcomeKind(fn, a), ms: Date.now() - t0 };
      const ja = JSON.stringify(a), jb = JSON.stringify(b);
      if (ja !== jb) entry.mismatch = { fn, call, specs, node: a, ours: b };
      if (log) fs.appendFileSync(log, `${JSON.stringify(entry)}\n`);
    }
  }
  if (uncaught.stray.length && log) {
    fs.appendFileSync(log, `${JSON.stringify({ stray: uncaught.stray })}\n`);
  }
}

const HANG_MS = 30000;

/** SIGKILLs the descendants of pid and the children of the helper named in the progress file. */
function killTree(pid, progress) {
  const procfs = require('../../helpers/procfs');
  const victims = [];
  const walk = (p) => {
    for (const c of procfs.childrenOf(p)) {
      victims.push(c);
      walk(c);
    }
  };
  walk(pid);
  try {
    const { helperPid } = JSON.parse(fs.readFileSync(progress, 'utf8'));
    if (helperPid) walk(helperPid);
  } catch { /* no progress yet */ }
  for (const v of victims) {
    try {
      process.kill(v, 'SIGKILL');
    } catch { /* gone */ }
  }
}

/**
 * The fuzzer, each run in its own processes: a case that crashes a process is reported with the
 * library that crashed on it, and the run goes on from the next case in a new process.
 * -> { seed, cases, perFunction, outcomes, mismatches, crashes, slow, ms }
 */
async function fuzz({ seed = 1, iterations = 100, budgetMs = 60000, only = FUNCTIONS, strict = false } = {}) {
  const { spawn } = node;
  const os = require('node:os');
  const started = Date.now();
  const deadline = started + budgetMs;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-fuzz-'));
  const log = path.join(dir, 'log.jsonl');
  const progress = path.join(dir, 'progress.json');
  const result = { seed, iterations, strict, cases: 0, perFunction: {}, outcomes: {}, mismatches: [], crashes: [], known: {},
    nodeCrashes: [], slow: [], stray: [] };
  // A difference of a known kind is counted under its bug, with its first example; any other is
  // reported in full. strict: none is known.
  const sort = (res, list, entry) => {
    const bug = strict || !entry.specs ? null : knownBug(entry.fn, entry.specs, entry.node, entry.ours);
    if (bug === null) {
      res[list].push(entry);
      return;
    }
    res.known[bug] ??= { count: 0, example: entry.call, ...(list === 'crashes' ? { crash: entry.signal } : {}) };
    res.known[bug].count++;
  };
  let resume = null;
  for (let runs = 0; runs < 1000 && Date.now() < deadline; runs++) {
    fs.rmSync(progress, { force: true });
    const args = [FUZZ_MAIN, '--worker', `--seed=${seed}`, `--iterations=${iterations}`, `--deadline=${deadline}`,
      `--only=${only.join(',')}`, `--log=${log}`, `--progress=${progress}`];
    if (resume) args.push(`--resume=${resume.fn}:${resume.index}`);
    // The worker's stdio are no sockets or pipes a case could read from or hold open: stdin and
    // stdout are /dev/null, stderr a file opened for writing only (a child handed fd 2 as its
    // stdin gets EBADF, not a wait for ever). We wait for the worker's 'exit', never for its
    // stdio to close: a case's child may outlive it.
    const errFile = path.join(dir, `stderr-${runs}`);
    const errFd = fs.openSync(errFile, 'w');
    const { code, signal, hung } = await new Promise((resolve) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', errFd] });
      let hungCase = false;
      // A case that blocks (a sync call whose child never ends) shows as progress that stops.
      const watch = setInterval(() => {
        let idle = 0;
        try {
          idle = Date.now() - fs.statSync(progress).mtimeMs;
        } catch { /* no case yet */ }
        if (idle > HANG_MS || Date.now() > deadline + 60000) {
          hungCase = idle > HANG_MS;
          killTree(child.pid, progress);
          child.kill('SIGKILL');
        }
      }, 1000);
      child.on('exit', (c, sig) => {
        clearInterval(watch);
        resolve({ code: c, signal: sig, hung: hungCase });
      });
    });
    fs.closeSync(errFd);
    const stderr = fs.readFileSync(errFile, 'utf8');
    if (code === 0) break;
    let at = null;
    try {
      at = JSON.parse(fs.readFileSync(progress, 'utf8'));
    } catch { /* it died before its first case */ }
    const lines = stderr.split('\n').filter((l) => l.trim() && !/^\s+at |^\s*\d+: 0x/.test(l));
    const tail = [...lines.filter((l) => /FATAL|Assertion|Error/.test(l)).slice(0, 3), ...lines.slice(-8)].join('\n');
    const how = hung ? `hung for ${HANG_MS / 1000} s` : signal;
    if (at && at.lib === 'node') {
      // Node itself died (or hung) on this input: nothing to compare with.
      result.nodeCrashes.push({ call: at.call, signal: how, stderr: tail });
    } else {
      sort(result, 'crashes', { fn: at && at.fn, call: at && at.call, specs: at && at.specs, code, signal: how, stderr: tail });
    }
    if (!at) break;
    resume = { fn: at.fn, index: at.i + 1 };
  }
  for (const line of fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n') : []) {
    if (!line) continue;
    const e = JSON.parse(line);
    if (e.stray) {
      result.stray.push(...e.stray);
      continue;
    }
    result.cases++;
    result.perFunction[e.fn] = (result.perFunction[e.fn] || 0) + 1;
    result.outcomes[e.kind] = (result.outcomes[e.kind] || 0) + 1;
    if (e.ms > 1000) result.slow.push({ fn: e.fn, i: e.i, ms: e.ms });
    if (e.mismatch) sort(result, 'mismatches', e.mismatch);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  result.ms = Date.now() - started;
  return result;
}

module.exports = { fuzz, fuzzCases };

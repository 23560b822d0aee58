'use strict';
// What spawning must never change: the host is never the parent, process-wide state, signal
// dispositions and umask, fds; worker threads; the fallback.
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { capabilities } = require('../../dist/lib/index.js');
const { observe } = require('../helpers/observe');
const { ppid, statusField } = require('../helpers/procfs');
const { ours, tmp, both } = require('./common');

describe('spawn: invariants', () => {
  function procState() {
    const field = (k) => statusField('self', k);
    return { SigCgt: field('SigCgt'), SigIgn: field('SigIgn'), SigBlk: field('SigBlk'), Umask: field('Umask'), cwd: process.cwd() };
  }

  it('the host is never the parent: children\'s parent is the helper, the helper\'s is not the host', async () => {
    const child = ours.spawn('sleep', ['10']);
    const helper = capabilities().helperPid;
    assert.strictEqual(ppid(child.pid), helper);
    assert.notStrictEqual(ppid(helper), process.pid);
    child.kill('SIGKILL');
    await observe(child);
  });

  it('process-wide state is the same before, while children run, and after', async () => {
    const before = procState();
    const children = Array.from({ length: 20 }, () => ours.spawn('sleep', ['0.2']));
    const during = procState();
    await Promise.all(children.map((c) => observe(c)));
    const after = procState();
    assert.deepStrictEqual(during, before);
    assert.deepStrictEqual(after, before);
  });

  it('children start with the signal dispositions and mask Node gives them', async () => {
    const onUsr2 = () => {};
    process.on('SIGUSR2', onUsr2); // a handled signal in the host must not be ignored in the child
    try {
      const [n, o] = await both((lib) => observe(lib.spawn('grep', ['-E', '^Sig(Ign|Cgt|Blk)', '/proc/self/status'])));
      assert.strictEqual(o.stdout, n.stdout);
      assert.match(o.stdout, /SigIgn:\s+0+\n/);
    } finally {
      process.off('SIGUSR2', onUsr2);
    }
  });

  it('the helper lives through the signals a terminal or a supervisor sends the host\'s process group', async () => {
    // It shares the host's process group (so that children do too, as under Node): Ctrl-C, Ctrl-Z,
    // a hangup or a group SIGTERM the host handles must neither kill nor stop it, and its running
    // children's exits must still come from it. Its shield must not reach the children it makes
    // afterwards either: nothing pending, blocked or ignored, as under Node.
    const sleeper = ours.spawn('sleep', ['10']);
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    const helper = capabilities().helperPid;
    const mask = (key) => BigInt(`0x${statusField(helper, key)}`);
    const signals = ['SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGTERM', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGPIPE', 'SIGUSR1', 'SIGUSR2'];
    try {
      for (const sig of signals) process.kill(helper, sig);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.doesNotMatch(statusField(helper, 'State'), /^T/, 'the helper was stopped');
      // Blocked or ignored, each of them: a stop signal does nothing to a process whose group is
      // orphaned (a CI shell's, a container's), so the State above alone cannot tell.
      const shield = mask('SigBlk') | mask('SigIgn');
      for (const sig of signals) {
        assert.ok(shield & (1n << BigInt(os.constants.signals[sig] - 1)), `${sig} reaches the helper`);
      }
      const o = await observe(ours.spawn('grep', ['-E', '^(SigPnd|ShdPnd|SigBlk|SigIgn)', '/proc/self/status']));
      assert.strictEqual(o.stdout.replace(/:\s*0+\n/g, ':0\n'), 'SigPnd:0\nShdPnd:0\nSigBlk:0\nSigIgn:0\n');
      assert.strictEqual(capabilities().helperPid, helper, 'a new helper was started');
      sleeper.kill('SIGKILL');
      assert.strictEqual((await observe(sleeper)).signalCode, 'SIGKILL');
    } finally {
      try { process.kill(helper, 'SIGCONT'); } catch { /* gone: the assertions said so */ }
      sleeper.kill('SIGKILL');
    }
  });

  it('the umask of the host at spawn time reaches the child', async () => {
    const old = process.umask(0o027);
    try {
      const o = await observe(ours.spawn('sh', ['-c', 'umask']));
      assert.strictEqual(o.stdout.trim(), '0027');
    } finally {
      process.umask(old);
    }
  });

  it('no fd is left behind by many spawns', async () => {
    const count = () => fs.readdirSync('/proc/self/fd').length;
    await observe(ours.spawn('true')); // the helper is up
    const before = count();
    for (let i = 0; i < 50; i++) await observe(ours.spawn('echo', [String(i)]));
    assert.strictEqual(count(), before);
  });

  it('works in worker threads, each with its own helper', async () => {
    const { Worker } = require('node:worker_threads');
    const lib = path.resolve(__dirname, '../../dist/integrations/child_process.js');
    const code = `
      const { parentPort } = require('node:worker_threads');
      const cp = require(${JSON.stringify(lib)});
      const c = cp.spawn('sh', ['-c', 'echo from-worker; exit 4']);
      let out = '';
      c.stdout.on('data', (d) => out += d);
      c.on('close', (code) => parentPort.postMessage({ code, out, helper: require(${JSON.stringify(path.resolve(__dirname, '../../dist/lib/index.js'))}).capabilities().helperPid }));`;
    const results = await Promise.all([1, 2].map(() => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', (m) => { resolve(m); w.terminate(); });
      w.once('error', reject);
    })));
    for (const r of results) assert.deepStrictEqual({ code: r.code, out: r.out }, { code: 4, out: 'from-worker\n' });
    assert.notStrictEqual(results[0].helper, results[1].helper);
    assert.notStrictEqual(results[0].helper, capabilities().helperPid);
  });

  it('PROCDESC_FORCE_FALLBACK hands over to node:child_process and says so', async () => {
    const { runNode } = require('../helpers/run-node');
    const script = path.join(tmp, 'fallback.js');
    fs.writeFileSync(script, `
      const cp = require(${JSON.stringify(path.resolve(__dirname, '../../dist/integrations/child_process.js'))});
      const { capabilities } = require(${JSON.stringify(path.resolve(__dirname, '../../dist/lib/index.js'))});
      const c = cp.spawn('sh', ['-c', 'exit 5']);
      c.on('close', (code) => console.log(JSON.stringify({ code, caps: capabilities(), isNode: c instanceof require('child_process').ChildProcess })));`);
    const r = await runNode(script, [], { env: { PROCDESC_FORCE_FALLBACK: '1' }, timeout: 20000 });
    assert.deepStrictEqual({ code: r.json.code, path: r.json.caps.path, isNode: r.json.isNode }, { code: 5, path: 'node', isNode: true });
    assert.match(r.json.caps.reason, /PROCDESC_FORCE_FALLBACK/);
  });
});

'use strict';
// Pipelines (lib/descriptor/pipeline.ts): stages joined by kernel pipes made for the children, so
// the host holds no end of them; every stage's exit reported; failures as execa's pipe() and
// `set -o pipefail` (the last failed stage's), except a SIGPIPE in a stage whose reader stopped.
// The host's CPU time for 1 GB is measured by `npm run bench` (benchmarks), not here.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');

const { pipeline, runPipeline, PipelineError, capabilities } = require('../dist/lib/index.js');
const { childrenOf, state } = require('./helpers/procfs');

function collect(stream) {
  return new Promise((resolve) => {
    const chunks = [];
    stream.on('data', (d) => chunks.push(d));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function pipeInode(pid, fd) {
  const link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
  return /^pipe:\[\d+\]$/.test(link) ? link : null;
}

describe('pipeline()', function () {
  this.timeout(60000);
  before(function () {
    if (capabilities().path !== 'procdesc') this.skip();
  });

  it('three stages move the data intact; the joints are pipes the host holds no end of', async () => {
    // 32 MB of a known pattern, upper-cased in the middle, hashed at the end.
    const size = 32 * 1024 * 1024;
    const p = pipeline([
      ['sh', ['-c', `yes abcdefghijklmnopqrstuvwxyz012 | head -c ${size}`]],
      ['tr', ['a-z', 'A-Z']],
      ['sha256sum', [], { stdio: ['pipe', 'pipe', 'inherit'] }],
    ]);
    const [first, middle, last] = p.subprocesses;
    assert.equal(first.stdout, null, 'the first stage writes into the joint, not to the host');
    assert.equal(middle.stdin, null);
    assert.equal(middle.stdout, null);
    assert.equal(last.stdin, null);
    const joint = pipeInode(middle.pid, 0);
    assert.ok(joint, 'the middle stage reads a kernel pipe');
    assert.equal(pipeInode(last.pid, 0) !== joint, true);
    const ours = fs.readdirSync('/proc/self/fd').map((fd) => { try { return fs.readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } });
    assert.ok(!ours.includes(joint), 'the host holds no end of a joint');
    const out = collect(p.stdout);
    const exits = await p.exited;
    assert.deepEqual(exits.map((e) => [e.code, e.signal, e.failed]), [[0, null, false], [0, null, false], [0, null, false]]);
    const line = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012\n';
    const data = Buffer.alloc(size, line);
    const expected = crypto.createHash('sha256').update(data).digest('hex');
    assert.equal((await out).toString().split(' ')[0], expected);
  });

  it("from: 'stderr' and 'all' choose what feeds the next stage", async () => {
    const run = async (from) => {
      const p = pipeline([['sh', ['-c', 'echo out; echo err >&2'], { from, stdio: ['ignore', 'ignore', 'ignore'] }], ['cat']]);
      const out = collect(p.stdout);
      await p.exited;
      return (await out).toString().split('\n').filter(Boolean).sort();
    };
    assert.deepEqual(await run('stderr'), ['err']);
    assert.deepEqual(await run('all'), ['err', 'out']);
    assert.deepEqual(await run('stdout'), ['out']);
  });

  it('run: a failed stage rejects with the last failed one, every exit in error.stages', async () => {
    const err = await runPipeline([['sh', ['-c', 'echo x; exit 3']], ['sh', ['-c', 'cat >/dev/null; exit 4']], ['cat']])
      .catch((e) => e);
    assert.ok(err instanceof PipelineError);
    assert.equal(err.stage, 1, 'the failure closest to the output');
    assert.deepEqual(err.stages.map((e) => e.code), [3, 4, 0]);
  });

  it('a writer killed by SIGPIPE because its reader stopped is no failure (yes | head -1)', async () => {
    const exits = await runPipeline([['yes'], ['head', ['-1'], { stdio: ['pipe', 'ignore', 'inherit'] }]]);
    assert.equal(exits[0].signal, 'SIGPIPE');
    assert.equal(exits[0].failed, false);
  });

  it('a stage that cannot be spawned throws; the stages already started are killed', async () => {
    // A duration no other test uses marks our sleep: the helper is a subreaper, so a `sleep` another
    // test orphaned (a shell killed mid-script) may be its child for a while too.
    const mark = '317.25';
    const err = (() => {
      try {
        pipeline([['sleep', [mark]], ['no-such-command-procdesc']]);
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.equal(err?.code, 'ENOENT');
    // The SIGKILL went before pipeline() threw; its exit takes a moment (waited for, up to 20 s).
    const helper = capabilities().helperPid;
    // A zombie's cmdline is empty: only a live sleep of ours matches.
    const cmdline = (pid) => { try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } };
    const ours = () => childrenOf(helper).filter((k) => cmdline(k) === `sleep\0${mark}\0`);
    for (let i = 0; i < 400 && ours().length; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(ours(), [], 'the first stage was killed');
  });

  it('killTree() stops every stage: each child is SIGKILLed within the call', async () => {
    const p = pipeline([['sh', ['-c', 'while :; do echo x; sleep 0.01; done']], ['cat', [], { stdio: ['pipe', 'ignore', 'inherit'] }]]);
    const killing = p.killTree('SIGKILL');
    // Not one turn of the event loop yet, so no write to a cgroup.kill has been made (fs.promises
    // needs a turn between its open and its write): only a signal sent in the call can end them.
    // Exited: a zombie (Z), being reaped by the helper (X: "dead", exit_state EXIT_DEAD, from the
    // reaper's wait until the PID is unhashed), or gone. CI saw a stage in X for the whole 5 s once
    // (Node 24, after this test had only accepted Z and gone): it had exited, so the kill worked.
    const exited = ['Z', 'X', null];
    p.subprocesses.forEach(({ pid }, i) => {
      const until = Date.now() + 5000;
      while (!exited.includes(state(pid)) && Date.now() < until) { /* spin: no turn of the loop */ }
      // What the stage was then, for a failure to be understood.
      const seen = state(pid);
      assert.ok(exited.includes(seen),
        `stage ${i} (pid ${pid}, state ${seen}, pidfd ${p.subprocesses[i].fd}) was not killed by the call itself`);
    });
    await killing;
    const exits = await p.exited;
    // SIGKILLed before its writer could die and give it an EOF (it would exit 0 on that).
    assert.equal(exits[1].signal, 'SIGKILL');
    assert.ok(['SIGKILL', 'SIGPIPE'].includes(exits[0].signal), `stage 0: ${JSON.stringify(exits[0])}`);
  });
});

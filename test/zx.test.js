'use strict';
// zx with procdesc: useProcdesc($) sets $.spawn and $.spawnSync (zx 8's hooks) to the drop-in's,
// so zx's commands are the helper's children. In this process (zx is a dev dependency), and in a
// hostile host whose thread loops waitpid(-1).
const assert = require('node:assert/strict');
const path = require('node:path');
const { $ } = require('zx');

const { useProcdesc, spawn, spawnSync } = require('../dist/integrations/zx.js');
const dropIn = require('../dist/integrations/child_process.js');
const { capabilities } = require('../dist/lib/index.js');
const { runNode } = require('./helpers/run-node');

const ROOT = path.resolve(__dirname, '..');
const HOST = path.join(__dirname, 'fixtures', 'zx-host.mjs');
// zx's bash must not run the developer's dotfiles: bash reads $BASH_ENV, and even a non-interactive
// bash reads ~/.bashrc when its stdin is a socket (zx's stdin is a pipe, and pipes here, as in
// libuv, are socketpairs) and SHLVL is unset or 0. Seen: a ~/.bashrc running pyenv's init in each
// of the hostile host's 100 commands at once, which took longer than the test's watchdog.
const QUIET_BASH = { SHLVL: String(Math.max(1, Number(process.env.SHLVL) || 0)), BASH_ENV: '' };

describe('zx with procdesc', function () {
  this.timeout(30000);
  let saved;
  before(() => {
    saved = { spawn: $.spawn, spawnSync: $.spawnSync, kill: $.kill, verbose: $.verbose, quiet: $.quiet, env: $.env };
    assert.equal(useProcdesc($), $);
    $.env = { ...process.env, ...QUIET_BASH };
    $.verbose = false;
    $.quiet = true;
  });
  after(() => Object.assign($, saved));

  it('sets $.spawn (the drop-in\'s, trees tracked), $.spawnSync (the drop-in\'s) and $.kill', () => {
    assert.equal($.spawn, spawn);
    assert.notEqual($.kill, saved.kill);
    assert.equal($.spawnSync, dropIn.spawnSync);
    assert.equal(spawnSync, dropIn.spawnSync);
  });

  it('kill() takes down the whole tree, a daemon that double-forked or setsid included', async function () {
    if (capabilities().tree !== 'cgroup') this.skip(); // the walk cannot find a daemon that left
    // The pids go to a file: zx reads the command's stdout itself, maybe before a listener of ours.
    const file = path.join(require('node:os').tmpdir(), `procdesc-zx-tree-${process.pid}`);
    const p = $`(sleep 300 & echo $! >>${file}); setsid sleep 301 & echo $! >>${file}; exec sleep 302`.nothrow();
    const read = () => { try { return require('node:fs').readFileSync(file, 'utf8'); } catch { return ''; } };
    for (let i = 0; i < 1000 && read().split('\n').length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    const daemons = read().split('\n').filter(Boolean).map(Number);
    require('node:fs').rmSync(file, { force: true });
    assert.equal(daemons.length, 2, 'both daemons started');
    await p.kill('SIGKILL');
    assert.equal((await p).signal, 'SIGKILL');
    for (const pid of daemons) {
      let state = null;
      try { state = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0]; } catch { /* gone */ }
      assert.ok(state === null || state === 'Z', `daemon ${pid} is gone (${state})`);
    }
  });

  it('runs commands as children of the helper, with zx\'s results and errors', async () => {
    const helper = capabilities().helperPid;
    assert.equal(Number((await $`echo $PPID`).stdout), helper, 'the shell\'s parent is the helper');
    assert.equal(Number($.sync`echo $PPID`.stdout), helper, '$.sync too');
    const name = "it's a file; rm -rf /";
    assert.equal((await $`echo ${name}`).stdout, `${name}\n`, 'zx quoting is unchanged');
    const failed = await $`echo oops >&2; exit 3`.catch((e) => e);
    assert.equal(failed.exitCode, 3);
    assert.equal(failed.stderr, 'oops\n');
    const piped = await $`printf 'b\na\n'`.pipe`sort`;
    assert.equal(piped.stdout, 'a\nb\n');
    const fed = await $({ input: 'fed\n' })`cat`;
    assert.equal(fed.stdout, 'fed\n');
  });

  it('kill(), timeout and nothrow work on procdesc children', async () => {
    const p = $`exec sleep 30`.nothrow();
    await new Promise((r) => setTimeout(r, 100));
    await p.kill('SIGTERM');
    const r = await p;
    assert.equal(r.signal, 'SIGTERM');
    const t = await $({ timeout: 100, nothrow: true })`exec sleep 30`;
    assert.equal(t.signal, 'SIGTERM');
  });

  it('in a host whose thread loops waitpid(-1): every command\'s exit arrives, none is stolen', async () => {
    const res = await runNode(HOST, ['procdesc', '100', '20', '20000'], { cwd: ROOT, timeout: 30000, env: QUIET_BASH });
    assert.ok(res.json, res.stderr);
    assert.deepEqual(res.json, { finishedBy: 'complete', lib: 'procdesc', n: 100, m: 20, reported: 100, correct: 100,
      syncCorrect: 20, stolen: 0 });
  });

  it('(control) zx on node:child_process in that host: its commands do not all settle', async () => {
    const res = await runNode(HOST, ['node', '4', '0', '1500'], { cwd: ROOT, timeout: 30000, env: QUIET_BASH });
    assert.ok(res.json, res.stderr);
    // The reaper races libuv for each exit and nearly always wins; one may slip through.
    assert.equal(res.json.finishedBy, 'watchdog');
    assert.ok(res.json.reported < 4, `reported ${res.json.reported}`);
    assert.ok(res.json.stolen >= 1, `stolen ${res.json.stolen}`);
  });
});

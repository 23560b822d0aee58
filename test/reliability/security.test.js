'use strict';
// Reliability: security (fds, environment, privileges) (see common.js for how the reliability tests work).
const {
  assert, fs, os, path, node, ours, capabilities, observe, errorShape, runNode, runCommand, which, procfs,
  STRESS, count, script, IS_ROOT, both, outcome, syncOutcome, compareInOwnProcess, report, needs, works,
} = require('./common');

describe('reliability: security', function () {
  this.timeout(60000);

  describe('fds', function () {
    let r;
    before(async () => {
      // fd 3 of the host is inherited without CLOEXEC, like anything a parent leaves open.
      const res = await runCommand([process.execPath, script('security-host.js'), '--case=fds'], { extraStdio: 1, timeout: 30000 });
      assert.ok(res.json && !res.json.error, `${res.json && res.json.error} ${res.stderr.slice(-2000)}`);
      r = res.json;
      report('fds', r);
    });

    it('children inherit no fd but their stdio and what the caller passed (spawn, spawnSync, exec, detached)', () => {
      assert.match(r.inherited, /^(pipe|socket):/, 'the host has an inherited fd 3');
      const keys = (c) => Object.keys(r.cases[c].fds).map(Number).sort((a, b) => a - b);
      assert.deepEqual(keys('default'), [0, 1, 2]);
      assert.deepEqual(keys('extra'), [0, 1, 2, 3, 5], "'ignore' at fd 4 leaves it closed");
      assert.deepEqual(keys('passed'), [0, 1, 2, 4]);
      assert.equal(r.cases.passed.fds[4], r.inherited, 'the fd the caller passed, and only it');
      assert.deepEqual(keys('detached'), [0, 1, 2]);
      assert.deepEqual(keys('spawnSync'), [0, 1, 2]);
      assert.deepEqual(keys('exec'), [0, 1, 2]);
      // Node's children, for the record, get whatever the host holds without CLOEXEC (above 2).
      assert.ok(!Object.values(r.cases.default.fds).includes(r.inherited));
    });

    it('the helper\'s channel never reaches a child, nor does anything else the host or the helper holds', () => {
      // Sockets and pipes are named by their inode: the same name is the same object.
      const held = new Set([...Object.values(r.helperFds), ...Object.values(r.hostFds)].filter((t) => /^(socket|pipe):\[\d+\]$/.test(t)));
      for (const [name, c] of Object.entries(r.cases)) {
        for (const [fd, target] of Object.entries(c.fds)) {
          if (name === 'passed' && fd === '4') continue; // passed on purpose
          assert.ok(!held.has(target), `${name}: child fd ${fd} is ${target}, which the host or the helper holds`);
        }
      }
    });

    it('the helper holds its two channels, its signalfd, its epoll set, /dev/null, /proc/loadavg, the host\'s thread\'s stat and its children\'s pidfds, nothing of the host\'s', () => {
      const targets = Object.entries(r.helperFds);
      const sockets = targets.filter(([, t]) => t.startsWith('socket:')).map(([fd]) => Number(fd));
      assert.deepEqual(sockets, [3, 4]);
      for (const [fd, t] of targets) {
        const pidfd = /pidfd/.test(t) && Number(fd) >= 1024; // native/helper/pidfds.c keeps them there
        // /proc/loadavg and the stat file of the host thread that spawns (here its main thread):
        // native/helper/requests.c reads them before a clone (host_waits_here_alone).
        const hostStat = t === `/proc/${r.hostPid}/stat`;
        assert.ok(t === '/dev/null' || t === '/proc/loadavg' || hostStat || t.startsWith('socket:') || t === 'anon_inode:[signalfd]' ||
          t === 'anon_inode:[eventpoll]' || pidfd, `helper fd ${fd}: ${t}`);
      }
      const hostOwn = new Set(Object.values(r.hostFds));
      for (const [fd, t] of targets) if (t.startsWith('socket:')) assert.ok(!hostOwn.has(t), `helper fd ${fd} is the host's own ${t}`);
    });
  });

  it('the helper binary is the package\'s, never one found on PATH or in the cwd', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-decoy-'));
    const marker = path.join(dir, 'DECOY-RAN');
    const decoy = `#!/bin/sh\ntouch ${marker}\nexec ${path.resolve(__dirname, '..', '..', 'build', 'Release', 'procdesc-helper')}\n`;
    try {
      for (const sub of ['.', 'bin', path.join('build', 'Release')]) {
        fs.mkdirSync(path.join(dir, sub), { recursive: true });
        fs.writeFileSync(path.join(dir, sub, 'procdesc-helper'), decoy, { mode: 0o755 });
      }
      const r = await runNode(script('security-host.js'), ['--case=helper-path'], {
        cwd: dir, env: { PATH: `${path.join(dir, 'bin')}:${dir}:${process.env.PATH}` }, timeout: 20000,
      });
      assert.ok(r.json, r.stderr);
      assert.equal(r.json.path, 'procdesc', r.json.reason);
      assert.equal(r.json.exe, path.resolve(__dirname, '..', '..', 'build', 'Release', 'procdesc-helper'));
      assert.deepEqual(r.json.spawn, { code: 0, out: 'ok\n' });
      assert.equal(fs.existsSync(marker), false, 'a decoy ran');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uid/gid clear the supplementary groups as Node does (as root, with groups): spawn, spawnSync, exec', async function () {
    if (!IS_ROOT || !which('setpriv')) this.skip();
    const r = await runCommand(['setpriv', '--groups=4,20,27', process.execPath, script('security-host.js'), '--case=groups'], { timeout: 30000 });
    assert.ok(r.json && !r.json.error, `${r.json && r.json.error} ${r.stderr}`);
    assert.equal(r.json.hostGroups, '4 20 27');
    for (const v of ['none', 'uid', 'gid', 'both']) {
      assert.deepEqual(r.json[`${v}/procdesc`], r.json[`${v}/node`], v);
      const groups = /Groups:\s*(.*)/.exec(r.json[`${v}/procdesc`].spawn)[1].trim();
      assert.equal(groups, v === 'none' ? '4 20 27' : '', `${v}: Groups`);
    }
    assert.match(r.json['both/procdesc'].spawn, /Uid:\t65534\t65534\t65534\t65534\nGid:\t65534\t65534\t65534\t65534/);
  });
});

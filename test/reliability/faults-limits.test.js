'use strict';
// Reliability: faults of resources and inputs (fd and process limits, files that cannot run, ARG_MAX) (see common.js for how the reliability tests work).
const {
  assert, fs, os, path, node, ours, capabilities, observe, errorShape, runNode, runCommand, which, procfs,
  STRESS, count, script, IS_ROOT, both, outcome, syncOutcome, compareInOwnProcess, report, needs, works,
} = require('./common');

describe('reliability: faults of resources and inputs', function () {
  this.timeout(120000);

  describe('RLIMIT_NOFILE too low', function () {
    // One fd-starved host per library, sweeping the number of free fds from 0 to 14.
    const runs = {};
    before(needs('prlimit'));
    before(async function () {
      for (const lib of ['node', 'procdesc']) {
        const res = await runCommand(['prlimit', '--nofile=200:200', process.execPath, script('fault-host.js'),
          '--case=emfile', `--lib=${lib}`, '--max-free=14']);
        assert.ok(res.json && !res.json.error, `${lib}: ${res.json && res.json.error}\n${res.stderr.slice(-2000)}`);
        runs[lib] = res.json.rows;
      }
      report('emfile', runs);
    });

    const nodeEmfile = () => runs.node.find((row) => row.outcome.events && row.outcome.events[0][0] === 'error').outcome.events;

    it('fewer free fds than the three stdio pipes need: Node\'s EMFILE error event, no child, then a spawn works', () => {
      // Node's own record: 'error' (spawn sleep EMFILE) then close(-24).
      assert.equal(nodeEmfile()[0][1].code, 'EMFILE');
      for (const row of runs.procdesc.filter((x) => x.free < 6)) {
        assert.deepEqual(row.outcome.events, nodeEmfile(), `with ${row.free} free fds`);
        assert.deepEqual(row.leaked, [], `with ${row.free} free fds, a child runs although the spawn failed`);
        assert.deepEqual(row.after, [['exit', 0, null], ['close', 0, null]], `the spawn after (${row.free})`);
      }
    });

    it('whatever the number of free fds: it works or it is Node\'s EMFILE, and no child is left behind', () => {
      for (const row of runs.procdesc) {
        const ok = row.outcome.events && row.outcome.events[0] === 'spawn';
        if (!ok) assert.deepEqual(row.outcome.events, nodeEmfile(), `with ${row.free} free fds`);
        assert.deepEqual(row.leaked, [], `with ${row.free} free fds`);
        assert.deepEqual(row.after, [['exit', 0, null], ['close', 0, null]]);
      }
    });

    it('spawnSync: it works or it is Node\'s EMFILE result, whatever the number of free fds; no child left behind', () => {
      const nodeError = runs.node.find((row) => row.sync.error).sync;
      assert.equal(nodeError.error.code, 'EMFILE');
      for (const row of runs.procdesc) {
        if (row.sync.status !== 0) assert.deepEqual(row.sync, nodeError, `with ${row.free} free fds`);
        assert.deepEqual(row.syncLeaked, [], `with ${row.free} free fds`);
      }
    });
  });

  describe('RLIMIT_NPROC reached', function () {
    before(needs('prlimit', 'setpriv'));
    before(function () {
      // As root the limit is not enforced: the host runs as nobody.
      if (!IS_ROOT) this.skip();
      // ...who must be able to read the checkout: a clone under a 0700 folder (`mktemp -d`) is not.
      const readable = node.spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r',
        script('fault-host.js'), '-a', '-r', path.join(__dirname, '..', '..', 'dist', 'lib', 'index.js')]);
      if (readable.status !== 0) this.skip();
    });

    it('EAGAIN as Node reports it, the children are killed, then a spawn works', async () => {
      const res = {};
      for (const lib of ['node', 'procdesc']) {
        const r = await runCommand(['prlimit', '--nproc=40:40', 'setpriv', '--reuid=65534', '--regid=65534',
          '--clear-groups', process.execPath, script('fault-host.js'), '--case=nproc', `--lib=${lib}`]);
        assert.ok(r.json && !r.json.error, `${lib}: ${r.json && r.json.error}\n${r.stderr.slice(-2000)}`);
        res[lib] = r.json;
      }
      report('nproc', res);
      assert.equal(res.node.uid, 65534);
      assert.equal(res.node.failure.events[0][1].code, 'EAGAIN', 'node hit the limit');
      assert.ok(res.procdesc.spawned > 0 && res.procdesc.spawned < 40, `procdesc spawned ${res.procdesc.spawned}`);
      assert.deepEqual(res.procdesc.failure, res.node.failure);
      assert.equal(res.procdesc.allKilled, true);
      assert.deepEqual(res.procdesc.after, [['exit', 0, null], ['close', 0, null]]);
    });
  });

  describe('files that cannot be run, cwds that do not exist', function () {
    const dir = path.join(os.tmpdir(), `procdesc-rel-${process.pid}`);
    before(() => {
      fs.mkdirSync(dir, { recursive: true });
      const file = (name, content, mode) => {
        fs.writeFileSync(path.join(dir, name), content);
        fs.chmodSync(path.join(dir, name), mode);
      };
      file('noexec', 'echo x\n', 0o644); // EACCES
      file('noshebang', 'echo "script $0 $*"\n', 0o755); // ENOEXEC for the kernel: run by /bin/sh, as Node
      file('badelf', Buffer.from('\x7fELF\x02\x01\x01\x00garbage', 'latin1'), 0o755); // ENOEXEC: an ELF the kernel refuses
      file('badinterp', '#!/nonexistent/interpreter\necho x\n', 0o755); // ENOENT from the interpreter
      fs.mkdirSync(path.join(dir, 'adir')); // EACCES: a directory
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const cases = () => ({
      'ENOENT: a path that does not exist': [path.join(dir, 'nope'), []],
      'ENOENT: a name not on PATH': ['procdesc-no-such-command', []],
      'ENOENT: a name not on options.env.PATH': ['echo', [], { env: { PATH: dir } }],
      'EACCES: a file without x permission': [path.join(dir, 'noexec'), []],
      'EACCES: found on PATH but not executable': ['noexec', [], { env: { PATH: dir } }],
      'EACCES: a directory': [path.join(dir, 'adir'), []],
      'ENOEXEC: a script without #! (run by /bin/sh)': [path.join(dir, 'noshebang'), ['a', 'b']],
      'ENOEXEC: a corrupt ELF (given to /bin/sh)': [path.join(dir, 'badelf'), []],
      'ENOENT: a #! interpreter that does not exist': [path.join(dir, 'badinterp'), []],
      'ENOENT: a cwd that does not exist': ['echo', ['x'], { cwd: path.join(dir, 'nope') }],
      'ENOTDIR: a cwd that is a file': ['echo', ['x'], { cwd: path.join(dir, 'noexec') }],
      'ENOTDIR: a path through a file': [path.join(dir, 'noexec', 'x'), []],
    });

    for (const name of Object.keys(cases())) {
      it(`${name}: spawn, spawnSync and execFile as Node, then a spawn works`, async () => {
        const [file, args, opts] = cases()[name];
        const [n, o] = await both((lib) => outcome(() => lib.spawn(file, args, opts)));
        assert.deepEqual(o, n);
        const [ns, os_] = await both((lib) => syncOutcome(() => lib.spawnSync(file, args, opts)));
        assert.deepEqual(os_, ns);
        const [ne, oe] = await both((lib) => new Promise((resolve) => {
          try {
            lib.execFile(file, args, opts || {}, (err, stdout, stderr) => resolve({ err: err && { ...errorShape(err), cmd: err.cmd }, stdout, stderr }));
          } catch (err) {
            resolve({ threw: errorShape(err) });
          }
        }));
        assert.deepEqual(oe, ne);
        await works();
        report(`file: ${name}`, { tried: 3, error: (n.threw || (n.events.find((e) => e[0] === 'error') || [])[1] || {}).code || 'ran' });
      });
    }
  });

  describe('argv and env over ARG_MAX, requests larger than one socket message', function () {
    const ARG_MAX = 2 * 1024 * 1024;
    const cases = {
      'argv over ARG_MAX (E2BIG)': () => ['echo', Array(80000).fill('x'.repeat(30))],
      'one argument over MAX_ARG_STRLEN (E2BIG)': () => ['echo', ['x'.repeat(200000)]],
      'env over ARG_MAX (E2BIG)': () => ['echo', ['x'], { env: { BIG: 'y'.repeat(ARG_MAX + 1000) } }],
    };
    for (const [name, make] of Object.entries(cases)) {
      it(`${name}: spawn throws, spawnSync returns, exec calls back as Node; then a spawn works`, async () => {
        const [file, args, opts] = make();
        const [n, o] = await both((lib) => outcome(() => lib.spawn(file, args, opts)));
        assert.equal(n.threw.code, 'E2BIG');
        assert.deepEqual(o, n);
        const [ns, os_] = await both((lib) => syncOutcome(() => lib.spawnSync(file, args, opts)));
        assert.deepEqual(os_, ns);
        const [nx, ox] = await both((lib) => syncOutcome(() => lib.execFileSync(file, args, { ...opts, stdio: 'pipe' })));
        assert.deepEqual(ox, nx);
        await works();
        report(`e2big: ${name}`, { tried: 3, error: o.threw.code });
      });
    }

    it('argv + env just under ARG_MAX (far over one socket message) reach the child intact', async () => {
      const args = Array.from({ length: 600 }, (_, i) => `${i}:${'a'.repeat(800)}`);
      // One string may not pass MAX_ARG_STRLEN (128 kB): ten of 100 kB.
      const env = { PATH: process.env.PATH };
      for (let i = 0; i < 10; i++) env[`BIG${i}`] = String(i).repeat(100000);
      const sh = 'echo $#; printf %s "$*" | md5sum; env | sort | md5sum';
      const [n, o] = await both((lib) => outcome(() => lib.spawn('sh', ['-c', sh, 'sh', ...args], { env })));
      assert.equal(n.stdout && n.stdout.split('\n')[0], '600', JSON.stringify(n).slice(0, 300));
      assert.equal(o.stdout && o.stdout.split('\n')[0], '600', JSON.stringify(o).slice(0, 300));
      assert.deepEqual(o, n);
      const [ns, os_] = await both((lib) => syncOutcome(() => lib.spawnSync('sh', ['-c', sh, 'sh', ...args], { env })));
      assert.deepEqual(os_, ns);
    });

    it('stdio with 300 entries, all \'ignore\' above fd 2: the child runs, as under Node', async () => {
      // Counted: the shell's sockets (its pipes). Not all its fds: Node leaves an fd the test
      // process inherited without CLOEXEC open in the child where stdio says 'ignore'.
      const sockets = 'ls -l /proc/$$/fd | grep -c socket';
      const stdio = ['ignore', 'pipe', 'ignore', ...Array(297).fill('ignore')];
      const [n, o] = await both((lib) => outcome(() => lib.spawn('sh', ['-c', sockets], { stdio })));
      assert.equal(n.stdout, '1\n');
      assert.deepEqual(o, n);
    });

    // BUG (native/addon/addon.cc BuildSpawnMessage, native/protocol.h PD_MAX_FDS): a stdio array
    // that passes more than 252 distinct fds (one SCM_RIGHTS message holds at most 253) fails with
    // an EMFILE 'error' event; Node runs it. Reproduce: spawn('true', { stdio: Array(300).fill('pipe') })
    // -> 'spawn true EMFILE'. (Could travel in several messages, or the helper could receive them
    // in batches.)
    it.skip('stdio with 300 pipes: the child gets them all, as under Node', async () => {
      const sockets = 'ls -l /proc/$$/fd | grep -c socket';
      const stdio = ['ignore', 'pipe', 'ignore', ...Array(297).fill('pipe')];
      const [n, o] = await both((lib) => outcome(() => lib.spawn('sh', ['-c', sockets], { stdio })));
      assert.equal(n.stdout, '298\n');
      assert.deepEqual(o, n);
    });
  });

});

'use strict';
// Two (three) copies of the library in one process, as when two dependencies each bundle their own:
//   A  dist/ as installed;
//   B  a copy of the package (dist/ and build/Release/) in a temporary directory;
//   C  dist/ loaded a second time by emptying the require cache (the same addon file, loaded again).
// Each must have its own session and helper; each copy's children are made by its own helper and
// reported only to it, even when their request ids (each session counts from 1) coincide; a
// copy's helper dying does not disturb the others.
//   node test/stress/two-copies.js [--children=30]
// Prints one JSON line.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const procfs = require('../helpers/procfs');

const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const N = Number(arg('children', 30));
const ROOT = path.resolve(__dirname, '..', '..');

function copyPackage() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-copy-'));
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
  for (const f of ['procdesc.node', 'procdesc-helper']) {
    fs.copyFileSync(path.join(ROOT, 'build', 'Release', f), path.join(dir, 'build', 'Release', f));
    fs.chmodSync(path.join(dir, 'build', 'Release', f), 0o755);
  }
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function load(root) {
  return {
    cp: require(path.join(root, 'dist', 'integrations', 'child_process.js')),
    index: require(path.join(root, 'dist', 'lib', 'index.js')),
  };
}

function run(cp, code) {
  return new Promise((resolve) => {
    const c = cp.spawn('sh', ['-c', `echo $PPID; exit ${code}`]);
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.on('error', (e) => resolve({ error: e.message }));
    c.on('close', (status) => resolve({ pid: c.pid, ppid: Number(out.trim()), status }));
  });
}

async function main() {
  const dir = copyPackage();
  try {
    const A = load(ROOT);
    const B = load(dir);
    for (const key of Object.keys(require.cache)) {
      if (key.startsWith(path.join(ROOT, 'dist') + path.sep) || key.endsWith('.node')) delete require.cache[key];
    }
    const C = load(ROOT);
    const copies = { A, B, C };
    const distinctModules = new Set([A.cp.spawn, B.cp.spawn, C.cp.spawn]).size;
    const caps = Object.fromEntries(Object.entries(copies).map(([k, v]) => [k, v.index.capabilities()]));
    const helpers = Object.fromEntries(Object.entries(caps).map(([k, v]) => [k, v.helperPid]));
    const helperExes = Object.fromEntries(Object.entries(helpers).map(([k, v]) => [k, procfs.exe(v)]));

    // Interleaved: the same request ids in all three sessions at the same time.
    const calls = [];
    for (let i = 0; i < N; i++) {
      for (const [name, copy] of Object.entries(copies)) {
        const code = (i * 3 + Object.keys(copies).indexOf(name)) % 200;
        calls.push(run(copy.cp, code).then((r) => ({ name, code, ...r })));
      }
    }
    const results = await Promise.all(calls);
    const wrong = results.filter((r) => r.error || r.status !== r.code || r.ppid !== helpers[r.name]);

    // B's helper dies: A and C go on with theirs, B starts a new one.
    const victim = B.cp.spawn('sleep', ['30']);
    await new Promise((r) => victim.once('spawn', r));
    process.kill(helpers.B, 'SIGKILL');
    await procfs.waitFor(() => procfs.state(helpers.B) !== 'S' && procfs.state(helpers.B) !== 'R', 2000);
    const afterLoss = await Promise.all([run(A.cp, 5), run(B.cp, 6), run(C.cp, 7)]);
    victim.kill('SIGKILL');
    const victimExit = await new Promise((r) => victim.on('exit', (code, signal) => r([code, signal])));
    const helpersAfter = Object.fromEntries(Object.entries(copies).map(([k, v]) => [k, v.index.capabilities().helperPid]));
    const out = {
      distinctModules, helpers, distinctHelpers: new Set(Object.values(helpers)).size,
      paths: Object.fromEntries(Object.entries(caps).map(([k, v]) => [k, v.path])),
      helperExes,
      calls: results.length, wrong: wrong.slice(0, 10),
      afterLoss: afterLoss.map((r, i) => ({ copy: 'ABC'[i], status: r.status, ppidIsHelper: r.ppid === helpersAfter['ABC'[i]] })),
      helpersAfter, victimExit,
    };
    fs.writeSync(1, `${JSON.stringify(out)}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err) => {
  fs.writeSync(1, `${JSON.stringify({ error: String(err && err.stack) })}\n`);
  process.exit(1);
});

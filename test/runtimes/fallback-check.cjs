'use strict';
// Run by Bun and Deno (.ci/run): procdesc must detect the runtime before any libuv call, make the
// drop-in fall back to the runtime's own child_process, say why in capabilities(), warn once, and
// keep working: spawn, exec, execFileSync, fork; the descriptor API's spawn() goes through the
// helper (descriptorPath 'procdesc', test/runtimes/descriptor-check.cjs tests it in full). Prints
// one JSON line; exits 1 if anything is wrong.
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const warnings = [];
process.on('warning', (w) => warnings.push(`${w.code}: ${w.message}`));

const cp = require(path.join(root, 'dist', 'integrations', 'child_process.js'));
const procdesc = require(path.join(root, 'dist', 'lib', 'index.js'));

function settle(child) {
  return new Promise((resolve) => {
    let out = '';
    child.stdout?.on('data', (d) => { out += d; });
    child.on('error', (e) => resolve({ error: e.message }));
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

(async () => {
  const caps = procdesc.capabilities();
  const results = {
    runtime: process.versions.bun ? `bun ${process.versions.bun}` : `deno ${process.versions.deno}`,
    path: caps.path,
    descriptorPath: caps.descriptorPath,
    reason: caps.reason,
    spawn: await settle(cp.spawn('sh', ['-c', 'echo spawned; exit 3'])),
    exec: await new Promise((resolve) => cp.exec('echo executed', (err, stdout) => resolve({ err: err && err.message, stdout }))),
    execFileSync: String(cp.execFileSync('echo', ['synced'])),
    fork: await settle(cp.fork(path.join(__dirname, '..', 'fixtures', 'fork-print.js'), ['a'],
      { stdio: ['ignore', 'pipe', 'ignore', 'ipc'] })),
    descriptor: await (async () => {
      const sub = procdesc.spawn('sh', ['-c', 'echo descriptor; exit 4']);
      let out = '';
      for await (const line of sub) out += line;
      const exit = await sub.exited;
      return { pid: sub.pid > 0, out, code: exit.code };
    })(),
  };
  await new Promise((r) => setTimeout(r, 50));
  results.warnings = warnings;
  const ok = results.path === 'node' && results.descriptorPath === 'procdesc' && /Bun|Deno/.test(results.reason || '') &&
    results.spawn.code === 3 && results.spawn.out === 'spawned\n' &&
    !results.exec.err && results.exec.stdout === 'executed\n' &&
    results.execFileSync === 'synced\n' &&
    results.fork.code === 0 && JSON.parse(results.fork.out || '{}').argv?.[0] === 'a' &&
    results.descriptor.pid && results.descriptor.out === 'descriptor' && results.descriptor.code === 4 &&
    warnings.filter((w) => w.startsWith('PROCDESC_FALLBACK')).length === 1;
  console.log(JSON.stringify({ ok, ...results }));
  process.exit(ok ? 0 : 1);
})().catch((err) => {
  console.log(JSON.stringify({ ok: false, error: String(err && err.stack || err) }));
  process.exit(1);
});

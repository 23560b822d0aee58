'use strict';
// Hosts for the security checks, each run in its own process:
//   --case=fds          children inherit no fd but their stdio and what the caller passed, and never
//                       the helper's channel. Start it with an inherited fd 3 that is not CLOEXEC
//                       (an extra 'pipe' in the caller's stdio): the host holds that, a file, a
//                       listening socket and the pipes of a running child while it spawns.
//   --case=helper-path  which binary runs as the helper (start it from a cwd and a PATH that hold
//                       decoys named procdesc-helper).
//   --case=groups       uid/gid options and supplementary groups, for node:child_process and
//                       procdesc (start it as root with supplementary groups, e.g. under
//                       `setpriv --groups=...`).
// Prints one JSON line.
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const procfs = require('../helpers/procfs');
const node = require('node:child_process');
const ours = require('../../dist/integrations/child_process.js');
const { capabilities } = require('../../dist/lib/index.js');

const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};

// A shell that lists its own fds while `ls` runs (it holds nothing else meanwhile), parsed from
// ls -l's "n -> target" line endings.
const LIST_FDS = 'ls -l /proc/$$/fd';

function parseFds(text) {
  const out = {};
  for (const line of text.trim().split('\n')) {
    const m = / (\d+) -> (.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function collect(child) {
  return new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', (e) => resolve({ error: e.message }));
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function fds() {
  const inherited = procfs.fdTargets()[3] || null;
  const file = fs.openSync(path.join(os.tmpdir(), `procdesc-fd-probe-${process.pid}`), 'w');
  const server = net.createServer().listen(0);
  await new Promise((r) => server.once('listening', r));
  const running = ours.spawn('sleep', ['30']); // its pipes are open in the host meanwhile
  await new Promise((r) => running.once('spawn', r));
  const helperPid = capabilities().helperPid;
  const helperFds = procfs.fdTargets(helperPid);
  const hostFds = procfs.fdTargets();

  const cases = {};
  cases.default = await collect(ours.spawn('sh', ['-c', LIST_FDS]));
  cases.extra = await collect(ours.spawn('sh', ['-c', LIST_FDS], { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'ignore', 'pipe'] }));
  // The caller passes its inherited fd 3 on purpose, as the child's fd 4.
  cases.passed = await collect(ours.spawn('sh', ['-c', LIST_FDS], { stdio: ['ignore', 'pipe', 'ignore', 'ignore', 3] }));
  cases.detached = await collect(ours.spawn('sh', ['-c', LIST_FDS], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] }));
  const sync = ours.spawnSync('sh', ['-c', LIST_FDS], { encoding: 'utf8' });
  cases.spawnSync = { code: sync.status, out: sync.stdout };
  cases.exec = await new Promise((resolve) => ours.exec(LIST_FDS, (err, out) => resolve({ code: err ? err.code : 0, out })));
  cases.fork = await new Promise((resolve) => {
    const c = ours.fork(path.join(__dirname, '..', 'helpers', 'list-fds-child.js'), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    c.on('message', (m) => resolve({ code: 0, fds: m }));
    c.on('error', (e) => resolve({ error: e.message }));
  });
  // Node, for reference: its children inherit what is not CLOEXEC.
  const nodeDefault = await collect(node.spawn('sh', ['-c', LIST_FDS]));

  running.kill();
  server.close();
  fs.closeSync(file);
  fs.rmSync(path.join(os.tmpdir(), `procdesc-fd-probe-${process.pid}`), { force: true });
  const result = {};
  for (const [k, v] of Object.entries(cases)) result[k] = v.error ? v : { code: v.code, fds: v.fds || parseFds(v.out) };
  fs.writeSync(1, `${JSON.stringify({
    inherited, helperPid, hostPid: process.pid, helperFds, hostFds, cases: result, nodeDefault: parseFds(nodeDefault.out || ''),
  })}\n`);
}

async function helperPath() {
  const caps = capabilities();
  const r = await collect(ours.spawn('echo', ['ok']));
  fs.writeSync(1, `${JSON.stringify({
    path: caps.path, reason: caps.reason, helperPid: caps.helperPid, exe: procfs.exe(caps.helperPid),
    cwd: process.cwd(), spawn: r,
  })}\n`);
}

const STATUS = "grep -E '^(Uid|Gid|Groups):' /proc/self/status";

async function groups() {
  const variants = { none: {}, uid: { uid: 65534 }, gid: { gid: 65534 }, both: { uid: 65534, gid: 65534 } };
  const out = { hostGroups: procfs.statusField('self', 'Groups') };
  for (const [name, opts] of Object.entries(variants)) {
    for (const [lib, cp] of [['node', node], ['procdesc', ours]]) {
      const r = await collect(cp.spawn('sh', ['-c', STATUS], opts));
      const s = cp.spawnSync('sh', ['-c', STATUS], { ...opts, encoding: 'utf8' });
      const e = await new Promise((resolve) => cp.exec(STATUS, opts, (err, o) => resolve(err ? err.message : o)));
      out[`${name}/${lib}`] = { spawn: r.out || r.error, spawnSync: s.stdout, exec: e };
    }
  }
  fs.writeSync(1, `${JSON.stringify(out)}\n`);
}

const cases = { fds, 'helper-path': helperPath, groups };
cases[arg('case', 'fds')]().then(() => process.exit(0), (err) => {
  fs.writeSync(1, `${JSON.stringify({ error: String(err && err.stack) })}\n`);
  process.exit(1);
});

'use strict';
// Runs inside a consumer app (test/package/consumer.js) where procdesc was installed from the
// packed tarball; prints one JSON line of facts for the driver to judge: the path in use, which
// addon file this process mapped, the helper's executable, a piped spawn and an execFileSync,
// and whether the ESM faces are the same modules as require() gives.
const fs = require('node:fs');
const { once } = require('node:events');

const procdesc = require('procdesc');
const cp = require('procdesc/child_process');

function mappedAddons() {
  const files = fs.readFileSync('/proc/self/maps', 'utf8').split('\n')
    .map((line) => line.split(/\s+/).slice(5).join(' ')).filter((f) => /\.node$/.test(f));
  return [...new Set(files)];
}

function helperCommand(pid) {
  if (!pid) return null;
  // Under qemu-user (binfmt_misc) the helper's exe is qemu; its command line names the helper.
  return { exe: fs.readlinkSync(`/proc/${pid}/exe`), cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0') };
}

async function main() {
  const caps = procdesc.capabilities();
  const child = cp.spawn('sh', ['-c', 'read line; echo "got:$line ppid:$PPID"'], { stdio: 'pipe' });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  child.stdin.end('hello\n');
  const [code, signal] = await once(child, 'close');
  const sync = cp.execFileSync('echo', ['sync-ok'], { encoding: 'utf8' });
  const [esmIndex, esmChildProcess] = [await import('procdesc'), await import('procdesc/child_process')];
  console.log(JSON.stringify({
    arch: process.arch,
    path: caps.path,
    reason: caps.reason,
    helperPid: caps.helperPid,
    helper: helperCommand(caps.helperPid),
    addons: mappedAddons(),
    spawn: { out, code, signal },
    sync,
    esmShared: esmIndex.capabilities === procdesc.capabilities && esmChildProcess.spawn === cp.spawn,
  }));
}

main().catch((err) => {
  console.log(JSON.stringify({ error: err.stack }));
  process.exitCode = 1;
});

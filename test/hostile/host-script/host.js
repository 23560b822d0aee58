'use strict';
// The host's side of host-script.js: the library under test and the hostile addon, the hostility
// itself, and what /proc says about the host and its children.

const fs = require('node:fs');
const path = require('node:path');

const { APIS } = require('./options');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const HOSTILE_DIR = path.resolve(__dirname, '..');

function loadLibrary(lib) {
  if (lib === 'node') return require('node:child_process');
  const file = process.env.PROCDESC_CHILD_PROCESS ||
    path.join(ROOT, 'dist', 'integrations', 'child_process.js');
  const mod = require(file);
  for (const name of APIS) {
    if (typeof mod[name] !== 'function') throw new Error(`${file} does not export ${name}()`);
  }
  return mod;
}

function loadAddon() {
  return require(process.env.HOSTILE_ADDON ||
    path.join(HOSTILE_DIR, 'build', 'Release', 'hostile.node'));
}

// Returns what the hostility displaced (for diagnostics).
function applyHostility(hostile, hostility) {
  switch (hostility) {
    case 'none': return null;
    case 'reaper': hostile.startReaper(); return null;
    case 'ignore': return hostile.ignoreSigchld();
    case 'handler': return hostile.installSigchldHandler();
    default: throw new Error(`unknown hostility ${hostility}`);
  }
}

function hostilityIntact(hostile, hostility) {
  switch (hostility) {
    case 'ignore': return hostile.sigchldDisposition() === 'ignore';
    case 'handler': return hostile.sigchldDisposition() === 'hostile';
    default: return true; // the reaper cannot be undone by anyone else
  }
}

function readPpid(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parens: fields restart after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function countHostZombies() {
  let zombies = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' && Number(fields[1]) === process.pid) zombies++;
    } catch { /* raced with exit */ }
  }
  return zombies;
}

// Spawns the long-lived anchor and resolves once it is running.  `cat` exits
// on stdin EOF, i.e. as soon as we die, however we die.  Always through
// spawn(): it only has to install the library's machinery (and a sync call
// cannot leave a child running).
function spawnAnchor(lib) {
  return new Promise((resolve, reject) => {
    const child = lib.spawn('/bin/cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => {
      // Tolerate a library that never emits 'spawn' but did give a pid.
      if (child.pid) resolve(child);
      else reject(new Error('anchor child did not spawn'));
    }, 3000);
    child.once('spawn', () => { clearTimeout(timer); resolve(child); });
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

module.exports = {
  loadLibrary, loadAddon, applyHostility, hostilityIntact, readPpid, countHostZombies, spawnAnchor,
};

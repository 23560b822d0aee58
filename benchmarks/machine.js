'use strict';
// What the numbers were measured on, and how the run was started.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function tryRun(file, args) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function tryRead(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Which procdesc was measured: the commit, the files changed since, when the native parts were built. */
function procdescBuild() {
  const root = path.join(__dirname, '..');
  const commit = tryRun('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  const changed = (tryRun('git', ['-C', root, 'diff', '--name-only', 'HEAD']) || '').split('\n').filter(Boolean);
  const built = (file) => {
    try {
      return fs.statSync(path.join(root, file)).mtime.toISOString();
    } catch {
      return null;
    }
  };
  return {
    commit,
    changedFiles: changed,
    addonBuilt: built('build/Release/procdesc.node'),
    helperBuilt: built('build/Release/procdesc-helper'),
    distBuilt: built('dist/integrations/child_process.js'),
  };
}

function machine() {
  const cpus = os.cpus();
  return {
    nproc: Number(tryRun('nproc', [])) || os.availableParallelism(),
    cpuModel: cpus.length ? cpus[0].model : null,
    kernel: tryRun('uname', ['-srvm']) || `${os.type()} ${os.release()}`,
    node: process.version,
    libuv: process.versions.uv,
    memTotalGB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    memFreeGB: Number((os.freemem() / 1024 ** 3).toFixed(1)),
    transparentHugepages: tryRead('/sys/kernel/mm/transparent_hugepage/enabled'),
    cc: (tryRun('cc', ['--version']) || '').split('\n')[0] || null,
    execa: (JSON.parse(tryRead(path.join(__dirname, '..', 'node_modules', 'execa', 'package.json')) || '{}')).version || null,
    procdesc: procdescBuild(),
    loadAvgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

/** The command as typed: `npm run bench …` when npm started us, else node's argv. */
function command() {
  const args = process.argv.slice(2).join(' ');
  const env = ['BENCH_SCALE', 'BENCH_OUT'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join('');
  if (process.env.npm_lifecycle_event === 'bench') return `${env}npm run bench${args ? ` -- ${args}` : ''}`;
  return `${env}node ${path.relative(process.cwd(), process.argv[1]) || process.argv[1]}${args ? ` ${args}` : ''}`;
}

module.exports = { machine, command };

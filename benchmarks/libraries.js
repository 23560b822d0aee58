'use strict';
// The libraries under test, behind one small interface so that every scenario runs the same code
// for each of them. Each operation is written the way that library is meant to be used:
// node:child_process and procdesc through their events, execa through its promise.
//
//   run(file, args)       spawn with stdio ignored; resolves on 'exit'
//   runPiped(file, args)  spawn with stdout on a pipe, consumed; resolves on 'close'
//   start(file, args)     spawn with stdio ignored; { ready, kill(signal), done } where ready
//                         resolves once the child is running and done once it has exited
//   sync(file)            spawnSync with the library's defaults
const path = require('node:path');
const { once } = require('node:events');
const { getSystemErrorName } = require('node:util');

const ROOT = path.join(__dirname, '..');

/** node:child_process and procdesc share one API, so they share one adapter. */
function childProcessAdapter(cp) {
  return {
    run(file, args) {
      return new Promise((resolve, reject) => {
        const child = cp.spawn(file, args, { stdio: 'ignore' });
        child.once('error', reject);
        child.once('exit', resolve);
      });
    },
    runPiped(file, args) {
      return new Promise((resolve, reject) => {
        const child = cp.spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk) => { out += chunk; });
        child.once('error', reject);
        child.once('close', () => resolve(out));
      });
    },
    start(file, args) {
      const child = cp.spawn(file, args, { stdio: 'ignore' });
      const done = new Promise((resolve) => child.once('exit', resolve));
      const ready = new Promise((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      return { ready, done, kill: (signal) => child.kill(signal) };
    },
    sync(file) {
      return cp.spawnSync(file);
    },
  };
}

function execaAdapter(execaModule) {
  const { execa, execaSync } = execaModule;
  return {
    run(file, args) {
      return execa(file, args, { stdio: 'ignore' });
    },
    async runPiped(file, args) {
      const result = await execa(file, args, { stdin: 'ignore', stderr: 'ignore' });
      return result.stdout;
    },
    start(file, args) {
      const subprocess = execa(file, args, { stdio: 'ignore' });
      // Killed on purpose: the rejection is the expected outcome.
      const done = subprocess.then(() => undefined, () => undefined);
      const ready = once(subprocess, 'spawn');
      return { ready, done, kill: (signal) => subprocess.kill(signal) };
    },
    sync(file) {
      return execaSync(file);
    },
  };
}

/** procdesc's core with nothing of Node's child_process: a ProcessHandle (lib/core) spawning and
 * reporting the exit itself, for bench:layers. The environment as the drop-in's Node 20-24 sends
 * it: pairs made at each spawn from a plain copy of process.env taken once. Only run() exists. */
function coreAdapter(root) {
  const { getSession } = require(path.join(root, 'dist/lib/core/session.js'));
  const { ProcessHandle } = require(path.join(root, 'dist/lib/core/process_handle.js'));
  const session = getSession();
  if (!session) throw new Error('procdesc-core: the addon cannot be loaded here');
  const ignore = session.binding.constants.STDIO_IGNORE;
  const env = { ...process.env };
  const unsupported = () => { throw new Error('procdesc-core runs scenario 1 only'); };
  return {
    run(file, args) {
      return new Promise((resolve, reject) => {
        const envPairs = [];
        for (const key in env) envPairs.push(`${key}=${env[key]}`);
        const handle = new ProcessHandle(session);
        handle.onexit = (code) => {
          handle.close();
          resolve(code);
        };
        const err = handle.spawn({ file, args: [file, ...args], envPairs, detached: false, stdio: [ignore, ignore, ignore] });
        if (err !== 0) {
          handle.close();
          reject(new Error(`procdesc-core: spawn ${file}: ${getSystemErrorName(err)}`));
        }
      });
    },
    runPiped: unsupported,
    start: unsupported,
    sync: unsupported,
  };
}

/** Loads one library by name: 'procdesc' (from this checkout, or the built one at root),
 * 'procdesc-core' (the same, without Node's ChildProcess: coreAdapter), 'node' or 'execa'. */
async function load(name, root = ROOT) {
  switch (name) {
    case 'procdesc': {
      const cp = require(path.join(root, 'dist/integrations/child_process.js'));
      const { capabilities } = require(path.join(root, 'dist/lib/index.js'));
      return { ...childProcessAdapter(cp), capabilities };
    }
    case 'procdesc-core': {
      const { capabilities } = require(path.join(root, 'dist/lib/index.js'));
      return { ...coreAdapter(root), capabilities };
    }
    case 'node':
      return childProcessAdapter(require('node:child_process'));
    case 'execa':
      return execaAdapter(await import('execa'));
    default:
      throw new Error(`unknown library ${name}`);
  }
}

module.exports = { load };

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

/** Loads one library by name: 'procdesc' (from this checkout, or the built one at root), 'node' or 'execa'. */
async function load(name, root = ROOT) {
  switch (name) {
    case 'procdesc': {
      const cp = require(path.join(root, 'dist/integrations/child_process.js'));
      const { capabilities } = require(path.join(root, 'dist/lib/index.js'));
      return { ...childProcessAdapter(cp), capabilities };
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

'use strict';
// Runs any command (prlimit, setpriv, unshare in front of node) and collects its output, like
// run-node.js does for a node script. The test runner is not under test: node:child_process.
const { spawn } = require('node:child_process');
const { lastJsonLine } = require('./run-node');

/**
 * runCommand(argv, { env, cwd, timeout = 120000, extraStdio = 0 })
 *   -> Promise<{ code, signal, stdout, stderr, json, timedOut }>
 * env is merged over process.env; extraStdio adds that many 'pipe' fds after 0-2 (fds the command
 * inherits without CLOEXEC). After timeout ms the command is SIGKILLed and the promise resolves.
 */
function runCommand(argv, { env, cwd, timeout = 120000, extraStdio = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', ...Array(extraStdio).fill('pipe')],
    });
    const out = [];
    const err = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', () => {
      // Whatever the command left behind may hold the extra pipes open: do not wait for them.
      for (let i = 3; i < child.stdio.length; i++) child.stdio[i]?.destroy();
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString();
      resolve({ code, signal, stdout, stderr: Buffer.concat(err).toString(), json: lastJsonLine(stdout), timedOut });
    });
  });
}

/** The absolute path of a program on PATH, or null. */
function which(name) {
  const fs = require('node:fs');
  const path = require('node:path');
  for (const dir of (process.env.PATH || '').split(':')) {
    const p = path.join(dir || '.', name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch { /* not here */ }
  }
  return null;
}

module.exports = { runCommand, which };

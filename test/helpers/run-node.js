'use strict';
// Runs a node script in a fresh process and collects its output.  The test
// runner itself is not under test, so it uses node:child_process directly.

const { spawn } = require('node:child_process');

const STDIO_LINGER_MS = 2000;

// The last line of `text` that parses as a JSON object, or null.
function lastJsonLine(text) {
  const lines = text.split('\n');
  for (let k = lines.length - 1; k >= 0; k--) {
    const line = lines[k].trim();
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line);
    } catch { /* not JSON after all; keep looking */ }
  }
  return null;
}

/**
 * runNode(scriptPath, args = [], { env, timeout = 60000, cwd })
 *   -> Promise<{ code, signal, stdout, stderr, json, timedOut, stdioHeldOpen }>
 *
 * `env` is merged over process.env.  After `timeout` ms the script is
 * SIGKILLed and the promise still resolves (timedOut: true, signal
 * 'SIGKILL'), so callers can report what it printed so far.  Rejects only if
 * the script cannot be started at all.
 *
 * Resolution normally waits for 'close' (all output read).  If the script
 * has exited but something it left behind (an orphaned child or helper)
 * still holds its stdout/stderr open, waiting for 'close' could take
 * forever; after STDIO_LINGER_MS we resolve anyway with stdioHeldOpen: true,
 * which is itself worth asserting on.
 */
function runNode(scriptPath, args = [], { env, timeout = 60000, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [scriptPath, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    let timedOut = false;
    let settled = false;
    let lingerTimer = null;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    const finish = (code, signal, stdioHeldOpen) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(lingerTimer);
      const stdout = Buffer.concat(out).toString();
      resolve({
        code,
        signal,
        stdout,
        stderr: Buffer.concat(err).toString(),
        json: lastJsonLine(stdout),
        timedOut,
        stdioHeldOpen,
      });
    };
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      lingerTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal, true);
      }, STDIO_LINGER_MS);
    });
    child.on('close', (code, signal) => finish(code, signal, false));
  });
}

module.exports = { runNode, lastJsonLine };

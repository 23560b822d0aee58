'use strict';
// Runs one child to its end and records what a user of child_process sees: its events in order,
// their arguments, the error's shape and the output. Used on node:child_process and on procdesc
// with the same inputs, so the two records can be compared.

function errorShape(err) {
  if (!(err instanceof Error)) return err;
  const shape = { name: err.name, message: err.message };
  for (const key of ['code', 'errno', 'syscall', 'path', 'spawnargs']) {
    if (err[key] !== undefined) shape[key] = err[key];
  }
  return shape;
}

/** Calls fn(); returns the thrown error's shape, or null. */
function thrown(fn) {
  try {
    fn();
  } catch (err) {
    return errorShape(err);
  }
  return null;
}

/**
 * observe(child, { timeoutMs }) -> Promise<{ events, stdout, stderr, exitCode, signalCode, pid }>
 * events: ['spawn', ['exit', code, signal], ['error', shape], ['close', code, signal]] in order.
 */
function observe(child, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const events = [];
    const out = [];
    const err = [];
    child.stdout?.on('data', (d) => out.push(d));
    child.stderr?.on('data', (d) => err.push(d));
    child.on('spawn', () => events.push('spawn'));
    child.on('exit', (code, signal) => events.push(['exit', code, signal]));
    child.on('error', (e) => events.push(['error', errorShape(e)]));
    const timer = setTimeout(() => reject(new Error(`no 'close' within ${timeoutMs} ms: ${JSON.stringify(events)}`)), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      events.push(['close', code, signal]);
      resolve({
        events,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        exitCode: child.exitCode,
        signalCode: child.signalCode,
        killed: child.killed,
        pid: child.pid,
      });
    });
  });
}

module.exports = { errorShape, thrown, observe };

'use strict';
// Shared by test/descriptor/*.test.js, the tests of the descriptor API (procdesc's `.` export):
// the library, where it is built, what the kernel offers, and small helpers several files use.
const os = require('node:os');
const path = require('node:path');

const procdesc = require('../../dist/lib/index.js');

const { spawn } = procdesc;
const DIST = path.resolve(__dirname, '../../dist/lib/index.js');
const FIXTURES = path.join(__dirname, '..', 'fixtures');

function kernelAtLeast(major, minor) {
  const [a, b] = os.release().split('.').map(Number);
  return a > major || (a === major && b >= minor);
}
const EXIT_INFO = kernelAtLeast(6, 15);
const GROUP_SIGNALS = kernelAtLeast(6, 9);

/** The error a function throws (assert.throws gives no access to it). */
function thrownBy(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

/** A node child that ignores SIGTERM and says 'ready' once it does. */
function stubborn(options = {}) {
  const sub = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
    { stdio: ['ignore', 'pipe', 'inherit'], ...options });
  return sub;
}

async function firstLine(sub) {
  for await (const line of sub) return line;
  return undefined;
}

module.exports = { procdesc, DIST, FIXTURES, EXIT_INFO, GROUP_SIGNALS, thrownBy, stubborn, firstLine };

'use strict';
const { optionOf } = require('./specs');

// --- known product bugs ---------------------------------------------------------------------------
// Differences from Node already reported, each with a (skipped) test in test/reliability/ that
// reproduces it in one call. The fuzzer counts them apart so that it
// keeps finding new ones; --strict (or strict: true) counts them as any other.
const SYNC_FNS = new Set(['spawnSync', 'execSync', 'execFileSync']);

const KNOWN_BUGS = {
  // Node builds stdio with Array#reduce, which skips holes, and the sync functions drop string and
  // Buffer entries: the entries after move down, and a pipe made for fd 1 or 2 can land on fd 0,
  // where Node still collects its output (by the pipe's flags); procdesc keeps holes as 'pipe' and
  // never collects fd 0.
  'shifted-stdio': (fn, specs) => {
    const stdio = optionOf(specs, 'stdio');
    if (!stdio) return false;
    if (stdio[0] === 'holes') return true;
    return SYNC_FNS.has(fn) && stdio[0] === 'arr' &&
      stdio[1].some((s) => ['buf', 'u8', 'dv'].includes(s[0]) || (s[0] === 'v' && typeof s[1] === 'string' &&
        !['pipe', 'ignore', 'inherit', 'overlapped', 'ipc'].includes(s[1])));
  },
  // Node's EPIPE comes only when it writes before the child exits: a race on small inputs.
  'sync-input-epipe': (fn, specs, a, b) => SYNC_FNS.has(fn) && optionOf(specs, 'input') !== undefined &&
    JSON.stringify(a).includes('EPIPE') && !JSON.stringify(b).includes('EPIPE'),
};

/** The known bug a difference (or crash: no outcomes) comes from, or null. */
function knownBug(fn, specs, nodeOutcome, oursOutcome) {
  for (const [id, test] of Object.entries(KNOWN_BUGS)) if (test(fn, specs, nodeOutcome, oursOutcome)) return id;
  return null;
}

module.exports = { KNOWN_BUGS, knownBug };

'use strict';
// How much to run, and where to write. Scale comes from --scale=… or BENCH_SCALE: a preset
// (tiny, small, full; full is the default) or a number that multiplies full's iteration counts.
// Output goes to --out=… or BENCH_OUT, by default benchmarks/results.
const path = require('node:path');

const GB = 1024 ** 3;
const MB = 1024 ** 2;

// batch: iterations per contestant per round; rounds: how many times the contestants take turns.
const PRESETS = {
  full: {
    warmup: 30,
    sequential: { rounds: 10, batch: 50 }, // scenarios 1, 2, 7
    throughput: { rounds: 8, batch: 192, inFlight: 16 }, // scenario 5
    kill: { rounds: 10, batch: 60 }, // scenario 6
    parentSizes: [0, 0.5 * GB, 1 * GB, 2 * GB], // scenario 3 is the last
    parent: { rounds: 6, batch: 25 },
    liveChildren: [0, 500, 1000, 2000], // scenario 4 is the last
    // brackets: scenario 4's idle/alive/idle brackets (scenarios.js); settleMs: the pause after
    // each kill of the idle children. Neither is scaled by a numeric --scale.
    children: { rounds: 6, batch: 25, brackets: 3, settleMs: 5000 },
    costChildren: 1000, // scenario 8; one of liveChildren
    pipeline: { bytes: 1 * GB, rounds: 3 }, // scenario 9
  },
  small: {
    warmup: 5,
    sequential: { rounds: 4, batch: 15 },
    throughput: { rounds: 3, batch: 64, inFlight: 16 },
    kill: { rounds: 4, batch: 15 },
    parentSizes: [0, 256 * MB, 512 * MB],
    parent: { rounds: 3, batch: 10 },
    liveChildren: [0, 100, 200],
    children: { rounds: 3, batch: 10, brackets: 2, settleMs: 2000 },
    costChildren: 200,
    pipeline: { bytes: 256 * MB, rounds: 2 },
  },
  tiny: {
    warmup: 2,
    sequential: { rounds: 2, batch: 3 },
    throughput: { rounds: 2, batch: 32, inFlight: 16 },
    kill: { rounds: 2, batch: 3 },
    parentSizes: [0, 50 * MB],
    parent: { rounds: 2, batch: 5 },
    liveChildren: [0, 20],
    children: { rounds: 2, batch: 3, brackets: 1, settleMs: 0 },
    costChildren: 20,
    pipeline: { bytes: 16 * MB, rounds: 1 },
  },
};

function scaled(factor) {
  const full = PRESETS.full;
  const s = (x) => ({ ...x, batch: Math.max(1, Math.round(x.batch * factor)) });
  return {
    ...full,
    sequential: s(full.sequential),
    throughput: s(full.throughput),
    kill: s(full.kill),
    parent: s(full.parent),
    children: s(full.children),
  };
}

/** The value of --name=value in argv (undefined when absent). */
function flag(argv, name) {
  const prefix = `--${name}=`;
  const hit = argv.find((a) => a.startsWith(prefix));
  return hit ? hit.slice(prefix.length) : undefined;
}

function readConfig(argv = process.argv.slice(2), env = process.env) {
  const scale = flag(argv, 'scale') || env.BENCH_SCALE || 'full';
  let preset;
  if (PRESETS[scale]) preset = PRESETS[scale];
  else if (Number(scale) > 0) preset = scaled(Number(scale));
  else throw new Error(`unknown scale ${JSON.stringify(scale)}: tiny, small, full or a number`);
  if (!preset.liveChildren.includes(preset.costChildren)) throw new Error('costChildren must be one of liveChildren');
  if (!(preset.children.brackets >= 1)) throw new Error('scenario 4 needs at least one bracket');
  const out = path.resolve(flag(argv, 'out') || env.BENCH_OUT || path.join(__dirname, 'results'));
  return { scale, out, ...preset };
}

module.exports = { readConfig, flag, GB, MB };

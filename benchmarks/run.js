'use strict';
// npm run bench [-- --scale=tiny|small|full|<factor>] [--out=DIR]
// (or BENCH_SCALE / BENCH_OUT). Compiles the floor, starts the four contestants, runs every
// scenario interleaved, then writes results.md, results.json and the SVG charts to the output
// directory and prints the table. A full run into the default directory also rewrites the
// README's table (benchmarks/readme.js), so that its table and charts come from the same run.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { readConfig } = require('./config');
const { LIBRARIES, compileFloor, startAll } = require('./contestants');
const { machine, command } = require('./machine');
const { runAll, log } = require('./scenarios');
const { summarise, markdown, charts } = require('./report');
const { pipelineMarkdown } = require('./pipeline');
const { updateReadme } = require('./readme');

const DEFAULT_OUT = path.join(__dirname, 'results');

async function main() {
  const started = Date.now();
  const cfg = readConfig();
  fs.mkdirSync(cfg.out, { recursive: true });
  const info = machine();
  const cmd = command();
  log(`scale ${cfg.scale}, output to ${cfg.out}`);

  const floorBin = compileFloor();
  const contestants = [];
  let raw;
  let capabilities;
  try {
    await startAll(floorBin, contestants);
    capabilities = (await contestants.find((c) => c.name === 'procdesc').send('caps')).capabilities;
    if (capabilities.path !== 'procdesc') log(`WARNING: procdesc is on its fallback path: ${capabilities.reason}`);
    raw = await runAll(contestants, cfg);
  } finally {
    await Promise.all(contestants.map((c) => c.quit()));
    fs.rmSync(path.dirname(floorBin), { recursive: true, force: true });
  }

  info.loadAvgAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  const elapsedS = (Date.now() - started) / 1000;
  const summary = summarise(raw, cfg, LIBRARIES);
  const svgs = charts(raw, summary, LIBRARIES);
  for (const [name, svg] of Object.entries(svgs)) fs.writeFileSync(path.join(cfg.out, name), svg);
  const md = markdown({
    summary, libs: LIBRARIES, machine: info, command: cmd, cfg, capabilities, elapsedS,
    charts: { parent: 'parent-size.svg', children: 'live-children.svg', kill: 'kill-cdf.svg' },
  });
  const mdAll = md + pipelineMarkdown(raw.pipeline);
  fs.writeFileSync(path.join(cfg.out, 'results.md'), mdAll);
  const { out, ...config } = cfg;
  fs.writeFileSync(path.join(cfg.out, 'results.json'), `${JSON.stringify({
    command: cmd, machine: info, config, capabilities, elapsedS, libraries: LIBRARIES,
    summary, raw,
  }, null, 1)}\n`);
  if (cfg.scale === 'full' && path.resolve(cfg.out) === DEFAULT_OUT && updateReadme({ summary, machine: info, cfg })) {
    log('rewrote the README\'s benchmark table');
  }
  process.stdout.write(mdAll);
  log(`done in ${elapsedS.toFixed(1)} s; wrote ${cfg.out}/results.md, results.json, ${Object.keys(svgs).join(', ')}`);
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});

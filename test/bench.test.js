'use strict';
// The benchmark harness works: a tiny run (a few iterations, 50 MB instead of 2 GB, 20 children
// instead of 2000) exits 0 and writes every row for every contestant, finite numbers and the
// charts. No timing is asserted.
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const LIBRARIES = ['procdesc', 'node', 'execa', 'floor'];
const SCENARIOS = ['1', '2', '3', '4', '5', '6', '7', '8'];

describe('benchmarks: npm run bench at scale tiny', function () {
  this.timeout(90_000);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-bench-test-'));
  let run;
  let results;

  before(async () => {
    run = await new Promise((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'benchmarks/run.js')], {
        cwd: ROOT,
        env: { ...process.env, BENCH_SCALE: 'tiny', BENCH_OUT: out },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 80_000,
      }, (error, stdout, stderr) => resolve({ code: error ? error.code : 0, signal: error && error.signal, stdout, stderr }));
    });
    if (run.code === 0) results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
  });

  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('exits 0', () => {
    assert.strictEqual(run.code, 0, `exit ${run.code} ${run.signal || ''}\n${run.stderr}`);
  });

  it('has a row for every scenario and a value for every contestant in it', () => {
    assert.deepStrictEqual(results.libraries, LIBRARIES);
    assert.deepStrictEqual([...new Set(results.summary.rows.map((r) => r.id))], SCENARIOS);
    for (const row of results.summary.rows) {
      for (const lib of LIBRARIES) {
        const v = row.values[lib];
        const where = `${row.id} ${row.label}, ${lib}: ${v}`;
        if (row.na.includes(lib)) {
          assert.strictEqual(v, null, where);
          continue;
        }
        assert.strictEqual(typeof v, 'number', where);
        assert.ok(Number.isFinite(v), where);
        if (row.kind !== 'cost') assert.ok(v > 0, where);
      }
    }
  });

  it('keeps the raw samples, all finite and positive', () => {
    const { raw } = results;
    for (const scenario of ['true', 'echo', 'kill', 'sync', 'throughput']) {
      for (const lib of LIBRARIES) {
        const xs = raw[scenario][lib];
        assert.ok(Array.isArray(xs) && xs.length > 0, `${scenario} ${lib}`);
        for (const x of xs) assert.ok(Number.isFinite(x) && x > 0, `${scenario} ${lib}: ${x}`);
      }
    }
    for (const level of [...raw.parentSize, ...raw.liveChildren]) {
      for (const lib of LIBRARIES) assert.ok(level.samples[lib].length > 0);
    }
    assert.ok(raw.parentSize.length >= 2 && raw.liveChildren.length >= 2);
    // Scenario 4's brackets: an idle level on either side of each level with the children alive,
    // each holding what it should.
    const { childrenBrackets: b } = raw;
    assert.strictEqual(b.children, results.config.liveChildren[results.config.liveChildren.length - 1]);
    assert.strictEqual(b.alive.length, results.config.children.brackets);
    assert.strictEqual(b.idle.length, b.alive.length + 1);
    for (const [levels, held] of [[b.idle, 0], [b.alive, b.children]]) {
      for (const level of levels) {
        for (const lib of LIBRARIES) {
          assert.strictEqual(level.held[lib], held, `${lib} holds ${level.held[lib]}, not ${held}`);
          assert.ok(level.samples[lib].length > 0 && level.samples[lib].every((x) => Number.isFinite(x) && x > 0), lib);
        }
      }
    }
    for (const lib of LIBRARIES) {
      assert.strictEqual(results.summary.sweeps.brackets.ratios[lib].length, b.alive.length, lib);
      assert.ok(results.summary.sweeps.brackets.ratio[lib] > 0, lib);
    }
  });

  it('prints the table and writes results.md with every scenario and the machine', () => {
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    assert.ok(run.stdout.includes('| # | scenario |'), 'table on stdout');
    assert.ok(md.includes('| # | scenario |'));
    for (const lib of LIBRARIES) assert.ok(md.includes(`| ${lib} |`) || md.includes(` ${lib} |`), lib);
    for (const id of SCENARIOS) assert.ok(md.includes(`\n| ${id} | `), `scenario ${id}`);
    // Scenario 4's brackets: every level and every ratio.
    const { brackets } = results.summary.sweeps;
    assert.strictEqual(md.split('\n| idle | ms |').length - 1, brackets.idle.procdesc.length);
    assert.strictEqual(md.split(`\n| ${brackets.children} alive | ms |`).length - 1, brackets.alive.procdesc.length);
    assert.ok(md.includes('\n| bracket 1 | ratio |') && md.includes('\n| median | ratio |'));
    assert.match(md, /Machine: \d+ CPUs/);
    assert.match(md, /Node v\d+/);
    assert.match(md, /Command: `/);
  });

  it('runs scenario 9, the pipeline: both modes, the data intact (checked by the worker), a section in results.md', () => {
    const { pipeline } = results.raw;
    for (const mode of ['procdesc', 'streams']) {
      assert.ok(pipeline[mode].cpuUs.length > 0, mode);
      for (const v of pipeline[mode].cpuUs) assert.ok(Number.isFinite(v) && v >= 0, `${mode}: ${v}`);
    }
    assert.match(fs.readFileSync(path.join(out, 'results.md'), 'utf8'), /## 9\. Pipeline/);
  });

  it('writes the three SVG charts', () => {
    for (const name of ['parent-size.svg', 'live-children.svg', 'kill-cdf.svg']) {
      const svg = fs.readFileSync(path.join(out, name), 'utf8');
      assert.ok(svg.startsWith('<svg'), name);
      assert.ok(svg.trimEnd().endsWith('</svg>'), name);
      assert.ok(/<polyline [^>]*points="[\d.,\s-]+"/.test(svg), `${name} has data lines`);
      // XML-ish: every element is closed.
      const opened = (svg.match(/<[a-z]+[\s>]/g) || []).length;
      const closed = (svg.match(/<\/[a-z]+>/g) || []).length + (svg.match(/\/>/g) || []).length;
      assert.strictEqual(opened, closed, name);
    }
  });
});

describe('benchmarks: scenario 4\'s ratio (report.js bracketRatios)', () => {
  const { bracketRatios } = require('../benchmarks/report.js');
  const level = (ms) => ({ samples: { procdesc: [ms * 0.9, ms, ms * 1.2], floor: [ms] } }); // median ms

  it('divides each level with the children alive by the mean of the idle levels on either side of it', () => {
    // The machine drifts from 1 to 4 ms idle; the children cost 60%, then 10%, then 20%.
    const b = { children: 2000, idle: [level(1), level(2), level(3), level(4)], alive: [level(1.5 * 1.6), level(2.5 * 1.1), level(3.5 * 1.2)] };
    const r = bracketRatios(b, ['procdesc', 'floor']);
    assert.strictEqual(r.children, 2000);
    for (const lib of ['procdesc', 'floor']) {
      assert.deepStrictEqual(r.idle[lib], [1, 2, 3, 4], lib);
      assert.deepStrictEqual(r.alive[lib].map((x) => x.toFixed(6)), ['2.400000', '2.750000', '4.200000'], lib);
      assert.deepStrictEqual(r.ratios[lib].map((x) => x.toFixed(6)), ['1.600000', '1.100000', '1.200000'], lib);
      // The median: not the mean (1.3), nor the middle bracket's (1.1).
      assert.strictEqual(r.ratio[lib].toFixed(6), '1.200000', lib);
    }
  });

  it('has no ratio for a library with a level missing', () => {
    const b = { children: 20, idle: [level(1), { samples: { procdesc: [], floor: [1] } }], alive: [level(1.2)] };
    const r = bracketRatios(b, ['procdesc', 'floor']);
    assert.strictEqual(r.ratio.procdesc, null);
    assert.strictEqual(r.ratio.floor.toFixed(6), '1.200000');
  });
});

describe('benchmarks: npm run bench:placement at scale tiny', function () {
  this.timeout(60_000);

  it('times procdesc placed freely and with host and helper pinned apart, beside the floor', async function () {
    const allowed = fs.readFileSync('/proc/self/status', 'utf8').match(/^Cpus_allowed_list:\s*(\S+)/m)[1];
    if (/^\d+$/.test(allowed)) this.skip(); // one CPU: nothing to place apart
    try {
      require('node:child_process').execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    } catch {
      this.skip(); // no util-linux taskset here
    }
    const run = await new Promise((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'benchmarks/placement.js')], {
        cwd: ROOT, env: { ...process.env, BENCH_SCALE: 'tiny' }, timeout: 50_000,
      }, (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
    });
    assert.strictEqual(run.code, 0, run.stderr);
    // The pinning is read back from /proc by the script: it says where both went.
    const [, hostCpu, helperCpu] = run.stderr.match(/pinned: host \d+ on CPU (\d+), helper \d+ on CPU (\d+)/) ?? [];
    assert.ok(hostCpu !== undefined && hostCpu !== helperCpu, run.stderr);
    const rows = run.stdout.split('\n').filter((l) => /^\| (procdesc|floor)/.test(l));
    assert.deepStrictEqual(rows.map((l) => l.split(' | ')[0].slice(2)),
      ['procdesc, placed by the scheduler', 'procdesc, host and helper on CPUs of their own', 'floor']);
    for (const row of rows) {
      const [median, p99, ratio] = row.split(' | ').slice(1).map((c) => parseFloat(c));
      assert.ok(median > 0 && p99 >= median && ratio > 0, row);
    }
  });
});

describe('benchmarks: npm run bench:layers at scale tiny', function () {
  this.timeout(60_000);

  it('times procdesc, its core alone, a C host over the same helper (memory touched or not) and the floor', async function () {
    if (require('../dist/lib/index.js').capabilities().path !== 'procdesc') this.skip(); // no helper here
    const run = await new Promise((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'benchmarks/layers.js'), '--touch=64'], {
        cwd: ROOT, env: { ...process.env, BENCH_SCALE: 'tiny' }, timeout: 50_000,
      }, (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
    });
    assert.strictEqual(run.code, 0, run.stderr);
    // The C host runs the helper procdesc itself runs, found through procdesc's own helper's pid.
    const [, helper] = run.stderr.match(/helper: (.+)$/m) ?? [];
    assert.ok(helper && path.basename(helper) === 'procdesc-helper', run.stderr);
    const rows = run.stdout.split('\n').filter((l) => /^\| (procdesc|C host|floor)/.test(l));
    assert.deepStrictEqual(rows.map((l) => l.split(' | ')[0].slice(2)),
      ['procdesc', "procdesc's core, no ChildProcess", 'C host, helper protocol',
        'C host, helper protocol, 64 KB touched between spawns', 'floor']);
    for (const row of rows) {
      const [median, p99, ratio] = row.split(' | ').slice(1).map((c) => parseFloat(c));
      assert.ok(median > 0 && p99 >= median && ratio > 0, row);
    }
  });
});

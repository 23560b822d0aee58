'use strict';
// Never silent: when procdesc runs on node:child_process for a reason the user can act on, it
// emits one process warning (code PROCDESC_FALLBACK) with the reason, and capabilities() says the
// same; asked for with PROCDESC_FORCE_FALLBACK=1, it stays silent. Either way spawning works.
// Each case runs in a process of its own, on a copy of the package that lacks its binaries.
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { runNode } = require('./helpers/run-node');

const ROOT = path.resolve(__dirname, '..');

const PROBE = `
  const warnings = [];
  process.on('warning', (w) => warnings.push({ name: w.name, code: w.code, message: w.message }));
  const root = process.argv[2];
  const cp = require(root + '/dist/integrations/child_process.js');
  const { capabilities } = require(root + '/dist/lib/index.js');
  const first = cp.spawnSync('sh', ['-c', 'exit 3']).status;
  const c = cp.spawn('sh', ['-c', 'exit 5']);
  c.on('close', (code) => setImmediate(() => console.log(JSON.stringify({
    first, code, caps: capabilities(), warnings }))));
`;

describe('the fallback is never silent', function () {
  this.timeout(60000);
  let tmp;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-fallback-'));
    // The package without build/ and prebuilds/: no binary for this platform.
    fs.cpSync(path.join(ROOT, 'dist'), path.join(tmp, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(tmp, 'package.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
    fs.writeFileSync(path.join(tmp, 'probe.js'), PROBE);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('no binary: one PROCDESC_FALLBACK warning with the reason, the same in capabilities(), and children still run', async () => {
    const r = await runNode(path.join(tmp, 'probe.js'), [tmp]);
    assert.ok(r.json, r.stderr);
    assert.deepStrictEqual([r.json.first, r.json.code, r.json.caps.path], [3, 5, 'node']);
    assert.match(r.json.caps.reason, /no prebuilt binary|could not be loaded/);
    const ours = r.json.warnings.filter((w) => w.code === 'PROCDESC_FALLBACK');
    assert.strictEqual(ours.length, 1, JSON.stringify(r.json.warnings));
    assert.ok(ours[0].message.includes(r.json.caps.reason), 'the warning gives the reason capabilities() gives');
  });

  it('PROCDESC_FORCE_FALLBACK=1: the same fallback, and no warning', async () => {
    const r = await runNode(path.join(tmp, 'probe.js'), [tmp], { env: { PROCDESC_FORCE_FALLBACK: '1' } });
    assert.ok(r.json, r.stderr);
    assert.deepStrictEqual([r.json.first, r.json.code, r.json.caps.path], [3, 5, 'node']);
    assert.match(r.json.caps.reason, /PROCDESC_FORCE_FALLBACK/);
    assert.deepStrictEqual(r.json.warnings, []);
  });

  it('a binary that fails to load: the loader\'s error is the reason', async () => {
    fs.mkdirSync(path.join(tmp, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'build', 'Release', 'procdesc.node'), 'not an ELF file');
    try {
      const r = await runNode(path.join(tmp, 'probe.js'), [tmp]);
      assert.ok(r.json, r.stderr);
      assert.strictEqual(r.json.caps.path, 'node');
      assert.match(r.json.caps.reason, /failed to load/);
      assert.strictEqual(r.json.warnings.filter((w) => w.code === 'PROCDESC_FALLBACK').length, 1);
    } finally {
      fs.rmSync(path.join(tmp, 'build'), { recursive: true, force: true });
    }
  });
});

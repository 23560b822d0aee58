'use strict';
// Which addon the loader picks, and what it says when there is none or it does not load (the
// reason capabilities() and the fallback warning give). The prebuilt binaries themselves are
// tested as shipped by test/package/consumer.js; here a copy of the local build stands in for one.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { loadAddon, detectLibc } = require('../dist/lib/core/load_addon.js');

const ROOT = path.resolve(__dirname, '..');
const LOCAL = path.join(ROOT, 'build', 'Release', 'procdesc.node');

describe('addon loader', function () {
  let tmp;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-loader-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const prebuilt = (root) => path.join(root, 'prebuilds', `linux-${process.arch}`, `procdesc.napi.${detectLibc()}.node`);

  it('detects the libc this process runs on', function () {
    const expected = process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
    assert.equal(detectLibc(), expected);
  });

  it('takes the local build (build/Release) when there is one', function () {
    const r = loadAddon(ROOT);
    assert.equal(r.error, null);
    assert.equal(r.where, LOCAL);
    assert.equal(typeof r.binding.Session, 'function');
  });

  it('else takes prebuilds/linux-<arch>/procdesc.napi.<libc>.node', function () {
    fs.mkdirSync(path.dirname(prebuilt(tmp)), { recursive: true });
    fs.copyFileSync(LOCAL, prebuilt(tmp));
    const r = loadAddon(tmp);
    assert.equal(r.error, null);
    assert.equal(r.where, prebuilt(tmp));
    assert.equal(typeof r.binding.probe, 'function');
  });

  it('says which binary is missing', function () {
    const r = loadAddon(tmp);
    assert.equal(r.binding, null);
    assert.equal(r.where, null);
    assert.equal(r.error.message, `no prebuilt binary for linux-${process.arch} ${detectLibc()}: ${prebuilt(tmp)} is missing`);
  });

  it('says which binary failed to load, and why', function () {
    fs.mkdirSync(path.dirname(prebuilt(tmp)), { recursive: true });
    fs.writeFileSync(prebuilt(tmp), 'not an ELF file');
    const r = loadAddon(tmp);
    assert.equal(r.binding, null);
    assert.equal(r.where, prebuilt(tmp));
    assert.match(r.error.message, new RegExp(`^${prebuilt(tmp).replace(/[.+]/g, '\\$&')} failed to load: .*(invalid ELF header|too short)`));
  });
});

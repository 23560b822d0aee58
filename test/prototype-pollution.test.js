'use strict';
// A polluted Object.prototype (a JSON-merge bug in an app, say) must not reach a child: Node reads
// only the options' own properties, and so must the drop-in. For every option key, the fixture
// pollutes Object.prototype with a value that would show (uid 1, a cwd, a shell, an env...), runs
// spawnSync, execSync, execFileSync, spawn, exec and fork, and reports what the children saw.
// procdesc must report exactly what the running Node does, and that must be what a clean
// prototype gives (except `encoding`, which Node's own streams read from their options).
const assert = require('node:assert');
const path = require('node:path');

const { runNode } = require('./helpers/run-node');

const FIXTURE = path.join(__dirname, 'fixtures', 'prototype-pollution.js');
const READ_BY_NODE_STREAMS = new Set(['encoding']);

describe('prototype pollution: only own properties of the options are read', function () {
  this.timeout(240000);
  let node;
  let procdesc;
  before(async () => {
    // One after the other: each runs ~120 children, and a loaded machine slows both.
    node = await runNode(FIXTURE, ['node'], { timeout: 110000 });
    procdesc = await runNode(FIXTURE, ['procdesc'], { timeout: 110000 });
    assert.ok(node.json, `node: ${node.stderr}`);
    assert.ok(procdesc.json, `procdesc: ${procdesc.stderr}`);
  });

  it('a clean run gives the same through both', () => {
    assert.deepStrictEqual(procdesc.json.clean, node.json.clean);
  });

  it('every polluted key gives through procdesc what it gives through Node', () => {
    for (const key of Object.keys(node.json)) {
      assert.deepStrictEqual(procdesc.json[key], node.json[key], `Object.prototype.${key}`);
    }
  });

  it('and what a clean prototype gives', () => {
    for (const key of Object.keys(procdesc.json)) {
      if (READ_BY_NODE_STREAMS.has(key)) continue;
      assert.deepStrictEqual(procdesc.json[key], procdesc.json.clean, `Object.prototype.${key}`);
    }
  });
});

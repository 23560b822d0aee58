'use strict';
// Reliability under load (see common.js for how the reliability tests work).
const {
  assert, fs, os, path, node, ours, capabilities, observe, errorShape, runNode, runCommand, which, procfs,
  STRESS, count, script, IS_ROOT, both, outcome, syncOutcome, compareInOwnProcess, report, needs, works,
} = require('./common');

describe('reliability: load', function () {
  const SPAWNS = count(2000, 100000);
  const CONCURRENT = count(200, 2000);
  this.timeout(count(120000, 1800000));
  let r;

  before(async function () {
    const res = await runNode(script('load.js'), [`--spawns=${SPAWNS}`, `--concurrent=${CONCURRENT}`],
      { timeout: count(110000, 1700000) });
    assert.ok(res.json && !res.json.error, `load.js: ${res.json && res.json.error}\n${res.stderr.slice(-2000)}`);
    r = res.json;
    report('load', r);
  });

  it(`${SPAWNS} sequential spawns with piped output: every output and exit is right`, () => {
    assert.deepEqual(r.failures, []);
    assert.equal(r.sequential.spawns, SPAWNS);
  });

  it('after them the host\'s fd count is back where it was, no zombie is left, the helper holds no more fds', () => {
    const { before, after } = r.sequential;
    assert.equal(after.fds, before.fds, 'host fds');
    assert.equal(after.zombies, 0, 'zombies under the host or the helper');
    assert.equal(after.liveChildren, 0, 'children still alive');
    assert.equal(after.helperPid, before.helperPid, 'the same helper throughout');
    assert.equal(after.helperFds, before.helperFds, 'helper fds');
  });

  it('memory is bounded: the JS heap does not grow with the spawns, RSS grows by less than 64 MB', () => {
    const { before, after } = r.sequential;
    const perSpawn = ((after.heapUsedKb - before.heapUsedKb) * 1024) / SPAWNS;
    assert.ok(perSpawn < 512, `JS heap grew by ${perSpawn.toFixed(0)} bytes per spawn (${before.heapUsedKb} -> ${after.heapUsedKb} kB)`);
    assert.ok(after.rssKb - before.rssKb < 64 * 1024, `RSS ${before.rssKb} -> ${after.rssKb} kB`);
    assert.ok(after.helperRssKb - before.helperRssKb < 1024, `helper RSS ${before.helperRssKb} -> ${after.helperRssKb} kB`);
  });

  it(`${CONCURRENT} children alive at once, then all killed: every exit is reported`, () => {
    const c = r.concurrent;
    assert.equal(c.alive, CONCURRENT, 'all alive at once, children of the helper');
    assert.equal(c.killedTrue, CONCURRENT, 'kill() returned true for each');
    assert.deepEqual(c.exits, { SIGTERM: CONCURRENT });
    assert.equal(c.after.fds, c.before.fds, 'host fds');
    assert.equal(c.after.zombies, 0);
    assert.equal(c.after.liveChildren, 0);
  });
});

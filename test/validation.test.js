'use strict';
// Bad arguments: the drop-in must throw exactly what the running Node's own node:child_process
// throws (class, code, message, own-property layout, toString(), util.inspect(), stack header),
// for every function and option, whichever Node runs the suite. The drop-in calls Node's own
// functions, so this is what keeps a procdesc layer from ever adding, removing or reordering a
// check. Where a Node accepts an input (newer Nodes accept some that older ones reject), both must
// accept it; the child that then runs is waited for.
const assert = require('node:assert');
const childProcess = require('node:child_process');
const util = require('node:util');

const ours = require('../dist/integrations/child_process.js');

function shape(err) {
  if (!(err instanceof Error)) return { notAnError: util.inspect(err) };
  const descriptors = {};
  for (const key of Object.getOwnPropertyNames(err)) {
    const d = Object.getOwnPropertyDescriptor(err, key);
    descriptors[key] = [d.enumerable, d.configurable, 'value' in d ? d.writable : 'accessor'];
  }
  return {
    base: [TypeError, RangeError, Error].find((C) => err instanceof C)?.name,
    constructor: err.constructor.name,
    name: err.name,
    code: err.code,
    message: err.message,
    string: String(err),
    stack: err.stack,
    inspect: util.inspect(err),
    descriptors,
  };
}

// What a call did: the error it threw, or that it returned (a child is waited for and cleaned up).
async function outcome(lib, name, args) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let returned;
  try {
    returned = lib[name](...args);
  } catch (err) {
    return { threw: shape(err) };
  } finally {
    Error.stackTraceLimit = limit;
  }
  if (returned instanceof childProcess.ChildProcess) {
    returned.on('error', () => {});
    if (returned.exitCode === null && returned.signalCode === null && returned.pid) returned.kill('SIGKILL');
    await new Promise((resolve) => {
      if (!returned.pid) setImmediate(resolve);
      else returned.once('close', resolve);
    });
    return { returned: 'a ChildProcess' };
  }
  return { returned: typeof returned };
}

const show = (value) => util.inspect(value, { breakLength: Infinity, depth: 0 });
const cases = []; // [title, name, args]
const add = (name, ...args) => cases.push([`${name}(${args.map(show).join(', ')})`, name, args]);

const badValues = [123, undefined, null, {}, [], Symbol('s'), 10n, () => {}, function named() {}, class Foo {},
  new Map(), Object.create(null), true, NaN, -0, Infinity, 2 ** 40, 'x\u0000', ''];
for (const v of badValues) {
  add('spawn', v);
  add('spawnSync', v);
  add('execFile', v);
  add('execFileSync', v);
  add('exec', v);
  add('execSync', v);
  add('fork', v);
}
for (const args of ['str', 5, true, 10n, ['ok', 'a\u0000b'], [1, {}]]) {
  add('spawn', 'true', args);
  add('spawnSync', 'true', args);
  add('fork', 'm', args);
}
for (const options of ['str', null, [1], 5, () => {}]) {
  add('spawn', 'true', [], options);
  add('spawnSync', 'true', [], options);
  add('execFile', 'true', [], options);
  add('fork', 'm', [], options);
}
const optionValues = {
  cwd: [5, true, {}, [], 'a\u0000b', Buffer.from('a\u0000'), new Uint8Array([97, 0]), new URL('http://x/'),
    new URL('file://host/x'), new URL('file:///a%2fb'), new URL('file:///a%00b')],
  detached: ['yes', 1],
  uid: [1.5, '0', 2 ** 31, -(2 ** 31) - 1, NaN, {}, 1n],
  gid: [1.5, '0', 2 ** 31, NaN, {}],
  shell: [5, {}, Symbol('sh'), 'sh\u0000'],
  argv0: [5, 'a\u0000', {}],
  windowsHide: [1, 'x'],
  windowsVerbatimArguments: ['x', 1],
  env: [{ A: 'x\u0000' }, { 'B\u0000': '1' }],
  timeout: [-1, 1.5, '5', NaN, Infinity, -(2 ** 40), 10n, {}, true],
  signal: [5, {}, null, 'signal', []],
  killSignal: ['SIGNOPE', '', 'SIG', 9999, 0, 1.5, NaN, {}, true, 10n, []],
  stdio: ['bogus', 5, {}, true, ['pipe', {}], ['ipc', 'ipc'], ['ignore', 'ignore', 'ignore', Buffer.from('x')],
    ['ignore', 'ignore', 'ignore', 'text']],
  serialization: ['bogus', 5],
  maxBuffer: [-1, '1', NaN, -Infinity, 10n, {}],
  encoding: [5, {}],
  input: [5, true, {}],
  execPath: [5, 'n\u0000'],
  execArgv: [['--x', 'a\u0000'], 'str'],
};
for (const [option, values] of Object.entries(optionValues)) {
  for (const value of values) {
    const o = { [option]: value };
    if (option !== 'stdio') o.stdio = 'ignore';
    add('spawn', 'true', [], o);
    add('spawnSync', 'true', [], { ...o });
    add('execFile', 'true', [], { ...o });
    add('execFileSync', 'true', [], { ...o });
    add('exec', 'true', { ...o });
    add('execSync', 'true', { ...o });
    add('fork', 'm', [], { ...o, stdio: option === 'stdio' ? value : ['ignore', 'ignore', 'ignore', 'ipc'] });
  }
}
add('execFile', 'true', [], {}, 'notfn');
add('execFile', 'true', [], 5);
add('fork', 'm', { stdio: ['pipe', 'pipe', 'pipe'] });
add('spawnSync', 'true', { stdio: ['ipc'] });

describe('validation: every bad argument throws what the running Node throws', function () {
  this.timeout(10000);
  for (const [title, name, args] of cases) {
    it(title, async () => {
      const node = await outcome(childProcess, name, args);
      const procdesc = await outcome(ours, name, args);
      assert.deepStrictEqual(procdesc, node);
    });
  }
});

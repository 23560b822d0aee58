'use strict';

// Our errors and validators must produce errors indistinguishable from Node's.
// Two references are used:
//  - Node's public API (child_process & co.), only with inputs that throw
//    synchronously before anything is spawned;
//  - Node's own internals (internal/errors, internal/validators, ...), loaded
//    in one helper `node --expose-internals` process, for error codes and
//    value formats the public API cannot reach synchronously.
// All errors are built with Error.stackTraceLimit = 0, so their whole `stack`
// (the header line) and util.inspect() output can be compared verbatim.

const assert = require('node:assert');
const childProcess = require('node:child_process');
const dns = require('node:dns');
const os = require('node:os');
const url = require('node:url');
const util = require('node:util');

const errors = require('../dist/lib/errors.js');
const validators = require('../dist/lib/validators.js');

const { ChildProcess, exec, execFile, execFileSync, fork, spawn, spawnSync } = childProcess;

// Everything observable about an error, as plain JSON-able data.
function shape(err) {
  const base = [TypeError, RangeError, Error].find((C) => err instanceof C);
  const descriptors = {};
  for (const key of Object.getOwnPropertyNames(err)) {
    const d = Object.getOwnPropertyDescriptor(err, key);
    descriptors[key] = [d.enumerable, d.configurable, 'value' in d ? d.writable : 'accessor'];
  }
  return {
    base: base && base.name,
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

// Runs `fn` with stack traces disabled; returns what it returned or threw.
function run(fn) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return { returned: util.inspect(fn()) };
  } catch (err) {
    return { threw: shape(err) };
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function captureError(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}

function thrown(fn) {
  const result = run(fn);
  assert.ok(result.threw, `expected a synchronous throw, got ${result.returned}`);
  return result.threw;
}

// --- Node internals oracle -------------------------------------------------

// Each case is a JS expression evaluated both here and in the oracle, with
// `codes` (ERR_* constructors), `V` (validators), `AbortError` and
// `errno(err, syscall, original)` bound to ours or Node's respectively.
function evaluate(source, scope) {
  const fn = new Function(...Object.keys(scope), `return (${source});`);
  return run(() => fn(...Object.values(scope)));
}

const ourScope = {
  codes: errors,
  V: validators,
  AbortError: errors.AbortError,
  errno: errors.errnoException,
};

function nodeInternalsResults(sources) {
  const script = `
    const util = require('util');
    const internalErrors = require('internal/errors');
    const scope = {
      codes: internalErrors.codes,
      V: {
        ...require('internal/validators'),
        convertToValidSignal: require('internal/util').convertToValidSignal,
        getValidatedPath: require('internal/fs/utils').getValidatedPath,
      },
      AbortError: internalErrors.AbortError,
      errno: (err, syscall, original) => new internalErrors.ErrnoException(err, syscall, original),
    };
    const shape = ${shape};
    const run = ${run};
    const evaluate = ${evaluate};
    const sources = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    process.stdout.write(JSON.stringify(sources.map((source) => evaluate(source, scope))));
  `;
  const out = execFileSync(process.execPath, ['--expose-internals', '-e', script], {
    input: JSON.stringify(sources),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out);
}

// Values exercising every branch of the "Received ..." formatting.
const values = [
  'undefined', 'null', 'true', 'false',
  '0', '-0', '5', '-5', '1.5', 'NaN', 'Infinity', '-Infinity',
  '2 ** 32', '2 ** 32 + 1', '-(2 ** 32 + 1)', '2 ** 53', '-(2 ** 60)', '1e21', 'Number.MAX_VALUE', '0.1 + 0.2',
  '0n', '10n', '-10n', '2n ** 32n', '2n ** 32n + 1n', '-(2n ** 32n) - 1n', '2n ** 100n',
  "''", "'short'", `"it's"`, "'a'.repeat(28)", "'a'.repeat(29)", `"'".repeat(30)`, "'x'.repeat(200)",
  `'"quoted"'`, "'line\\nbreak'", "'tab\\there'", "'\\u0000nul'", "'üñí😀'.repeat(10)",
  'Symbol()', "Symbol('desc')", 'Symbol.iterator', "Symbol('x'.repeat(40))",
  '{}', '{ a: 1, b: { c: { d: { e: 1 } } } }', '[]', '[1, 2, 3]', 'new Array(200).fill(1)',
  "'k'.repeat(300).split('')",
  'new (class Foo {})()', 'new (class extends Array {})()', 'Object.create(null)',
  'Object.assign(Object.create(null), { a: 1 })', 'new Map([[1, 2]])', 'new Set()', 'new Date(0)', '/re/g',
  "Buffer.from('ab')", 'new Uint8Array(3)', "new URL('http://x/')", "new Error('boom')", 'new Proxy({}, {})',
  '{ constructor: null }', "{ constructor: { name: 'Fake' } }", '{ constructor: {} }', '{ constructor: 5 }',
  // No Promise here: once any test has enabled async hooks, inspect() shows a promise's async ids.
  'Object.create({ constructor: undefined })', 'new WeakMap()',
  '() => {}', 'function named() {}', 'class Klass {}', 'async function af() {}', 'function* gen() {}',
  'Math.max', '(() => {}).bind(null)', 'Object.defineProperty(function f() {}, "name", { value: "" })',
];

const expectations = [
  "'string'", "'Object'", "'object'", "'Function'", "'AbortSignal'", "'int32'", "'a dictionary'",
  "['string', 'number']", "['boolean', 'string']", "['string', 'Buffer', 'URL']",
  "['Buffer', 'TypedArray', 'DataView', 'string']", "['string', 'object', 'number', 'boolean']",
  "['object', 'Array']", "['Function', 'Object', 'Array', 'bigint']", "['int32', 'uint32']",
  "['int32', 'uint32', 'Buffer']", "['null', 'undefined']", `["('a'|'b')"]`, "['symbol', 'Object', 'int32']",
  "['string', 'Buffer', 'ArrayBuffer', 'Object']",
];

const oracleCases = [
  // ERR_INVALID_ARG_TYPE: argument/property naming and every value kind.
  ...values.map((v) => `new codes.ERR_INVALID_ARG_TYPE('file', 'string', ${v})`),
  ...values.map((v) => `new codes.ERR_INVALID_ARG_TYPE('options.cwd', ['string', 'Buffer', 'URL'], ${v})`),
  ...expectations.map((e) => `new codes.ERR_INVALID_ARG_TYPE('x', ${e}, 1)`),
  "new codes.ERR_INVALID_ARG_TYPE('first argument', 'string', 1)",
  "new codes.ERR_INVALID_ARG_TYPE('options.stdio[0]', 'string', 1)",
  // ERR_OUT_OF_RANGE: numeric separators, bigint, inspect() of the rest.
  ...values.map((v) => `new codes.ERR_OUT_OF_RANGE('timeout', 'an unsigned integer', ${v})`),
  "new codes.ERR_OUT_OF_RANGE('options.maxBuffer', 'a positive number', -1)",
  // ERR_INVALID_ARG_VALUE: inspect() truncated at 128 characters, reasons.
  ...values.map((v) => `new codes.ERR_INVALID_ARG_VALUE('stdio', ${v})`),
  ...values.map((v) => `new codes.ERR_INVALID_ARG_VALUE('options.env', ${v}, 'must be a string without null bytes')`),
  "new codes.ERR_INVALID_ARG_VALUE('x', 'x'.repeat(126))",
  "new codes.ERR_INVALID_ARG_VALUE('x', 'x'.repeat(127))",
  "new codes.ERR_INVALID_ARG_VALUE('x', 1, undefined)",
  // ERR_UNKNOWN_SIGNAL uses util.format('%s').
  ...values.map((v) => `new codes.ERR_UNKNOWN_SIGNAL(${v})`),
  // The remaining codes.
  "new codes.ERR_INVALID_URL_SCHEME('file')",
  "new codes.ERR_INVALID_URL_SCHEME(['file'])",
  "new codes.ERR_INVALID_URL_SCHEME(['file', 'data'])",
  "new codes.ERR_INVALID_FILE_URL_PATH('must be absolute')",
  "new codes.ERR_INVALID_FILE_URL_PATH('must not include encoded / characters')",
  "new codes.ERR_INVALID_FILE_URL_HOST('linux')",
  "new codes.ERR_INVALID_FILE_URL_HOST('win32')",
  "new codes.ERR_INVALID_SYNC_FORK_INPUT(\"<Buffer 78>\")",
  "new codes.ERR_INVALID_SYNC_FORK_INPUT(\"'%s %d'\")",
  'new codes.ERR_IPC_ONE_PIPE()',
  'new codes.ERR_IPC_SYNC_FORK()',
  "new codes.ERR_CHILD_PROCESS_IPC_REQUIRED('options.stdio')",
  "new codes.ERR_CHILD_PROCESS_STDIO_MAXBUFFER('stdout')",
  "new codes.ERR_CHILD_PROCESS_STDIO_MAXBUFFER('stderr')",
  "new codes.ERR_MISSING_ARGS('message')",
  "new codes.ERR_MISSING_ARGS('a', 'b')",
  "new codes.ERR_MISSING_ARGS('a', 'b', 'c')",
  "new codes.ERR_MISSING_ARGS('a', 'b', 'c', 'd')",
  "new codes.ERR_MISSING_ARGS(['a', 'b'], 'c')",
  "new codes.ERR_MISSING_ARGS(['a', 'b', 'c'])",
  'new codes.ERR_INVALID_HANDLE_TYPE()',
  'new codes.ERR_IPC_CHANNEL_CLOSED()',
  'new codes.ERR_IPC_DISCONNECTED()',
  // AbortError and ErrnoException.
  'new AbortError()',
  "new AbortError('custom')",
  "new AbortError(undefined, { cause: 'why' })",
  "new AbortError('m', { cause: new Error('inner') })",
  "new AbortError('m', null)",
  "new AbortError('m', 5)",
  "new AbortError('m', 'str')",
  "errno(-2, 'spawn ls')",
  "errno(-13, 'spawnSync /bin/x')",
  "errno(-2, 'spawn', 'extra')",
  "errno(-9, 'kill')",
  "errno(-3008, 'getaddrinfo')",
  "errno(-99999, 'spawn')",
  "errno(0, 'spawn')",
  "errno('x', 'spawn')",
  // Generic validators, passing and failing.
  ...values.map((v) => `V.validateString(${v}, 'file')`),
  ...values.map((v) => `V.validateBoolean(${v}, 'options.detached')`),
  ...values.map((v) => `V.validateFunction(${v}, 'callback')`),
  ...values.map((v) => `V.validateArray(${v}, 'args')`),
  ...values.map((v) => `V.validateAbortSignal(${v}, 'options.signal')`),
  ...values.map((v) => `V.validateInteger(${v}, 'n')`),
  ...values.map((v) => `V.validateInt32(${v}, 'n')`),
  ...values.map((v) => `V.validateUint32(${v}, 'n')`),
  ...values.map((v) => `V.validateUint32(${v}, 'n', true)`),
  ...values.map((v) => `V.isInt32(${v})`),
  ...values.map((v) => `V.isUint32(${v})`),
  ...values.map((v) => `V.convertToValidSignal(${v})`),
  ...values.map((v) => `V.getValidatedPath(${v}, 'options.cwd')`),
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((flags) => values.map((v) => `V.validateObject(${v}, 'options', ${flags})`)),
  ...values.map((v) => `V.validateObject(${v}, 'options')`),
  ...values.map((v) => `V.validateOneOf(${v}, 'options.serialization', [undefined, 'json', 'advanced'])`),
  "V.validateOneOf('json', 'options.serialization', [undefined, 'json', 'advanced'])",
  "V.validateOneOf(3, 'n', [1, 2n, null, true, Symbol.iterator])",
  "V.validateArray([1], 'args', 2)",
  "V.validateArray([1, 2], 'args', 2)",
  "V.validateInteger(5, 'n', 6)",
  "V.validateInteger(5, 'n', 0, 4)",
  "V.validateInt32(-1, 'n', 0)",
  "V.validateInt32(2 ** 31, 'n')",
  "V.validateUint32(2 ** 32, 'n')",
  "V.validateUint32(-1, 'n')",
  "V.convertToValidSignal('SIGTERM')",
  "V.convertToValidSignal('sigkill')",
  "V.convertToValidSignal('SigInt')",
  "V.convertToValidSignal('SIGNOPE')",
  "V.convertToValidSignal('constructor')",
  "V.convertToValidSignal('__proto__')",
  "V.convertToValidSignal('toString')",
  'V.convertToValidSignal(9)',
  'V.convertToValidSignal(64)',
  'V.convertToValidSignal(65)',
  "V.getValidatedPath('/tmp/a')",
  "V.getValidatedPath('/tmp/\\u0000')",
  "V.getValidatedPath(Buffer.from('/tmp/a'))",
  "V.getValidatedPath(Buffer.from('/tmp/\\u0000'), 'options.cwd')",
  "V.getValidatedPath(new Uint8Array([47, 0]), 'modulePath')",
  "V.getValidatedPath(new Uint16Array([47]), 'modulePath')",
  "V.getValidatedPath(new URL('file:///tmp/a%20b'))",
  "V.getValidatedPath(new URL('file://localhost/tmp/x'))",
  "V.getValidatedPath(new URL('file:///tmp/%00'), 'options.cwd')",
  "V.getValidatedPath(new URL('file:///tmp/a%2fb'), 'options.cwd')",
  "V.getValidatedPath(new URL('file://host/tmp'), 'options.cwd')",
  "V.getValidatedPath(new URL('http://x/'), 'options.cwd')",
  "V.getValidatedPath({ href: 'x', protocol: 'http:' }, 'options.cwd')",
  "V.getValidatedPath({ href: 'x', protocol: 'file:', path: '/p' }, 'options.cwd')",
  "V.getValidatedPath('file:///tmp', 'options.cwd')",
];

describe('errors: identical to Node internals', function () {
  let expected;

  before(function () {
    expected = nodeInternalsResults(oracleCases);
  });

  it('covers every case', function () {
    assert.strictEqual(expected.length, oracleCases.length);
  });

  oracleCases.forEach((source, i) => {
    it(source, function () {
      // Compare through JSON, as the oracle's results are.
      assert.deepStrictEqual(JSON.parse(JSON.stringify(evaluate(source, ourScope))), expected[i]);
    });
  });
});

// --- Node public API ---------------------------------------------------------

const V = validators;
const E = errors;

// [title, Node's call, our equivalent]
const apiCases = [];
const show = (value) => util.inspect(value, { breakLength: Infinity, depth: 0 });
function addCase(title, nodeCall, ourCall) {
  apiCases.push([title, nodeCall, ourCall]);
}

const badFiles = [
  123, undefined, null, {}, [], Symbol('s'), 10n, () => {}, function named() {}, class Foo {}, new Map(),
  Object.create(null), true, NaN, -0, Infinity, 2 ** 40,
];
for (const file of badFiles) {
  addCase(`spawn(${show(file)})`, () => spawn(file), () => V.validateString(file, 'file'));
}
addCase("spawn('x\\u0000')", () => spawn('x\u0000'), () => V.validateArgumentNullCheck('x\u0000', 'file'));
addCase("spawn('')", () => spawn(''), () => { throw new E.ERR_INVALID_ARG_VALUE('file', '', 'cannot be empty'); });
for (const args of ['str', 5, true, 10n]) {
  addCase(`spawn('ls', ${show(args)})`, () => spawn('ls', args),
    () => { throw new E.ERR_INVALID_ARG_TYPE('args', 'object', args); });
}
addCase("spawn('ls', ['ok', 'a\\u0000b'])", () => spawn('ls', ['ok', 'a\u0000b']),
  () => V.validateArgumentsNullCheck(['ok', 'a\u0000b'], 'args'));
for (const options of ['str', null, [1], 5, () => {}]) {
  addCase(`spawn('ls', [], ${show(options)})`, () => spawn('ls', [], options),
    () => V.validateObject(options, 'options'));
}
const badCwds = [
  5, true, {}, [], 'a\u0000b', Buffer.from('a\u0000'), new Uint8Array([97, 0]), new URL('http://x/'),
  new URL('file://host/x'), new URL('file:///a%2fb'), new URL('file:///a%2Fb'), new URL('file:///a%00b'),
];
for (const cwd of badCwds) {
  addCase(`spawn('ls', { cwd: ${show(cwd)} })`, () => spawn('ls', { cwd }),
    () => V.getValidatedPath(cwd, 'options.cwd'));
}
addCase("spawn('ls', { detached: 'yes' })", () => spawn('ls', { detached: 'yes' }),
  () => V.validateBoolean('yes', 'options.detached'));
for (const id of [1.5, '0', 2 ** 31, -(2 ** 31) - 1, NaN, {}, 1n]) {
  for (const key of ['uid', 'gid']) {
    addCase(`spawn('ls', { ${key}: ${show(id)} })`, () => spawn('ls', { [key]: id }), () => {
      // isInt32() itself throws for bigints, in Node too.
      if (!V.isInt32(id)) throw new E.ERR_INVALID_ARG_TYPE(`options.${key}`, 'int32', id);
    });
  }
}
for (const shell of [5, {}, Symbol('sh')]) {
  addCase(`spawn('ls', { shell: ${show(shell)} })`, () => spawn('ls', { shell }),
    () => { throw new E.ERR_INVALID_ARG_TYPE('options.shell', ['boolean', 'string'], shell); });
}
addCase("spawn('ls', { shell: 'sh\\u0000' })", () => spawn('ls', { shell: 'sh\u0000' }),
  () => V.validateArgumentNullCheck('sh\u0000', 'options.shell'));
addCase("spawn('ls', { argv0: 5 })", () => spawn('ls', { argv0: 5 }), () => V.validateString(5, 'options.argv0'));
addCase("spawn('ls', { argv0: 'a\\u0000' })", () => spawn('ls', { argv0: 'a\u0000' }),
  () => V.validateArgumentNullCheck('a\u0000', 'options.argv0'));
addCase("spawn('ls', { windowsHide: 1 })", () => spawn('ls', { windowsHide: 1 }),
  () => V.validateBoolean(1, 'options.windowsHide'));
addCase("spawn('ls', { windowsVerbatimArguments: 'x' })", () => spawn('ls', { windowsVerbatimArguments: 'x' }),
  () => V.validateBoolean('x', 'options.windowsVerbatimArguments'));
addCase("spawn('ls', { env: { A: 'x\\u0000' } })", () => spawn('ls', { env: { A: 'x\u0000' } }),
  () => V.validateArgumentNullCheck('x\u0000', "options.env['A']"));
addCase("spawn('ls', { env: { 'B\\u0000': '1' } })", () => spawn('ls', { env: { 'B\u0000': '1' } }),
  () => V.validateArgumentNullCheck('B\u0000', "options.env['B\u0000']"));
for (const timeout of [-1, 1.5, '5', NaN, Infinity, -(2 ** 40), 10n, 2n ** 40n, {}, true]) {
  addCase(`spawn('ls', { timeout: ${show(timeout)} })`, () => spawn('ls', { timeout }),
    () => V.validateTimeout(timeout));
}
for (const signal of [5, {}, null, 'signal', []]) {
  addCase(`spawn('ls', { signal: ${show(signal)} })`, () => spawn('ls', { signal }),
    () => V.validateAbortSignal(signal, 'options.signal'));
}
for (const killSignal of ['SIGNOPE', '', 'SIG', 9999, 0, -0, 1.5, NaN, {}, true, 10n, Symbol('k'), []]) {
  addCase(`spawn('ls', { killSignal: ${show(killSignal)} })`, () => spawn('ls', { killSignal }),
    () => V.sanitizeKillSignal(killSignal));
}
for (const stdio of ['bogus', 5, {}, true]) {
  addCase(`spawn('ls', { stdio: ${show(stdio)} })`, () => spawn('ls', { stdio }),
    () => { throw new E.ERR_INVALID_ARG_VALUE('stdio', stdio); });
}
addCase("spawn('ls', { stdio: ['pipe', {}] })", () => spawn('ls', { stdio: ['pipe', {}] }),
  () => { throw new E.ERR_INVALID_ARG_VALUE('stdio', {}); });
addCase("spawn('ls', { stdio: ['ipc', 'ipc'] })", () => spawn('ls', { stdio: ['ipc', 'ipc'] }),
  () => { throw new E.ERR_IPC_ONE_PIPE(); });
for (const input of [Buffer.from('x'), 'text', new DataView(new ArrayBuffer(2))]) {
  addCase(`spawn('ls', { stdio: [..., ${show(input)}] })`,
    () => spawn('ls', { stdio: ['ignore', 'ignore', 'ignore', input] }),
    () => { throw new E.ERR_INVALID_SYNC_FORK_INPUT(util.inspect(input)); });
}
addCase("spawn('ls', { serialization: 'bogus' })", () => spawn('ls', { stdio: 'ignore', serialization: 'bogus' }),
  () => V.validateOneOf('bogus', 'options.serialization', [undefined, 'json', 'advanced']));
addCase("spawnSync('ls', { stdio: ['ipc'] })", () => spawnSync('ls', { stdio: ['ipc'] }),
  () => { throw new E.ERR_IPC_SYNC_FORK(); });
for (const input of [5, true, {}]) {
  addCase(`spawnSync('ls', { input: ${show(input)} })`, () => spawnSync('ls', { input }),
    () => { throw new E.ERR_INVALID_ARG_TYPE('options.stdio[0]', ['Buffer', 'TypedArray', 'DataView', 'string'], input); });
}
for (const maxBuffer of [-1, '1', NaN, -Infinity, 10n, {}]) {
  const title = show(maxBuffer);
  addCase(`spawnSync('ls', { maxBuffer: ${title} })`, () => spawnSync('ls', { maxBuffer }),
    () => V.validateMaxBuffer(maxBuffer));
  addCase(`execFile('ls', { maxBuffer: ${title} })`, () => execFile('ls', { maxBuffer }),
    () => V.validateMaxBuffer(maxBuffer));
  addCase(`exec('ls', { maxBuffer: ${title} })`, () => exec('ls', { maxBuffer }), () => V.validateMaxBuffer(maxBuffer));
}
addCase("spawnSync('ls', { timeout: -1 })", () => spawnSync('ls', { timeout: -1 }), () => V.validateTimeout(-1));
addCase("execFileSync('ls', { timeout: 1.5 })", () => execFileSync('ls', { timeout: 1.5 }), () => V.validateTimeout(1.5));
addCase("execFile('ls', { timeout: -1 })", () => execFile('ls', { timeout: -1 }), () => V.validateTimeout(-1));
addCase("execFile('ls', { killSignal: 'NOPE' })", () => execFile('ls', { killSignal: 'NOPE' }),
  () => V.sanitizeKillSignal('NOPE'));
addCase("execFile('ls', [], {}, 'notfn')", () => execFile('ls', [], {}, 'notfn'),
  () => V.validateFunction('notfn', 'callback'));
addCase("execFile('ls', [], 5)", () => execFile('ls', [], 5), () => V.validateObject(5, 'options'));
addCase("execFile('ls', { argv0: 5 })", () => execFile('ls', { argv0: 5 }), () => V.validateString(5, 'options.argv0'));
addCase("execFile('ls', { argv0: 'a\\u0000' })", () => execFile('ls', { argv0: 'a\u0000' }),
  () => V.validateArgumentNullCheck('a\u0000', 'options.argv0'));
addCase('exec(5)', () => exec(5), () => V.validateString(5, 'command'));
addCase("exec('a\\u0000')", () => exec('a\u0000'), () => V.validateArgumentNullCheck('a\u0000', 'command'));
for (const modulePath of [5, 'm\u0000', new URL('http://x/'), null]) {
  addCase(`fork(${show(modulePath)})`, () => fork(modulePath),
    () => V.getValidatedPath(modulePath, 'modulePath'));
}
for (const args of ['str', 5, true]) {
  addCase(`fork('m', ${show(args)})`, () => fork('m', args), () => V.validateArray(args, 'args'));
}
addCase("fork('m', [], 5)", () => fork('m', [], 5), () => V.validateObject(5, 'options'));
addCase("fork('m', { stdio: ['pipe', 'pipe', 'pipe'] })", () => fork('m', { stdio: ['pipe', 'pipe', 'pipe'] }),
  () => { throw new E.ERR_CHILD_PROCESS_IPC_REQUIRED('options.stdio'); });
addCase("fork('m', { stdio: 'bogus' })", () => fork('m', { stdio: 'bogus' }),
  () => { throw new E.ERR_INVALID_ARG_VALUE('stdio', 'bogus'); });
addCase("fork('m', { execPath: 'n\\u0000' })", () => fork('m', { execPath: 'n\u0000' }),
  () => V.validateArgumentNullCheck('n\u0000', 'options.execPath'));
addCase("fork('m', { execArgv: ['--x', 'a\\u0000'] })", () => fork('m', { execArgv: ['--x', 'a\u0000'] }),
  () => V.validateArgumentsNullCheck(['--x', 'a\u0000'], 'options.execArgv'));
for (const signal of ['SIGNOPE', 'sig', {}, 1.5, null]) {
  addCase(`new ChildProcess().kill(${show(signal)})`, () => new ChildProcess().kill(signal),
    () => V.convertToValidSignal(signal));
}
addCase('new ChildProcess().spawn(5)', () => new ChildProcess().spawn(5), () => V.validateObject(5, 'options'));
addCase('new ChildProcess().spawn({ file: 5 })', () => new ChildProcess().spawn({ file: 5, stdio: 'ignore' }),
  () => V.validateString(5, 'options.file'));
addCase("new ChildProcess().spawn({ file: 'x', args: 'a' })",
  () => new ChildProcess().spawn({ file: 'x', args: 'a', stdio: 'ignore' }), () => V.validateArray('a', 'options.args'));
addCase("url.fileURLToPath('http://x/')", () => url.fileURLToPath('http://x/'),
  () => { throw new E.ERR_INVALID_URL_SCHEME('file'); });
addCase("url.fileURLToPath('file://host/x')", () => url.fileURLToPath('file://host/x'),
  () => { throw new E.ERR_INVALID_FILE_URL_HOST(process.platform); });
addCase("url.fileURLToPath('file:///a%2Fb')", () => url.fileURLToPath('file:///a%2Fb'),
  () => { throw new E.ERR_INVALID_FILE_URL_PATH('must not include encoded / characters'); });
addCase('assert.strictEqual()', () => assert.strictEqual(),
  () => { throw new E.ERR_MISSING_ARGS('actual', 'expected'); });
addCase('dns.lookupService()', () => dns.lookupService(),
  () => { throw new E.ERR_MISSING_ARGS('address', 'port', 'callback'); });
addCase('new URLSearchParams().get()', () => new URLSearchParams().get(),
  () => { throw new E.ERR_MISSING_ARGS('name'); });
addCase('util.getSystemErrorName(0)', () => util.getSystemErrorName(0),
  () => { throw new E.ERR_OUT_OF_RANGE('err', 'a negative integer', 0); });

describe('errors: identical to node:child_process (public API)', function () {
  for (const [title, nodeCall, ourCall] of apiCases) {
    it(title, function () {
      assert.deepStrictEqual(thrown(ourCall), thrown(nodeCall));
    });
  }
});

// --- Stack traces, errno, AbortError, signals ---------------------------------

describe('errors: stack traces', function () {
  it('prints `Name [CODE]: message` as the stack header', function () {
    const err = new E.ERR_OUT_OF_RANGE('timeout', 'an unsigned integer', -1);
    assert.strictEqual(err.stack.split('\n')[0],
      'RangeError [ERR_OUT_OF_RANGE]: The value of "timeout" is out of range. ' +
      'It must be an unsigned integer. Received -1');
  });

  it('keeps the header when the stack is recaptured', function () {
    const err = new E.ERR_IPC_ONE_PIPE();
    Error.captureStackTrace(err);
    assert.strictEqual(err.stack.split('\n')[0], 'Error [ERR_IPC_ONE_PIPE]: Child process can have only one IPC pipe');
  });

  it('hides the frames of generic validators, like Node', function () {
    function callerOfValidator() {
      V.validateString(5, 'file');
    }
    const err = captureError(callerOfValidator);
    assert.match(err.stack.split('\n')[1], /^ {4}at callerOfValidator /);
  });

  it('keeps the frames of child_process checks, like Node', function () {
    const { validateTimeout } = V;
    const err = captureError(() => validateTimeout(-1));
    assert.match(err.stack.split('\n')[1], /^ {4}at validateTimeout /);
  });
});

describe('errnoException', function () {
  it("matches spawnSync's ENOENT error", function () {
    const nodeErr = spawnSync('/nonexistent/procdesc-test').error;
    const ours = E.errnoException(-2, 'spawnSync /nonexistent/procdesc-test');
    const pick = (e) => ({
      constructor: e.constructor, name: e.name, message: e.message, code: e.code, errno: e.errno, syscall: e.syscall,
    });
    assert.deepStrictEqual(pick(ours), pick(nodeErr));
    assert.deepStrictEqual(pick(ours), {
      constructor: Error, name: 'Error', message: 'spawnSync /nonexistent/procdesc-test ENOENT',
      code: 'ENOENT', errno: -2, syscall: 'spawnSync /nonexistent/procdesc-test',
    });
  });

  it('appends the original message', function () {
    assert.strictEqual(E.errnoException(-13, 'spawn', 'x').message, 'spawn EACCES x');
  });
});

describe('AbortError', function () {
  it('matches the AbortError of timers/promises', async function () {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    // An already-aborted signal makes setTimeout create its AbortError synchronously.
    const rejected = require('node:timers/promises').setTimeout(1, undefined, { signal: AbortSignal.abort('why') });
    const ours = new E.AbortError(undefined, { cause: 'why' });
    Error.stackTraceLimit = limit;
    const nodeErr = await rejected.catch((err) => err);
    assert.deepStrictEqual({ ...shape(ours), cause: ours.cause }, { ...shape(nodeErr), cause: nodeErr.cause });
    assert.strictEqual(ours.constructor.name, 'AbortError');
  });
});

describe('convertToValidSignal / sanitizeKillSignal', function () {
  const { signals } = os.constants;

  it('accepts every signal name, in any case, and number', function () {
    for (const [name, number] of Object.entries(signals)) {
      assert.strictEqual(V.convertToValidSignal(name), number);
      assert.strictEqual(V.convertToValidSignal(name.toLowerCase()), number);
      assert.strictEqual(V.convertToValidSignal(number), number);
    }
  });

  it('rejects unknown signals with ERR_UNKNOWN_SIGNAL', function () {
    for (const signal of ['SIGNOPE', '', 0, -1, 1.5, NaN, '9', undefined]) {
      assert.throws(() => V.convertToValidSignal(signal), {
        name: 'TypeError', code: 'ERR_UNKNOWN_SIGNAL', message: `Unknown signal: ${signal}`,
      });
    }
  });

  it('returns undefined for a missing killSignal', function () {
    assert.strictEqual(V.sanitizeKillSignal(undefined), undefined);
    assert.strictEqual(V.sanitizeKillSignal(null), undefined);
    assert.strictEqual(V.sanitizeKillSignal('SIGKILL'), signals.SIGKILL);
  });
});

describe('getValidatedPath', function () {
  it('returns strings, buffers and file: URL paths', function () {
    assert.strictEqual(V.getValidatedPath('/tmp'), '/tmp');
    const buf = Buffer.from('/tmp');
    assert.strictEqual(V.getValidatedPath(buf), buf);
    assert.strictEqual(V.getValidatedPath(new URL('file:///tmp/a%20b')), '/tmp/a b');
  });
});

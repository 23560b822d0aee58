'use strict';
// What the fuzzer calls each function with: random and hostile values of every type, and for each
// option the values that matter to it. Only harmless programs run: file names come from a small
// set ('true', 'echo', 'cat', names that do not exist, paths that cannot be executed, strings
// with null bytes); arguments never hold shell metacharacters that redirect, chain or glob.
// Timing-dependent inputs are avoided (no timeout short enough to fire).
const path = require('node:path');
const url = require('node:url');

const { v, U } = require('./specs');

const FORK_CHILD = path.join(__dirname, '..', '..', 'helpers', 'fuzz-fork-child.js');
const CLOSED_FD = 99;

// Values of every type, hostile ones included.
const ANY = [
  U, v(null), v(true), v(false), v(0), ['num', '-0'], v(1), v(-1), v(1.5), ['num', 'NaN'], ['num', 'Infinity'],
  ['num', '-Infinity'], v(2 ** 31), v(2 ** 32), v(2 ** 53), v(-(2 ** 31) - 1), ['big', '10'], ['sym', 's'], v(''),
  v('x'), v('a\u0000b'), v('\u00e9\u{1F600}'), ['rep', 'y', 300], ['arr', []], ['arr', [v('a')]], ['arr', [v(1)]],
  ['obj', []], ['nullproto', []], ['fn'], ['date'], ['re'], ['err'], ['map'], ['buf', 'buf'], ['u8', [0, 1]],
  ['dv'], ['url', 'file:///tmp'], ['url', 'http://example.com/x'], ['holes', 2], ['duckSignal', false],
];

const SAFE_FILES = ['true', 'echo', 'cat', 'procdesc-no-such-cmd', '/nonexistent/bin/x', '/etc/passwd', '/tmp', '',
  'a\u0000b', './no-such-file', 'echo\u0000', ' echo', 'ECHO'];
const SAFE_ARGS = [v('a'), v('hello world'), v(''), v('-n'), v('--'), v('\u00e9'), v('$HOME'), ['rep', 'x', 5000],
  v('a\u0000b'), v('-e'), v('3'), v('\\t')];
const COMMANDS = ['true', 'echo hi', 'exit 3', 'procdesc-no-such-cmd', 'echo a\u0000b', '', 'kill -TERM $$',
  'echo err >&2; exit 1', 'cat', 'echo $0', 'echo "$A"'];
const STDIO_ITEMS = [v('pipe'), v('ignore'), v('inherit'), v('overlapped'), v('ipc'), v(null), U, v(0), v(1), v(2),
  v(-1), v(CLOSED_FD), v(1.5), v('bogus'), ['obj', []], ['buf', 'x'], v('str'), ['fdObj', 2], ['fdObj', CLOSED_FD],
  ['stdinStream'], ['u8', [1]]];
const PATH = process.env.PATH || '/usr/bin:/bin';

function anyValue(g) { return g.pick(ANY); }

function valueFor(g, key) {
  if (g.chance(0.15)) {
    const any = anyValue(g);
    // A timeout that fires (a small positive number) makes the outcome a race.
    if (key === 'timeout' && any[0] === 'v' && typeof any[1] === 'number' && any[1] > 0) return v(10000);
    // Node 20 aborts on uid/gid -0 (isInt32(-0) passes in JS, IsInt32() fails in C++: an assertion).
    if ((key === 'uid' || key === 'gid') && any[0] === 'num' && any[1] === '-0') return v(0);
    return any;
  }
  switch (key) {
    case 'cwd': return g.pick([v('/'), v('/tmp'), v('/nonexistent-dir'), v(''), v('a\u0000b'), ['url', 'file:///tmp'],
      ['url', 'http://h/x'], ['url', 'file://remote/tmp'], ['url', 'file:///tmp%2Fx'], ['buf', '/tmp'], v('/etc/passwd'),
      v(1), ['u8', [47, 0]]]);
    case 'env': return g.pick([['obj', []], ['obj', [['PATH', v(PATH)]]], ['obj', [['A', v('1')], ['PATH', v(PATH)]]],
      ['obj', [['A', U]]], ['obj', [['A', v('a\u0000b')]]], ['obj', [['A\u0000', v('x')]]],
      ['inherit', [['INHERITED', v('x')]], [['PATH', v(PATH)]]], ['obj', [['A', v(1)]]], ['obj', [['A', ['sym', 'e']]]],
      ['nullproto', [['A', v('z')]]], ['obj', [['A', ['rep', 'z', 200000]]]], v(null)]);
    case 'argv0': return g.pick([v('zero'), v(''), v('a\u0000b'), v(1), v(null)]);
    case 'stdio': {
      if (g.chance(0.35)) return g.pick([v('pipe'), v('ignore'), v('inherit'), v('overlapped'), v('bogus'), v('ipc')]);
      const n = g.int(6);
      const items = [];
      for (let i = 0; i < n; i++) items.push(g.pick(STDIO_ITEMS));
      return ['arr', items];
    }
    case 'detached': case 'windowsHide': case 'windowsVerbatimArguments': case 'silent':
      return g.pick([v(true), v(false), v('yes'), v(1)]);
    case 'uid': case 'gid':
      return g.pick([v(0), v(65534), v(12345678), v(-1), v(2 ** 31), v(1.5), v('0'), v(-(2 ** 31))]);
    case 'shell': return g.pick([v(true), v(false), v('/bin/sh'), v('sh'), v('/nonexistent/sh'), v(''), v('a\u0000b'), v(1)]);
    // Never one that fires (2 ** 31 would: setTimeout makes it 1 ms), so outcomes do not race.
    case 'timeout': return g.pick([U, v(0), v(10000), v(-1), v(1.5), ['num', 'NaN'], v('100'), v(2 ** 31 - 1),
      ['num', 'Infinity'], v(null)]);
    case 'killSignal': return g.pick([v('SIGTERM'), v('SIGKILL'), v('sigint'), v(9), v(0), v(-1), v('SIGFOO'), v(1.5),
      v(null), ['obj', []], v('SIGKILL '), v(64)]);
    case 'signal': return g.pick([['signal', 'live'], ['signal', 'aborted'], ['obj', []], v('x'), v(null),
      ['duckSignal', false], ['duckSignal', true]]);
    case 'maxBuffer': return g.pick([v(1024 * 1024), v(0), v(-1), v(1), v(3), ['num', 'Infinity'], ['num', 'NaN'], v('1'), U,
      v(null)]);
    case 'encoding': return g.pick([v('utf8'), v('buffer'), v('latin1'), v('bogus'), v(null), v(1), v('hex'), v('base64')]);
    case 'input': return g.pick([v('text in\n'), ['buf', 'buffer in'], ['u8', [65, 10]], v(1), ['obj', []], v(null), ['dv']]);
    case 'serialization': return g.pick([v('json'), v('advanced'), v('bogus'), v(1)]);
    case 'execPath': return g.pick([v(process.execPath), v('/nonexistent/node'), v(1)]);
    case 'execArgv': return g.pick([['arr', []], ['arr', [v('--no-warnings')]], ['arr', [v('--bogus-flag-xyz')]], v('x'), ['arr', [v(1)]]]);
    default: return anyValue(g);
  }
}

const SPAWN_KEYS = ['cwd', 'env', 'argv0', 'stdio', 'detached', 'uid', 'gid', 'shell', 'timeout', 'killSignal', 'signal',
  'windowsHide', 'windowsVerbatimArguments', 'serialization'];
const EXEC_KEYS = ['cwd', 'env', 'encoding', 'shell', 'timeout', 'maxBuffer', 'killSignal', 'uid', 'gid', 'signal',
  'windowsHide', 'argv0'];
const SYNC_KEYS = [...SPAWN_KEYS, 'input', 'maxBuffer', 'encoding'];
const FORK_KEYS = ['cwd', 'env', 'execPath', 'execArgv', 'silent', 'stdio', 'detached', 'uid', 'gid', 'serialization',
  'timeout', 'killSignal', 'signal'];

function optionsSpec(g, keys) {
  const r = g.rand();
  if (r < 0.08) return U;
  if (r < 0.12) return v(null);
  if (r < 0.2) return anyValue(g);
  if (r < 0.22) return ['throwingGetter', g.pick(keys)];
  const n = 1 + g.int(4);
  const entries = [];
  for (let i = 0; i < n; i++) {
    const key = g.pick(keys);
    if (entries.some(([k]) => k === key)) continue;
    entries.push([key, valueFor(g, key)]);
  }
  return g.chance(0.1) ? ['nullproto', entries] : ['obj', entries];
}

function fileSpec(g) { return g.chance(0.15) ? anyValue(g) : v(g.pick(SAFE_FILES)); }
function commandSpec(g) { return g.chance(0.15) ? anyValue(g) : v(g.pick(COMMANDS)); }

function argsSpec(g) {
  const r = g.rand();
  if (r < 0.2) return U;
  if (r < 0.27) return v(null);
  if (r < 0.37) return anyValue(g);
  const n = g.int(5);
  const items = [];
  for (let i = 0; i < n; i++) items.push(g.chance(0.1) ? anyValue(g) : g.pick(SAFE_ARGS));
  return ['arr', items];
}

/** Trailing undefined arguments are dropped, sometimes: arity is part of the input. */
function trim(g, args) {
  const out = args.slice();
  while (out.length > 1 && out[out.length - 1][0] === 'undef' && g.chance(0.7)) out.pop();
  return out;
}

// A child that is still running when the abort comes: an aborted signal always meets a live child
// (a fast one could be gone already, which would make the outcome depend on timing). The options
// may sit at any index once arguments were left out.
function isAbortedSignal(s) {
  return (s[0] === 'signal' && s[1] === 'aborted') || (s[0] === 'duckSignal' && s[1] === true);
}

function deflake(fn, args) {
  const aborted = args.some((a, i) => i > 0 && (a[0] === 'obj' || a[0] === 'nullproto') &&
    a[1].some(([k, s]) => k === 'signal' && isAbortedSignal(s)));
  if (!aborted) return args;
  const out = args.slice();
  if (fn === 'exec') {
    out[0] = v('sleep 1');
  } else if (fn === 'fork') {
    out[0] = v(FORK_CHILD); // a Node child takes far longer to start than the abort
  } else {
    out[0] = v('sleep');
    if (out.length > 1 && (out[1][0] === 'obj' || out[1][0] === 'nullproto')) out.splice(1, 0, ['arr', [v('1')]]);
    else out[1] = ['arr', [v('1')]];
  }
  return out;
}

// Node 20 aborts the whole process (an assertion in SyncProcessRunner::ParseStdioOption) when a
// sync call gets 'overlapped' in stdio, or a stream with a libuv handle such as process.stdin on a
// pipe: nothing to compare, so the sync functions get 'pipe' and a plain { fd: 0 } there instead.
function noWrap(spec) {
  if (!Array.isArray(spec)) return spec;
  if (spec[0] === 'stdinStream') return ['fdObj', 0];
  if (spec[0] === 'v' && spec[1] === 'overlapped') return v('pipe');
  return spec.map((x) => (Array.isArray(x) ? noWrap(x) : x));
}

const GENERATORS = {
  spawn: (g) => deflake('spawn', trim(g, [fileSpec(g), argsSpec(g), optionsSpec(g, SPAWN_KEYS)])),
  exec: (g) => {
    const args = [commandSpec(g), optionsSpec(g, EXEC_KEYS), g.chance(0.85) ? ['cb'] : anyValue(g)];
    if (g.chance(0.2)) args.splice(1, 1); // exec(command, callback)
    return deflake('exec', trim(g, args));
  },
  execFile: (g) => {
    const args = [fileSpec(g), argsSpec(g), optionsSpec(g, EXEC_KEYS), g.chance(0.85) ? ['cb'] : anyValue(g)];
    if (g.chance(0.15)) args.splice(2, 1); // execFile(file, args, callback)
    else if (g.chance(0.1)) args.splice(1, 1); // execFile(file, options, callback)
    return deflake('execFile', trim(g, args));
  },
  spawnSync: (g) => noWrap(trim(g, [fileSpec(g), argsSpec(g), optionsSpec(g, SYNC_KEYS)])),
  execSync: (g) => noWrap(trim(g, [commandSpec(g), optionsSpec(g, SYNC_KEYS)])),
  execFileSync: (g) => noWrap(trim(g, [fileSpec(g), argsSpec(g), optionsSpec(g, SYNC_KEYS)])),
  fork: (g) => {
    const mod = g.chance(0.2) ? anyValue(g) : g.pick([v(FORK_CHILD), ['url', url.pathToFileURL(FORK_CHILD).href],
      v('/nonexistent/module.js'), v(''), v('a\u0000b'), v(FORK_CHILD)]);
    const args = g.chance(0.3) ? ['arr', [v('3'), v('a')]] : argsSpec(g);
    return deflake('fork', trim(g, [mod, args, optionsSpec(g, FORK_KEYS)]));
  },
  kill: (g) => [g.chance(0.8) ? g.pick([U, v(0), v('SIGTERM'), v('sigterm'), v(9), v('SIGKILL'), v('SIGFOO'), v(-1),
    v(1.5), v(null), ['obj', []], v('SIGSTOP'), v('SIGCONT'), v('SIGWINCH'), v(64), v(65), v('SIGHUP'), v(15.0),
    v('15'), v('kill'), ['sym', 'sig']]) : anyValue(g)],
};

/** The functions fuzzed, in the order they run. */
const FUNCTIONS = Object.keys(GENERATORS);

module.exports = { GENERATORS, FUNCTIONS, FORK_CHILD, CLOSED_FD };

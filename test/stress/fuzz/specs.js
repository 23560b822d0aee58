'use strict';
// The fuzzer's inputs as data: a seeded generator (Gen), and specs, JSON-able descriptions of
// argument values that materialize() builds (fresh objects for each library, since Node mutates
// some of them) and show() prints as JS source, so that any mismatch is reproducible by hand.

// --- seeded generator -------------------------------------------------------------------------

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(seed) { this.rand = mulberry32(seed); }
  int(n) { return Math.floor(this.rand() * n); }
  chance(p) { return this.rand() < p; }
  pick(list) { return list[this.int(list.length)]; }
}

// --- specs: JSON-able descriptions of argument values -----------------------------------------

const v = (value) => ['v', value];
const U = ['undef'];

/** Builds the value a spec describes; ctx.callback is what ['cb'] becomes. */
function materialize(spec, ctx = {}) {
  switch (spec[0]) {
    case 'v': return spec[1];
    case 'undef': return undefined;
    case 'num': return Number(spec[1]); // NaN, Infinity, -Infinity, -0
    case 'big': return BigInt(spec[1]);
    case 'sym': return Symbol(spec[1]);
    case 'rep': return spec[1].repeat(spec[2]);
    case 'fn': return function someFunction() {};
    case 'cb': return ctx.callback;
    case 'buf': return Buffer.from(spec[1]);
    case 'u8': return new Uint8Array(spec[1]);
    case 'dv': return new DataView(new ArrayBuffer(2));
    case 'url': return new URL(spec[1]);
    case 'map': return new Map([[1, 2]]);
    case 'date': return new Date(0);
    case 're': return /re/g;
    case 'err': { // no stack: its inspect() (in messages) must not depend on where it was made
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      const err = new Error('an error as a value');
      Error.stackTraceLimit = limit;
      return err;
    }
    case 'holes': return new Array(spec[1]);
    case 'arr': return spec[1].map((s) => materialize(s, ctx));
    case 'obj': {
      const o = {};
      for (const [k, s] of spec[1]) o[k] = materialize(s, ctx);
      return o;
    }
    case 'nullproto': {
      const o = Object.create(null);
      for (const [k, s] of spec[1]) o[k] = materialize(s, ctx);
      return o;
    }
    case 'inherit': { // [inherited entries, own entries]
      const proto = {};
      for (const [k, s] of spec[1]) proto[k] = materialize(s, ctx);
      const o = Object.create(proto);
      for (const [k, s] of spec[2]) o[k] = materialize(s, ctx);
      return o;
    }
    case 'throwingGetter': {
      const o = {};
      Object.defineProperty(o, spec[1], { enumerable: true, get() { throw new Error(`getter ${spec[1]}`); } });
      return o;
    }
    case 'signal': {
      const ac = new AbortController();
      if (spec[1] === 'aborted') ac.abort();
      return ac.signal;
    }
    case 'duckSignal': return { aborted: spec[1] };
    case 'fdObj': return { fd: spec[1] };
    case 'stdinStream': return process.stdin;
    default: throw new Error(`unknown spec ${JSON.stringify(spec)}`);
  }
}

/** The spec as JS source, for reports. */
function show(spec) {
  switch (spec[0]) {
    case 'v': return typeof spec[1] === 'string' && spec[1].length > 60
      ? `${JSON.stringify(spec[1].slice(0, 20))}/*…${spec[1].length} chars*/` : JSON.stringify(spec[1]);
    case 'undef': return 'undefined';
    case 'num': return spec[1];
    case 'big': return `${spec[1]}n`;
    case 'sym': return `Symbol(${JSON.stringify(spec[1])})`;
    case 'rep': return `${JSON.stringify(spec[1])}.repeat(${spec[2]})`;
    case 'fn': return 'function someFunction() {}';
    case 'cb': return '(err, stdout, stderr) => {}';
    case 'buf': return `Buffer.from(${JSON.stringify(spec[1])})`;
    case 'u8': return `new Uint8Array(${JSON.stringify(spec[1])})`;
    case 'dv': return 'new DataView(new ArrayBuffer(2))';
    case 'url': return `new URL(${JSON.stringify(spec[1])})`;
    case 'map': return 'new Map([[1, 2]])';
    case 'date': return 'new Date(0)';
    case 're': return '/re/g';
    case 'err': return "new Error('an error as a value')";
    case 'holes': return `new Array(${spec[1]})`;
    case 'arr': return `[${spec[1].map(show).join(', ')}]`;
    case 'obj': return `{ ${spec[1].map(([k, s]) => `${JSON.stringify(k)}: ${show(s)}`).join(', ')} }`;
    case 'nullproto': return `Object.assign(Object.create(null), ${show(['obj', spec[1]])})`;
    case 'inherit': return `Object.assign(Object.create(${show(['obj', spec[1]])}), ${show(['obj', spec[2]])})`;
    case 'throwingGetter': return `{ get ${spec[1]}() { throw new Error('getter ${spec[1]}'); } }`;
    case 'signal': return spec[1] === 'aborted' ? 'AbortSignal.abort()' : 'new AbortController().signal';
    case 'duckSignal': return `{ aborted: ${spec[1]} }`;
    case 'fdObj': return `{ fd: ${spec[1]} }`;
    case 'stdinStream': return 'process.stdin';
    default: return JSON.stringify(spec);
  }
}

/** Whether a spec is an options object, and the spec of one option among a call's arguments. */
const isOptions = (s) => s && (s[0] === 'obj' || s[0] === 'nullproto');
const optionOf = (specs, key) => {
  for (const s of specs.slice(1)) {
    if (!isOptions(s)) continue;
    const e = s[1].find(([k]) => k === key);
    if (e) return e[1];
  }
  return undefined;
};

module.exports = { Gen, v, U, materialize, show, isOptions, optionOf };

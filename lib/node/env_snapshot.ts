// A plain copy of process.env for Node's spawn to read. Node 20-24 build a child's environment from
// process.env one variable at a time (Node 20: for-in and a read of each; 22, 24: a spread), and
// every read is a call into C++ (a getenv under Node's env mutex, a new string): ~50 us for 40
// variables in the sequential benchmark on the development VM, the largest single cost of a
// drop-in spawn before the native call. Node 26 reads the environment block in one native pass of
// its own when options.env is unset (getEnvPairs), and never reads process.env there: it is left
// alone.
//
// How: for the length of the claimed call, process.env is an accessor whose first read returns the
// copy and puts Node's own object back at once. That first read is normalizeSpawnArguments' own
// (`options.env || process.env`, or a spread of it): spawn, exec, execFile and fork read
// process.env nowhere before it. So only Node's local variable ever holds the copy; every other
// read (Node's copyProcessEnvToEnv, a 'child_process' subscriber, an async_hooks hook) gets Node's
// own object, and what they write goes where it always went. Should something still write to the
// copy (a getter on the options, read before the environment), that is written to process.env
// when the call returns.
//
// The copy has the same own properties in the same order (V8 lists integer-like keys first for
// both) and the same prototype as process.env, so Node's for-in and spread see what they would
// have seen, inherited enumerable properties included. It is made again whenever the environment
// block has changed, byte for byte, since it was made (native/addon/environ.cc), so it is never
// stale. It stands in only for Node's own process.env of the main thread: a worker's is a copy of
// its own (or the main thread's, with SHARE_ENV) that the environment block does not mirror, and
// a process.env the program replaced with an object of its own (or a Proxy) is read as it is.
import { types } from 'node:util';
import { isMainThread } from 'node:worker_threads';

import type { NativeBinding } from '../core/native';

type Env = Record<string, string>;

interface Copy {
  /** The environment block's generation it was made from (environGeneration()). */
  generation: number;
  values: Env;
  entries: [string, string][];
}

// Node 26 never reads process.env for a child's environment, and a worker's process.env is not the
// environment block's: there the copy is never used, and nothing is asked at spawn time.
const USED = Number(process.versions.node.split('.')[0]) < 26 && isMainThread;

// Node's own process.env, once it has been recognised (realEnv()), and objects known not to be.
let real: object | undefined;
const notReal = new WeakSet<object>();
let copy: Copy | undefined;

/** Runs fn (a claimed call of Node's) with the copy as the first process.env it reads. */
export function withEnvSnapshot<T>(binding: Pick<NativeBinding, 'environGeneration'>, fn: () => T): T {
  if (!USED) return fn();
  const slot = Object.getOwnPropertyDescriptor(process, 'env');
  // A plain, writable, configurable data property (not a mocking library's accessor, not frozen),
  // holding Node's own object; not inside another claimed call (whose accessor is in place).
  if (!slot || !slot.writable || !slot.configurable || slot.value !== realEnv(slot.value)) return fn();
  const generation = binding.environGeneration();
  if (copy?.generation !== generation) copy = snapshot(slot.value as object, generation);
  const current = copy;
  let installed = true;
  const restore = (value: unknown) => {
    if (!installed) return;
    installed = false;
    Object.defineProperty(process, 'env', { ...slot, value });
  };
  Object.defineProperty(process, 'env', {
    configurable: true,
    enumerable: slot.enumerable,
    get() {
      restore(slot.value);
      return current.values;
    },
    set(value: unknown) {
      restore(value);
    },
  });
  try {
    return fn();
  } finally {
    restore(slot.value);
    writeBack(current, slot.value as Env);
  }
}

/** env itself if it is Node's own process.env, else null. Node's object refuses an accessor
 * descriptor with ERR_INVALID_OBJECT_DEFINE_PROPERTY before touching anything; a plain object
 * takes it and loses it again at once; a Proxy might forward the call to Node's object and is
 * ruled out first. Asked once per object. */
function realEnv(env: unknown): object | null {
  if (env === real) return env as object;
  if (real !== undefined || typeof env !== 'object' || env === null || notReal.has(env)) return null;
  if (!types.isProxy(env)) {
    const probe = '__procdesc_env_probe__';
    try {
      Object.defineProperty(env, probe, { get: () => undefined, configurable: true });
      delete (env as Record<string, unknown>)[probe];
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_INVALID_OBJECT_DEFINE_PROPERTY') {
        real = env;
        return env;
      }
    }
  }
  notReal.add(env); // the program's own object, a Proxy, or a frozen object
  return null;
}

/** A plain copy. Made with a spread, which defines every key as a data property: an assignment
 * would give a variable named __proto__ to the prototype's setter instead. */
function snapshot(env: object, generation: number): Copy {
  const values = { __proto__: Object.getPrototypeOf(env) as object | null, ...env } as unknown as Env;
  return { generation, values, entries: Object.entries(values) };
}

/** What was written to the copy (only code that read process.env before Node did can have) goes
 * to process.env: the keys changed, added or removed, and nothing else. The copy is then made again
 * at the next spawn (the environment block has changed). A write process.env refuses (a Symbol)
 * is reported as an uncaught exception, as a subscriber's own error would be. */
function writeBack(current: Copy, env: Env): void {
  const { values, entries } = current;
  const keys = Object.keys(values);
  let same = keys.length === entries.length;
  for (let i = 0; same && i < keys.length; i++) same = keys[i] === entries[i][0] && values[keys[i]] === entries[i][1];
  if (same) return;
  copy = undefined;
  const before = new Map(entries);
  const apply = (write: () => void) => {
    try {
      write();
    } catch (err) {
      process.nextTick(() => { throw err; });
    }
  };
  for (const [key] of entries) if (!Object.prototype.hasOwnProperty.call(values, key)) apply(() => { delete env[key]; });
  for (const key of keys) if (before.get(key) !== values[key] || !before.has(key)) apply(() => { env[key] = values[key]; });
}

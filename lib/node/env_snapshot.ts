// process.env as a plain object while Node's spawn reads it. Node 20-24 build a child's
// environment from process.env one variable at a time (Node 20: for-in and a read of each; 22, 24:
// a spread), and every read is a call into C++ (a getenv under Node's env mutex, a new string):
// ~50 us for 40 variables in the sequential benchmark on the development VM, the largest single
// cost of a drop-in spawn before the native call. Node 26 reads the environment block in one
// native pass of its own when options.env is unset (getEnvPairs), and then never reads process.env.
//
// The copy has the same own properties in the same order and the same prototype as process.env,
// so Node's for-in and spread see what they would have seen (inherited enumerable properties
// included). It is rebuilt whenever the environment block has changed since (the addon compares
// it byte for byte, native/addon/environ.cc), so it is never stale for the one object it stands
// for. It stands in only for Node's own process.env of the main thread: a worker's is a copy of
// its own (or the main thread's, with SHARE_ENV) that the environment block does not mirror, and a
// process.env the program replaced with its own object is read as it is.
//
// Code of the program that runs inside the call (a 'child_process' diagnostics_channel
// subscriber, an async_hooks init hook, a getter on the options) sees the copy: what it writes
// to it is written to the real process.env once the call returns.
import { isMainThread } from 'node:worker_threads';

import type { NativeBinding } from '../core/native';

type Env = Record<string, string>;

interface Copy {
  env: Env;
  entries: [string, string][];
}

// Node's own process.env, once it has been recognised (realEnv()), and objects known not to be.
let real: object | undefined;
const notReal = new WeakSet<object>();
let copy: Copy | undefined;

/** Runs fn (Node's spawn) with process.env as a fresh-enough plain copy, where that is safe. */
export function withEnvSnapshot<T>(binding: Pick<NativeBinding, 'environChanged'>, fn: () => T): T {
  const env = process.env;
  // In a spawn inside a spawn (a subscriber's), process.env is the copy already.
  if (!isMainThread || env === copy?.env || env !== realEnv(env)) return fn();
  if (binding.environChanged() || copy === undefined) copy = snapshot(env);
  const current = copy;
  process.env = current.env as typeof process.env;
  try {
    return fn();
  } finally {
    // Only if nothing inside replaced process.env in turn.
    if (process.env === current.env) process.env = env as typeof process.env;
    writeBack(current, env as Env);
  }
}

/** env itself if it is Node's own process.env, else null. Node's object refuses an accessor
 * descriptor with ERR_INVALID_OBJECT_DEFINE_PROPERTY before touching anything; a plain object
 * takes it, and loses it again at once. Asked once: Node's object stays what it is. */
function realEnv(env: object): object | null {
  if (env === real) return real;
  if (real !== undefined || notReal.has(env)) return null;
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
  notReal.add(env); // the program's own object (or a frozen one)
  return null;
}

/** A plain copy. Its keys come in process.env's order: V8 lists integer-like keys first for
 * both, ascending, and the others in the order the environment block has them. */
function snapshot(env: object): Copy {
  const out = Object.assign(Object.create(Object.getPrototypeOf(env)) as Env, env);
  return { env: out, entries: Object.entries(out) };
}

/** What code inside the call wrote to the copy goes to the real process.env; the copy is then
 * rebuilt at the next spawn (the environment block has changed). */
function writeBack(current: Copy, env: Env): void {
  const keys = Object.keys(current.env);
  let same = keys.length === current.entries.length;
  for (let i = 0; same && i < keys.length; i++) {
    same = keys[i] === current.entries[i][0] && current.env[keys[i]] === current.entries[i][1];
  }
  if (same) return;
  copy = undefined;
  const now = new Set(keys);
  for (const [key] of current.entries) if (!now.has(key)) delete env[key];
  for (const key of keys) {
    if (env[key] !== current.env[key]) env[key] = current.env[key];
  }
}

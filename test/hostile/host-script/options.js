'use strict';
// host-script.js's options: argv first, then the environment (see the usage in host-script.js).

const HOSTILITIES = ['none', 'reaper', 'ignore', 'handler'];
const LIBS = ['node', 'procdesc'];
const WHENS = ['late', 'early'];
const ASYNC_APIS = ['spawn', 'exec', 'execFile'];
const SYNC_APIS = ['spawnSync', 'execSync', 'execFileSync'];
const APIS = [...ASYNC_APIS, ...SYNC_APIS];

function parseOptions(argv, env) {
  const raw = {
    lib: env.HOSTILE_LIB,
    api: env.HOSTILE_API,
    hostility: env.HOSTILE_HOSTILITY,
    n: env.HOSTILE_N,
    concurrency: env.HOSTILE_CONCURRENCY,
    when: env.HOSTILE_WHEN,
    'grace-ms': env.HOSTILE_GRACE_MS,
    'watchdog-ms': env.HOSTILE_WATCHDOG_MS,
    'hang-ms': env.HOSTILE_HANG_MS,
    'sync-timeout-ms': env.HOSTILE_SYNC_TIMEOUT_MS,
  };
  for (let k = 0; k < argv.length; k++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[k]);
    if (!m || !(m[1] in raw)) throw new Error(`unknown argument ${argv[k]}`);
    raw[m[1]] = m[2] !== undefined ? m[2] : argv[++k];
    if (raw[m[1]] === undefined) throw new Error(`missing value for --${m[1]}`);
  }
  const int = (name, dflt, min) => {
    const v = raw[name] === undefined || raw[name] === '' ? dflt : Number(raw[name]);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return v;
  };
  const oneOf = (name, dflt, allowed) => {
    const v = raw[name] || dflt;
    if (!allowed.includes(v)) throw new Error(`--${name} must be one of ${allowed.join('|')}`);
    return v;
  };
  const api = oneOf('api', 'spawn', APIS);
  const sync = SYNC_APIS.includes(api);
  return {
    lib: oneOf('lib', 'node', LIBS),
    api,
    sync,
    hostility: oneOf('hostility', 'none', HOSTILITIES),
    when: oneOf('when', 'late', WHENS),
    n: int('n', sync ? 50 : 200, 1),
    // Sync calls block: there is never more than one child in flight.
    concurrency: sync ? 1 : int('concurrency', 16, 1),
    graceMs: int('grace-ms', 1000, 0),
    watchdogMs: int('watchdog-ms', 5000, 1),
    hangMs: int('hang-ms', 3000, 1),
    syncTimeoutMs: int('sync-timeout-ms', 0, 0),
  };
}

module.exports = { ASYNC_APIS, SYNC_APIS, APIS, parseOptions };

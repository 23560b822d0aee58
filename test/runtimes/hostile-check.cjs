'use strict';
// The hostile host under Bun and Deno (and Node): test/hostile's addon (a thread looping
// waitpid(-1), SIGCHLD set to SIG_IGN, or a foreign SIGCHLD handler) is loaded, N children run
// `echo out-<i>; exit <i % 7>`, and what the library reports is checked against that.
//   args: <lib> <hostility> [n]
//   lib:  procdesc   the descriptor API's spawn() (through the helper)
//         runtime    the runtime's own node:child_process spawn
//         native     Bun.spawn / Deno.Command (the runtime's own API)
// As in test/hostile/host-script.js ('late'), a long-lived anchor child runs before the host turns
// hostile, so the library's own machinery is already set up. A child counts when its exit code and
// output are right; the run ends when all are reported, or 1 s after the last child's stdout
// closed (a lost child is never reported). errors: an error instead of the exit (Bun's
// node:child_process emits ECHILD, Deno.Command rejects with "No child processes"). Prints one JSON line; exits 1 only for procdesc < n.
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const [lib = 'procdesc', hostility = 'reaper', nArg = '300'] = process.argv.slice(2);
const N = Number(nArg);
const CONCURRENCY = 16;
const GRACE_MS = 1000;

const hostile = require(path.join(root, 'test', 'hostile', 'build', 'Release', 'hostile.node'));
const makeHostile = { reaper: () => hostile.startReaper(), ignore: () => hostile.ignoreSigchld(),
  handler: () => hostile.installSigchldHandler(), none: () => {} }[hostility];
if (!makeHostile) throw new Error(`unknown hostility ${hostility}`);

function readAll(stream) {
  return new Promise((resolve) => {
    let out = '';
    stream.on('data', (d) => { out += d; });
    stream.on('error', () => resolve(out));
    stream.on('close', () => resolve(out));
  });
}

// What a runtime reports instead of an exit (Deno: "No child processes (os error 10)").
const errored = (err) => ({ code: `error ${err && (err.code || err.message)}`, out: null });
const errorsSeen = {};
// Deno's node:child_process rejects an internal promise of its own on ECHILD: no listener can
// catch it, so it is counted here (the child it belonged to is then never reported).
process.on('unhandledRejection', (err) => { const k = String(err && (err.code || err.message)); errorsSeen[k] = (errorsSeen[k] || 0) + 1; });

async function webText(readable) {
  return new Response(readable).text();
}

// Each returns { anchor: () => void (kills it), one(cmd) -> { stdoutDone: Promise, exit: Promise<{code, out}> } }.
const libs = {
  procdesc() {
    const { spawn } = require(path.join(root, 'dist', 'lib', 'index.js'));
    const anchor = spawn('sleep', ['60'], { stdio: 'ignore' });
    return {
      stop: () => anchor.kill('SIGKILL'),
      one(cmd) {
        const sub = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'ignore'] });
        const out = readAll(sub.stdout);
        return { stdoutDone: out, exit: Promise.all([sub.exited, out]).then(([e, o]) => ({ code: e.code, out: o })) };
      },
    };
  },
  runtime() {
    const cp = require('node:child_process');
    const anchor = cp.spawn('sleep', ['60'], { stdio: 'ignore' });
    return {
      stop: () => anchor.kill('SIGKILL'),
      one(cmd) {
        const child = cp.spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'ignore'] });
        const out = readAll(child.stdout);
        const exit = new Promise((resolve) => {
          child.on('close', (code) => resolve(code));
          child.on('error', (err) => resolve(`error ${err.code || err.message}`)); // Bun: ECHILD
        });
        return { stdoutDone: out, exit: Promise.all([exit, out]).then(([code, o]) => ({ code, out: o })) };
      },
    };
  },
  native() {
    if (process.versions.bun) {
      const anchor = Bun.spawn(['sleep', '60'], { stdio: ['ignore', 'ignore', 'ignore'] });
      return {
        stop: () => anchor.kill(9),
        one(cmd) {
          const p = Bun.spawn(['sh', '-c', cmd], { stdin: 'ignore', stdout: 'pipe', stderr: 'ignore' });
          const out = webText(p.stdout);
          return { stdoutDone: out, exit: Promise.all([p.exited, out]).then(([code, o]) => ({ code, out: o }), errored) };
        },
      };
    }
    if (globalThis.Deno) {
      const anchor = new Deno.Command('sleep', { args: ['60'], stdin: 'null', stdout: 'null', stderr: 'null' }).spawn();
      return {
        stop: () => anchor.kill('SIGKILL'),
        one(cmd) {
          const p = new Deno.Command('sh', { args: ['-c', cmd], stdin: 'null', stdout: 'piped', stderr: 'null' }).spawn();
          const out = webText(p.stdout);
          return { stdoutDone: out, exit: Promise.all([p.status, out]).then(([s, o]) => ({ code: s.code, out: o }), errored) };
        },
      };
    }
    throw new Error('native: Bun or Deno only');
  },
};

(async () => {
  const runner = libs[lib]();
  makeHostile();
  let right = 0, wrong = 0, errors = 0, next = 0, lastStdout = Date.now();
  const started = Date.now();
  await new Promise((resolve) => {
    let settled = 0;
    let active = 0;
    const timer = setInterval(() => {
      if (active === 0 && next === N && Date.now() - lastStdout > GRACE_MS) resolve();
    }, 100);
    const launch = () => {
      while (active < CONCURRENCY && next < N) {
        const i = next++;
        active++;
        const { stdoutDone, exit } = runner.one(`echo out-${i}; exit ${i % 7}`);
        // A slot is free once stdout closed (the child has gone, reported or not).
        stdoutDone.then(() => { lastStdout = Date.now(); active--; launch(); });
        exit.then(({ code, out }) => {
          if (code === i % 7 && out === `out-${i}\n`) right++;
          else if (typeof code === 'string') { errors++; errorsSeen[code] = (errorsSeen[code] || 0) + 1; } else wrong++;
          if (++settled === N) { clearInterval(timer); resolve(); }
        });
      }
    };
    launch();
  });
  runner.stop();
  const runtime = process.versions.bun ? `bun ${process.versions.bun}` : process.versions.deno ? `deno ${process.versions.deno}` : `node ${process.version}`;
  console.log(JSON.stringify({ runtime, lib, hostility, n: N, right, wrong, errors, lost: N - right - wrong - errors, errorsSeen, ms: Date.now() - started }));
  process.exit(lib === 'procdesc' && right !== N ? 1 : 0);
})();

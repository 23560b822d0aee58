'use strict';
// host-script.js's run for the asynchronous APIs (spawn, exec, execFile): up to --concurrency
// children at a time (see the usage in host-script.js).

const { shellCommand, newRecord } = require('./records');

function runChildren(lib, opts) {
  return new Promise((resolve) => {
    const { n, concurrency } = opts;
    const records = [];
    let next = 0;
    let running = 0;
    let released = 0;
    let completed = 0;
    let graceTimer = null;
    let done = false;
    const started = Date.now();

    const end = (finishedBy) => {
      if (done) return;
      done = true;
      clearTimeout(graceTimer);
      clearTimeout(watchdog);
      resolve({ records, finishedBy, elapsedMs: Date.now() - started });
    };
    const watchdog = setTimeout(() => end('watchdog'), opts.watchdogMs);

    const settle = (rec) => {
      if (rec.settled || !((rec.exited && rec.closed) || rec.error)) return;
      rec.settled = true;
      if (++completed === n) end('complete');
    };
    const release = (rec) => {
      if (rec.released) return;
      rec.released = true;
      running--;
      if (++released === n) graceTimer = setTimeout(() => end('grace'), opts.graceMs);
      // Not synchronously: release() can run inside spawn() itself.
      process.nextTick(pump);
    };
    const failed = (rec, err) => {
      rec.error = String(err);
      release(rec);
      settle(rec);
    };

    // spawn: the events themselves.
    function startSpawn(rec) {
      const child = lib.spawn('/bin/sh', ['-c', shellCommand(rec.i)],
        { stdio: ['ignore', 'pipe', 'ignore'] });
      child.on('error', (err) => failed(rec, err));
      child.on('exit', (code, signal) => {
        rec.exited = true;
        rec.code = code;
        rec.signal = signal;
        settle(rec);
      });
      child.on('close', () => {
        rec.closed = true;
        release(rec);
        settle(rec);
      });
      if (child.stdout) child.stdout.on('data', (d) => rec.out.push(Buffer.from(d)));
      return child;
    }

    // exec / execFile: only the callback.  It runs on the child's 'close',
    // with err.code = exit code (a number) when it is not 0; a spawn failure
    // gives a string err.code instead.
    function startExec(rec) {
      const callback = (err, stdout) => {
        if (err && typeof err.code !== 'number' && !err.signal) {
          failed(rec, err);
          return;
        }
        rec.exited = rec.closed = true;
        rec.code = err ? err.code : 0;
        rec.signal = err ? err.signal : null;
        rec.out.push(Buffer.from(String(stdout)));
        release(rec);
        settle(rec);
      };
      return opts.api === 'exec'
        ? lib.exec(shellCommand(rec.i), callback)
        : lib.execFile('/bin/sh', ['-c', shellCommand(rec.i)], callback);
    }

    function start(i) {
      const rec = newRecord(i);
      records[i] = rec;
      running++;
      let child;
      try {
        child = opts.api === 'spawn' ? startSpawn(rec) : startExec(rec);
      } catch (err) {
        failed(rec, err);
        return;
      }
      rec.pid = child.pid;
      rec.spawned = !!child.pid;
      child.on('spawn', () => {
        if (rec.pid === undefined) rec.pid = child.pid;
        rec.spawned = !!child.pid;
      });
      if (child.stdout) {
        // EOF == the child is gone (the script holds stdout until exit).
        child.stdout.on('end', () => release(rec));
        child.stdout.on('close', () => release(rec));
      } else if (!rec.error) {
        failed(rec, 'no child.stdout');
      }
    }

    function pump() {
      while (!done && running < concurrency && next < n) start(next++);
    }
    pump();
  });
}

module.exports = { runChildren };

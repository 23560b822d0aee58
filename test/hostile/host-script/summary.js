'use strict';
/*
 * The report of a host-script.js run: what the library reported, checked
 * against what each child did, and what the host looked like afterwards.
 *
 * Output (stdout, one line):
 *   lib, api, hostility, when, n, concurrency, graceMs, watchdogMs, hangMs,
 *   syncTimeoutMs   the options (concurrency is 1 for the sync APIs)
 *   finishedBy      "complete" | "grace" | "watchdog" | "hung"
 *   hung            the child whose sync call never returned, or null
 *   elapsedMs       duration of the run phase
 *   spawned         children that got a pid (sync APIs: calls that did not
 *                   fail to spawn, including one that hung; execSync and
 *                   execFileSync do not tell the pid on success)
 *   spawnErrors     children whose spawn threw or emitted/returned an error
 *   notStarted      children never spawned (run ended first)
 *   reported        children whose end was reported ('exit', the callback,
 *                   or the sync call's status/signal)
 *   closed          children whose 'close' arrived (= reported for the
 *                   exec family and the sync APIs)
 *   correct         end reported AND closed, exit code === i % 7, no
 *                   signal, stdout === "out-<i>\n", no error
 *   lost            spawned - reported: exited, but the library never said so
 *   wrongExit, wrongStdout   reported but wrong
 *   reapedByHost    pids of OUR N children found in the reaper's list; for
 *                   the sync APIs "ours" also counts every pid the host
 *                   reaped while a sync call was in flight (that call's
 *                   child is the only process the host can have started
 *                   then), so a call that hung on a stolen child counts
 *   reapedTotal     everything the reaper reaped (anchor, helper, ...)
 *   sigchld         SIGCHLD deliveries to the host during the run, or null
 *                   when they could not be counted (SIGCHLD ignored)
 *   sigchldCounter  "hostile" (the hostile handler counts) | "counting" (a
 *                   handler chained in front of the library's) | null
 *   displaced       what the hostility replaced: "foreign" means the
 *                   library's (libuv's) own SIGCHLD handler
 *   dispositionAfter  SIGCHLD disposition at the end of the run
 *   hostilityIntact whether the hostility was still in force at the end
 *                   (libuv may silently re-register its handler)
 *   anchorPid, anchorParentIsHost  whether the host is the anchor's parent
 *   hostZombies     zombie children of the host at the end
 *   status          {before, after}: SigBlk/SigIgn/SigCgt of the host
 *   samples         up to 5 children that were not correct
 * On a harness failure (bad option, library failed to load, ...) the line is
 * {"error": "..."} and the exit code is 1.  Otherwise the exit code is 0,
 * whatever was measured (losses are data, not script failures), except
 * after finishedBy "hung": the line is printed, then the process is killed
 * by SIGKILL.
 */

const { hostilityIntact, countHostZombies } = require('./host');

function summarize(hostile, opts, run, extra) {
  const { records } = run;
  const ours = new Set();
  let spawned = 0, spawnErrors = 0, reported = 0, closed = 0, correct = 0;
  let wrongExit = 0, wrongStdout = 0;
  let hung = null;
  const samples = [];
  for (const rec of records) {
    if (!rec) continue;
    if (rec.pid) ours.add(rec.pid);
    for (const pid of rec.reapedDuring) ours.add(pid);
    if (rec.spawned) spawned++;
    if (rec.hung) hung = rec.i;
    if (rec.error) spawnErrors++;
    if (rec.exited) reported++;
    if (rec.closed) closed++;
    const stdout = typeof rec.out === 'string' ? rec.out : Buffer.concat(rec.out).toString();
    const okExit = rec.exited && rec.code === rec.i % 7 && rec.signal === null;
    const okOut = stdout === `out-${rec.i}\n`;
    if (rec.exited && !okExit) wrongExit++;
    if (rec.exited && !okOut) wrongStdout++;
    if (okExit && okOut && rec.closed && !rec.error) correct++;
    else if (samples.length < 5) {
      samples.push({ i: rec.i, pid: rec.pid, exited: rec.exited, code: rec.code,
        signal: rec.signal, closed: rec.closed, stdout, error: rec.error, hung: rec.hung,
        reapedDuring: rec.reapedDuring });
    }
  }
  const reapedAll = hostile.reapedPids();
  return {
    lib: opts.lib,
    api: opts.api,
    hostility: opts.hostility,
    when: opts.when,
    n: opts.n,
    concurrency: opts.concurrency,
    graceMs: opts.graceMs,
    watchdogMs: opts.watchdogMs,
    hangMs: opts.hangMs,
    syncTimeoutMs: opts.syncTimeoutMs,
    finishedBy: run.finishedBy,
    hung,
    elapsedMs: run.elapsedMs,
    spawned,
    spawnErrors,
    notStarted: opts.n - records.filter(Boolean).length,
    reported,
    closed,
    correct,
    lost: spawned - reported,
    wrongExit,
    wrongStdout,
    reapedByHost: reapedAll.filter((pid) => ours.has(pid)).length,
    reapedTotal: reapedAll.length,
    sigchld: extra.sigchldCounter ? hostile.sigchldCount() : null,
    sigchldCounter: extra.sigchldCounter,
    displaced: extra.displaced,
    dispositionAfter: hostile.sigchldDisposition(),
    hostilityIntact: hostilityIntact(hostile, opts.hostility),
    anchorPid: extra.anchorPid,
    anchorParentIsHost: extra.anchorPpid === null ? null : extra.anchorPpid === process.pid,
    hostZombies: countHostZombies(),
    status: { before: extra.statusBefore, after: hostile.procStatus() },
    samples,
  };
}

module.exports = { summarize };

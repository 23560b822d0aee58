'use strict';
// What /proc says about processes: fds, state, parent, memory, children. The reliability tests and
// the stress runner check leaks and zombies here rather than trusting the library under test.

const fs = require('node:fs');

function read(path) {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, session, ...], or null. */
function statFields(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
}

/** 'R', 'S', 'Z', ... or null when the process is gone (reaped). */
function state(pid) {
  const f = statFields(pid);
  return f ? f[0] : null;
}

function ppid(pid) {
  const f = statFields(pid);
  return f ? Number(f[1]) : null;
}

/** Start time in clock ticks since boot: with the pid, it names a process (pids are reused). */
function startTime(pid) {
  const f = statFields(pid);
  return f ? Number(f[19]) : null;
}

/** A process that is alive and is still the one we saw (same start time). */
function sameProcessAlive(pid, start) {
  const s = state(pid);
  return s !== null && s !== 'Z' && s !== 'X' && startTime(pid) === start;
}

/** The fd numbers open in a process, sorted. */
function fds(pid = 'self') {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).map(Number).filter((n) => !Number.isNaN(n)).sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** fd number -> link target ('socket:[123]', '/dev/null', 'anon_inode:[pidfd]', ...). */
function fdTargets(pid = 'self') {
  const out = {};
  for (const fd of fds(pid)) {
    try {
      out[fd] = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch { /* closed meanwhile */ }
  }
  return out;
}

/** A field of /proc/<pid>/status as a string ('VmRSS' -> '12345 kB'), or null. */
function statusField(pid, name) {
  const status = read(`/proc/${pid}/status`);
  if (status === null) return null;
  const line = status.split('\n').find((l) => l.startsWith(`${name}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}

function rssKb(pid = 'self') {
  const v = statusField(pid, 'VmRSS');
  return v ? parseInt(v, 10) : null;
}

/** Every pid on the system (processes, not threads). */
function allPids() {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/** Direct children of pid, from /proc/<pid>/task/<tid>/children (every thread's). */
function childrenOf(pid) {
  const out = [];
  let tasks = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    const text = read(`/proc/${pid}/task/${tid}/children`);
    if (text) for (const c of text.trim().split(/\s+/)) if (c) out.push(Number(c));
  }
  return out;
}

/** Zombies whose parent is one of `parents`, as [{ pid, ppid, comm }]. */
function zombiesOf(parents) {
  const set = new Set(parents.filter((p) => p));
  const out = [];
  for (const parent of set) {
    for (const pid of childrenOf(parent)) {
      if (state(pid) === 'Z') out.push({ pid, ppid: parent, comm: (read(`/proc/${pid}/comm`) || '').trim() });
    }
  }
  return out;
}

/** The executable of a process, or null. */
function exe(pid) {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** Polls fn() until it returns a truthy value or ms pass; returns the last value. */
async function waitFor(fn, ms = 5000, step = 20) {
  const deadline = Date.now() + ms;
  let v = fn();
  while (!v && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, step));
    v = fn();
  }
  return v;
}

/** Blocks the thread for ms (no event loop turn). */
function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

module.exports = {
  allPids, childrenOf, exe, fdTargets, fds, ppid, rssKb, sameProcessAlive, sleepSync, startTime, state,
  statFields, statusField, waitFor, zombiesOf,
};

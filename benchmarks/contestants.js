'use strict';
// The four contestants as long-lived processes that the harness drives over their stdin/stdout:
// one Node worker per library (worker.js) and the floor (floor.c, compiled here with the system cc).
// The harness's own processes go through node:child_process; none of this is measured.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const LIBRARIES = ['procdesc', 'node', 'execa', 'floor'];
const COMMAND_TIMEOUT_MS = 180_000;

/** Compiles one of the C contestants into a temporary directory, with native/ on the include
 * path (protocol.h); returns the binary's path. */
function compileC(source) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-bench-'));
  const bin = path.join(dir, path.basename(source, '.c'));
  execFileSync('cc', ['-O2', '-Wall', '-I', path.join(__dirname, '..', 'native'), '-o', bin, path.join(__dirname, source)],
    { stdio: 'inherit' });
  return bin;
}

function compileFloor() {
  return compileC('floor.c');
}

class Contestant {
  /** name: a library (worker.js runs it), or 'floor'; execPath: the Node that runs the worker;
   * label: how the results name it (the library's name unless given); root: the checkout whose
   * built procdesc the worker loads (this one unless given); command: [file, args] of another
   * program that speaks floor.c's protocol, in place of both (layers.js). */
  constructor(name, floorBin, { execPath = process.execPath, label = name, root, command } = {}) {
    this.name = label;
    const [file, args] = command ?? (name === 'floor'
      ? [floorBin, []]
      : [execPath, ['--expose-gc', path.join(__dirname, 'worker.js'), name, ...(root ? [root] : [])]]);
    this.proc = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    // A write to one that has died (EPIPE) must not crash the harness: its 'exit' says why it went.
    this.proc.stdin.on('error', () => {});
    this.replies = [];
    this.waiting = [];
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => {
      this.dead = `${name} exited (${code ?? signal})`;
      for (const w of this.waiting.splice(0)) w.reject(new Error(this.dead));
      resolve();
    }));
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => {
      let msg;
      try { msg = JSON.parse(line); } catch { msg = { error: `unparsable reply: ${line}` }; }
      const w = this.waiting.shift();
      if (w) w.settle(msg); else this.replies.push(msg);
    });
  }

  /** The next reply, in order. */
  next() {
    if (this.replies.length) return Promise.resolve(this.replies.shift());
    if (this.dead) return Promise.reject(new Error(this.dead));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no reply in ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
      this.waiting.push({
        settle: (msg) => { clearTimeout(timer); resolve(msg); },
        reject: (err) => { clearTimeout(timer); reject(err); },
      });
    });
  }

  async ready() {
    const msg = await this.next();
    if (msg.op !== 'ready') throw new Error(`${this.name}: ${msg.error || JSON.stringify(msg)}`);
    return this;
  }

  /** Sends one command; resolves with its reply. */
  async send(command) {
    this.proc.stdin.write(`${command}\n`);
    const msg = await this.next();
    if (msg.error) throw new Error(`${this.name}: ${command}: ${msg.error}`);
    return msg;
  }

  async quit() {
    if (!this.dead) this.proc.stdin.end('quit\n');
    await this.exited;
  }
}

/** Adds contestant to list, then waits for it to be ready: a finally that quits the list then quits
 * the ones that failed to start too (else their pipes would keep the harness waiting). */
async function enlist(list, contestant) {
  list.push(contestant);
  return contestant.ready();
}

/**
 * For the benches that compare procdesc with a C host speaking its wire protocol (layers.js,
 * timeline.js): compiles the floor and the C host (their paths pushed on bins, for the caller to
 * remove), enlists procdesc in list, and finds the very helper binary it runs (a prebuilt one or
 * the one built here) through its helper's /proc/<pid>/exe.
 */
async function enlistProcdescAndHelper(list, bins) {
  const floorBin = compileFloor();
  bins.push(floorBin);
  const clientBin = compileC('protocol_client.c');
  bins.push(clientBin);
  const procdesc = await enlist(list, new Contestant('procdesc', floorBin));
  const helperPid = (await procdesc.send('caps')).capabilities?.helperPid;
  if (!helperPid) throw new Error('procdesc is on its fallback path here: no helper to compare with');
  return { floorBin, clientBin, helper: fs.readlinkSync(`/proc/${helperPid}/exe`) };
}

/** The four contestants, started together and enlisted in list. */
async function startAll(floorBin, list) {
  return Promise.all(LIBRARIES.map((name) => enlist(list, new Contestant(name, floorBin))));
}

module.exports = { LIBRARIES, Contestant, compileC, compileFloor, enlist, enlistProcdescAndHelper, startAll };

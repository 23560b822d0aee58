'use strict';
// What the fork tests share: the IPC child (test/fixtures/ipc-child.js, an ordinary Node script
// using process.send and process.on('message')), a scratch directory, and two ways to watch a
// child: nextMessage() and lifecycle().
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const childScript = path.join(__dirname, '..', 'fixtures', 'ipc-child.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-fork-'));


function nextMessage(child, cmd) {
  return new Promise((resolve, reject) => {
    const onMessage = (msg, handle) => {
      if (msg && msg.cmd === cmd) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve([msg, handle]);
      }
    };
    const onExit = (code, signal) => reject(new Error(`child exited (${code}, ${signal}) before '${cmd}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Records the events a user sees until a while after 'exit' (after a disconnect initiated by the
 * parent, Node 20 never emits 'close': the channel's end is not counted). */
function lifecycle(child) {
  const seen = [];
  for (const name of ['spawn', 'disconnect', 'exit', 'close', 'error']) {
    child.on(name, (...args) => seen.push([name, ...args.map((a) => (a instanceof Error ? a.code : a))]));
  }
  return new Promise((resolve) => child.on('exit', () => setTimeout(() => resolve(seen), 300)));
}

module.exports = { childScript, tmp, nextMessage, lifecycle };

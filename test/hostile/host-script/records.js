'use strict';
// What each child of a host-script.js run is told to do, and the record of what the library said.

function shellCommand(i) {
  return `echo out-${i}; exit $((${i} % 7))`;
}

function newRecord(i) {
  // out: Buffers (async) or one string (sync; crosses to the worker as is).
  return { i, pid: undefined, spawned: false, exited: false, closed: false, code: undefined,
    signal: undefined, out: [], error: undefined, hung: false, reapedDuring: [],
    released: false, settled: false };
}

module.exports = { shellCommand, newRecord };

// procdesc/child_process: the drop-in. Same exports as node:child_process, and each one is the
// running Node's own function: where procdesc's path is in use (capabilities() says), the child
// it makes comes from procdesc's helper and is watched through its pidfd (lib/node/drop_in.ts);
// otherwise every call is Node's alone.
export {
  _forkChild, ChildProcess, exec, execFile, execFileSync, execSync, fork, spawn, spawnSync,
} from '../lib/node/drop_in';

// ESM face of procdesc/child_process: the CommonJS module itself, so that import and require
// share one instance (one helper, one set of children).
import cjs from '../dist/integrations/child_process.js';

export const {
  _forkChild, ChildProcess, exec, execFile, execFileSync, execSync, fork, spawn, spawnSync,
} = cjs;
export default cjs;

// ESM face of procdesc/promises: the CommonJS module itself (one instance for import and require).
import cjs from '../dist/integrations/promises.js';

export const { exec, execFile, run, RunError } = cjs;
export default cjs;

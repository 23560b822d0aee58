// ESM face of procdesc/zx: the CommonJS module itself (one instance for import and require).
import cjs from '../dist/integrations/zx.js';

export const { spawn, spawnSync, useProcdesc } = cjs;
export default cjs;

// `node --import procdesc/register`: loading the CommonJS module registers (once, whichever of
// --require and --import comes first).
import cjs from '../dist/integrations/register.js';

export const { isRegistered, register, unregister } = cjs;
export default cjs;

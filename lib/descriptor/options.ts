// The descriptor API's own spawn options (beyond Node's), validated as Node validates its own.
import { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE } from './errors';

/** execa's default: a child that ignores killSignal is SIGKILLed this long after it. */
export const DEFAULT_FORCE_KILL_AFTER_DELAY = 5000;

export function ownOption(options: unknown, key: string): unknown {
  return options !== null && typeof options === 'object' && Object.prototype.hasOwnProperty.call(options, key)
    ? (options as Record<string, unknown>)[key] : undefined;
}

export function validateForceKillAfterDelay(value: unknown): number | false {
  if (value === undefined || value === true) return DEFAULT_FORCE_KILL_AFTER_DELAY;
  if (value === false) return false;
  if (typeof value !== 'number') throw new ERR_INVALID_ARG_TYPE('options.forceKillAfterDelay', ['number', 'boolean'], value);
  if (!Number.isInteger(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
    throw new ERR_OUT_OF_RANGE('options.forceKillAfterDelay', `an integer >= 0`, value);
  }
  return value;
}

/** killOnClose: true (the child) or 'tree' (the child and every descendant). */
export function validateKillOnClose(value: unknown): false | true | 'tree' {
  if (value == null || value === false) return false;
  if (value === true || value === 'tree') return value;
  if (typeof value !== 'boolean' && typeof value !== 'string') {
    throw new ERR_INVALID_ARG_TYPE('options.killOnClose', ['boolean', 'string'], value);
  }
  throw new ERR_INVALID_ARG_VALUE('options.killOnClose', value, "must be a boolean or 'tree'");
}

export function validateBoolean(name: string, value: unknown): boolean {
  if (value == null) return false;
  if (typeof value !== 'boolean') throw new ERR_INVALID_ARG_TYPE(`options.${name}`, 'boolean', value);
  return value;
}

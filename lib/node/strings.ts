// How Node's C++ turns the strings of a spawn request into C strings (node::Utf8Value: ToString on
// each value). They differ on a value that cannot become a string (an object without a primitive
// value, a Symbol): the sync runner throws V8's TypeError; the async Process wrap of Node 22+
// passes '' and spawns, Node 20's throws (lib/node/internals.ts probes which).
export type Unconvertible = 'throw' | 'empty';

export function toStringValue(value: unknown, unconvertible: Unconvertible): string {
  if (typeof value === 'string') return value;
  if (unconvertible === 'throw') return `${value as string}`;
  try {
    return `${value as string}`;
  } catch {
    return '';
  }
}

/** Every index up to length, holes included: Node's C++ reads a hole as undefined ("undefined"),
 * where Array#map would skip it and leave the hole for later code to trip on. */
export function toStringList(values: unknown, unconvertible: Unconvertible): string[] {
  if (!Array.isArray(values)) return [];
  // Node's own arrays (envPairs, args) are strings throughout: read as they are, not copied.
  let i = 0;
  while (i < values.length && typeof values[i] === 'string') i++;
  if (i === values.length) return values as string[];
  return Array.from(values, (v: unknown) => toStringValue(v, unconvertible));
}

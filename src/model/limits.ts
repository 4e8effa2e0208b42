// The caps on input, in one place. Past any of them hd-setup stops at once with exit 2, naming the field.
// They are far above anything a real preset holds and far below what would cost time or memory.
import { formatPath, type Problem } from './errors.js';
import { MAX_INPUT_BYTES } from '../util/bounded-read.js';

export const LIMITS = {
  /** A preset file, a file: secret. */
  fileBytes: MAX_INPUT_BYTES,
  /** Nesting of maps and lists (the deepest real path, an affinity rule's match values, is 7). */
  depth: 32,
  /** Any string value (a private key in a gateway param fits; a megabyte of text does not). */
  stringLength: 64 * 1024,
  /** A map key (label keys are at most 253 + 1 + 63). */
  keyLength: 320,
  /** Any list (noProxy, connections per affinity rule, extraEnv...). */
  listLength: 1000,
  /** Any map (gateways, config, node selector, affinity rules...). */
  mapEntries: 1000,
  /** Values in the whole preset (YAML aliases can make a small file a large tree). */
  nodes: 100_000,
  /** Segments of a --set path. */
  setPathSegments: 32,
} as const;

/** Keys that would reach Object.prototype: rejected in every path, key and map. */
export const PROTO_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const isProtoKey = (k: unknown): boolean => typeof k === 'string' && PROTO_KEYS.has(k);
export const PROTO_KEY_MESSAGE = 'is a reserved name (__proto__, constructor and prototype are never valid keys); remove it';

/**
 * Check a parsed preset against the caps and for prototype keys, iteratively (no recursion: a deep value
 * cannot overflow the stack here). Returns the first problems found, at most a few.
 */
export function checkStructure(value: unknown, base: (string | number)[] = []): Problem[] {
  const problems: Problem[] = [];
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: base }];
  let nodes = 0;
  while (stack.length && problems.length < 5) {
    const { v, path } = stack.pop()!;
    if (++nodes > LIMITS.nodes) {
      problems.push({ path: formatPath(base) || '(preset)', message: `holds more than ${LIMITS.nodes} values; a preset is far smaller (YAML aliases count each time they are used)` });
      break;
    }
    const depth = path.length - base.length;
    if (typeof v === 'string') {
      if (v.length > LIMITS.stringLength) problems.push({ path: formatPath(path), message: `is longer than ${LIMITS.stringLength} characters; shorten it (long secrets go in a file: reference)` });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= LIMITS.depth) {
      problems.push({ path: formatPath(path), message: `is nested deeper than ${LIMITS.depth} levels; a preset is never that deep` });
      continue;
    }
    if (Array.isArray(v)) {
      if (v.length > LIMITS.listLength) {
        problems.push({ path: formatPath(path), message: `lists more than ${LIMITS.listLength} items; that is more than the option can hold` });
        continue;
      }
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
      continue;
    }
    const keys = Reflect.ownKeys(v).filter((k): k is string => typeof k === 'string');
    if (keys.length > LIMITS.mapEntries) {
      problems.push({ path: formatPath(path), message: `has more than ${LIMITS.mapEntries} keys; that is more than the option can hold` });
      continue;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      if (isProtoKey(k)) {
        problems.push({ path: formatPath([...path, k]), message: PROTO_KEY_MESSAGE });
        continue;
      }
      if (k.length > LIMITS.keyLength) {
        problems.push({ path: formatPath(path), message: `has a key longer than ${LIMITS.keyLength} characters; check the preset` });
        continue;
      }
      stack.push({ v: (v as Record<string, unknown>)[k], path: [...path, k] });
    }
  }
  return problems;
}

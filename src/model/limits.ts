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

/** Where a container sits: its key and the container it is in (a path is built only for a problem). */
type Place = { key: string | number; up: Place | undefined };
const pathOf = (base: (string | number)[], at: Place | undefined): (string | number)[] => {
  const out: (string | number)[] = [];
  for (let p = at; p; p = p.up) out.push(p.key);
  return [...base, ...out.reverse()];
};

/**
 * Check a parsed preset against the caps and for prototype keys, iteratively (no recursion: a deep value
 * cannot overflow the stack here). Returns the first problems found, at most a few. A value's path is
 * made only for a problem: a preset of 10,000 connections is walked without one array a value.
 */
export function checkStructure(value: unknown, base: (string | number)[] = []): Problem[] {
  const problems: Problem[] = [];
  const stack: { v: unknown; at: Place | undefined; depth: number }[] = [{ v: value, at: undefined, depth: 0 }];
  let nodes = 0;
  const tooLong = (at: Place | undefined, key: string | number) =>
    problems.push({ path: formatPath(pathOf(base, { key, up: at })), message: `is longer than ${LIMITS.stringLength} characters; shorten it (long secrets go in a file: reference)` });
  // the root, a string: checked as any value is
  if (typeof value === 'string') {
    if (value.length > LIMITS.stringLength) problems.push({ path: formatPath(base), message: `is longer than ${LIMITS.stringLength} characters; shorten it (long secrets go in a file: reference)` });
    return problems;
  }
  nodes++;
  while (stack.length && problems.length < 5) {
    const { v, at, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= LIMITS.depth) {
      problems.push({ path: formatPath(pathOf(base, at)), message: `is nested deeper than ${LIMITS.depth} levels; a preset is never that deep` });
      continue;
    }
    // children in order: a string is checked here, a container is kept with its place and pushed after
    // (in reverse: the next popped is the first): a map's or list's own strings are named before what its
    // maps and lists hold, each level in the order of the preset's text
    const inner: { v: unknown; at: Place | undefined; depth: number }[] = [];
    const child = (x: unknown, key: string | number): boolean => {
      if (++nodes > LIMITS.nodes) {
        problems.push({ path: formatPath(base) || '(preset)', message: `holds more than ${LIMITS.nodes} values; a preset is far smaller (YAML aliases count each time they are used)` });
        return false;
      }
      if (typeof x === 'string') {
        if (x.length > LIMITS.stringLength) tooLong(at, key);
      } else if (x !== null && typeof x === 'object') inner.push({ v: x, at: { key, up: at }, depth: depth + 1 });
      return problems.length < 5;
    };
    const pushInner = () => {
      for (let i = inner.length - 1; i >= 0; i--) stack.push(inner[i]!);
    };
    if (Array.isArray(v)) {
      if (v.length > LIMITS.listLength) {
        problems.push({ path: formatPath(pathOf(base, at)), message: `lists more than ${LIMITS.listLength} items; that is more than the option can hold` });
        continue;
      }
      for (let i = 0; i < v.length; i++) if (!child(v[i], i)) return problems.slice(0, 5);
      pushInner();
      continue;
    }
    const keys = Reflect.ownKeys(v).filter((k): k is string => typeof k === 'string');
    if (keys.length > LIMITS.mapEntries) {
      problems.push({ path: formatPath(pathOf(base, at)), message: `has more than ${LIMITS.mapEntries} keys; that is more than the option can hold` });
      continue;
    }
    for (const k of keys) {
      if (isProtoKey(k)) {
        problems.push({ path: formatPath(pathOf(base, { key: k, up: at })), message: PROTO_KEY_MESSAGE });
        continue;
      }
      if (k.length > LIMITS.keyLength) {
        problems.push({ path: formatPath(pathOf(base, at)), message: `has a key longer than ${LIMITS.keyLength} characters; check the preset` });
        continue;
      }
      if (!child((v as Record<string, unknown>)[k], k)) return problems.slice(0, 5);
    }
    pushInner();
  }
  return problems.slice(0, 5);
}

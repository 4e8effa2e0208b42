// A strict JSON reader for presets: duplicate keys are an error (as in YAML), nesting is capped, objects
// have no prototype, and an error names file:line:column and what was expected, never the text itself
// (JSON.parse quotes the input around the error, which may be an unquoted password).
import { UserError } from './errors.js';
import { LIMITS, isProtoKey, PROTO_KEY_MESSAGE } from './limits.js';

export function parseJsonStrict(text: string, source: string, member?: (key: string, start: number, end: number) => void): unknown {
  let i = 0;
  const n = text.length;
  const fail = (at: number, what: string): never => {
    let line = 1;
    let col = 1;
    for (let k = 0; k < at && k < n; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    throw new UserError([{ path: `${source}:${line}:${col}`, message: `invalid JSON: ${what}` }]);
  };
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let from = i;
    for (;;) {
      if (i >= n) return fail(start, 'a string is not closed; expected a closing "');
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(from, i);
        i++;
        return out;
      }
      if (c < 0x20) return fail(i, 'a control character inside a string; write it as an escape (\\n, \\t, \\u0000)');
      if (c === 92) {
        out += text.slice(from, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && Object.hasOwn(simple, e)) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else return fail(i, 'an invalid escape in a string; expected \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX');
        from = i;
        continue;
      }
      i++;
    }
  };
  const num = (): number | string => {
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = i;
    const r = m.exec(text);
    if (!r || r[0] === '-') return fail(i, 'expected a value (an object, list, string, number, true, false or null)');
    i = m.lastIndex;
    const v = Number(r[0]);
    if (!Number.isFinite(v)) return fail(i - r[0].length, 'a number too large to represent');
    // An integer past 2^53 as its digits, as a YAML preset and --set keep it (model/load.ts): read as a number it
    // would be another one (12345678901234567890 -> ...7000), written on as if given.
    if (Number.isInteger(v) && !Number.isSafeInteger(v) && /^-?\d+$/.test(r[0])) return r[0];
    return v;
  };
  // Iterative, with an explicit stack: no depth can overflow the JS stack.
  // `at`: where the container starts ({ or [), for `member`
  type Frame = { kind: 'obj'; v: Record<string, unknown>; key?: string; keyAt?: number; at: number } | { kind: 'arr'; v: unknown[]; at: number };
  const stack: Frame[] = [];
  let result: unknown;
  let have = false;
  const value = (): { v: unknown; open?: Frame; start: number } => {
    ws();
    if (i >= n) return fail(i, 'unexpected end of input; expected a value');
    const c = text[i];
    const start = i;
    if (c === '{') {
      i++;
      return { v: undefined, open: { kind: 'obj', v: Object.create(null) as Record<string, unknown>, at: start }, start };
    }
    if (c === '[') {
      i++;
      return { v: undefined, open: { kind: 'arr', v: [], at: start }, start };
    }
    if (c === '"') return { v: str(), start };
    if (text.startsWith('true', i)) return (i += 4), { v: true, start };
    if (text.startsWith('false', i)) return (i += 5), { v: false, start };
    if (text.startsWith('null', i)) return (i += 4), { v: null, start };
    return { v: num(), start };
  };
  const put = (v: unknown, start: number) => {
    const top = stack[stack.length - 1];
    if (member && top?.kind === 'obj') member(top.key!, start, i);
    if (!top) {
      result = v;
      have = true;
    } else if (top.kind === 'arr') {
      if (top.v.length >= LIMITS.listLength) fail(i, `a list of more than ${LIMITS.listLength} items; that is more than any option holds`);
      top.v.push(v);
    } else top.v[top.key!] = v;
  };
  // Read the next key of the object on top (after "{" or ","), or its end.
  const key = (top: Extract<Frame, { kind: 'obj' }>, first: boolean): boolean => {
    ws();
    if (first && text[i] === '}') {
      i++;
      return false;
    }
    if (text[i] !== '"') return fail(i, first ? 'expected a "key" or }' : 'expected a "key" after ,');
    const at = i;
    const k = str();
    if (isProtoKey(k)) fail(at, `key ${k === '__proto__' ? '__proto__' : k} ${PROTO_KEY_MESSAGE}`);
    if (Object.hasOwn(top.v, k)) fail(at, 'duplicate key (each key may appear once in a mapping)');
    if (Object.keys(top.v).length >= LIMITS.mapEntries) fail(at, `a mapping of more than ${LIMITS.mapEntries} keys`);
    ws();
    if (text[i] !== ':') return fail(i, 'expected : after the key');
    i++;
    top.key = k;
    return true;
  };
  let next = value();
  for (;;) {
    if (next.open) {
      if (stack.length >= LIMITS.depth) fail(i - 1, `nested deeper than ${LIMITS.depth} levels; a preset is never that deep`);
      const f = next.open;
      stack.push(f);
      if (f.kind === 'obj') {
        if (key(f, true)) {
          next = value();
          continue;
        }
      } else {
        ws();
        if (text[i] === ']') i++;
        else {
          next = value();
          continue;
        }
      }
      stack.pop();
      next = { v: f.v, start: f.at };
      continue;
    }
    put(next.v, next.start);
    // after a value: , or the end of the container on top
    let closed = false;
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) {
        closed = true;
        break;
      }
      ws();
      const c = text[i];
      if (c === ',') {
        i++;
        if (top.kind === 'obj') key(top, false);
        break;
      }
      if ((top.kind === 'obj' && c === '}') || (top.kind === 'arr' && c === ']')) {
        i++;
        stack.pop();
        put(top.v, top.at);
        continue;
      }
      return fail(i, i >= n ? `unexpected end of input; expected , or ${top.kind === 'obj' ? '}' : ']'}` : `expected , or ${top.kind === 'obj' ? '}' : ']'}`);
    }
    if (closed) break;
    next = value();
  }
  ws();
  if (i < n) fail(i, 'unexpected text after the end of the value');
  if (!have) fail(0, 'no value');
  return result;
}

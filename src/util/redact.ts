// Masks every known secret value in text. All output passes through one of these.
//
// A registered secret is matched in every form it can take in output: as is, JSON-escaped (once and
// twice), shell- and YAML-single-quoted, percent-encoded (encodeURIComponent, `+` for space, encodeURI),
// each line of a multi-line secret on its own (YAML block scalars, a value split over lines), and base64
// (standalone, and at each of the 3 byte alignments inside a longer base64 string, e.g. `user:secret`
// pairs or a Kubernetes Secret's data), base64url too. Credentials in URLs are masked as well.
//
// Matching is one Aho-Corasick pass over the text: linear in the text's length whatever the secrets.
// A secret shorter than MIN_MASKABLE characters is masked only as a whole token (word boundaries), so
// `y` does not turn `tcloud-apply-executor` into `tcloud-appl********-e...`.
import { findUserinfos, openUrlTail } from './url-userinfo.js';

export { maskUrl, maskUrlCredentials, urlPasswords, parseUserinfo, hasPassword } from './url-userinfo.js';

export const MASK = '********';
/** Shorter secrets are masked on word boundaries only, and draw a warning when given (GitLab's rule). */
export const MIN_MASKABLE = 8;

/** The warning for a secret too short to be masked reliably in free text, or undefined if it is long enough. */
export function shortSecretWarning(field: string, value: string): string | undefined {
  if (!value || value.length >= MIN_MASKABLE) return undefined;
  return `${field} is shorter than ${MIN_MASKABLE} characters: output masks it only where it stands as a whole word, so it may show inside longer text; use a longer secret`;
}

// A pattern's boundary kind: 0 = substring anywhere, 1 = whole word of text, 2 = whole base64 token,
// 3 = ends a line (the start of a spelling wrapped over lines), 4 = starts a line (its end).
type Bound = 0 | 1 | 2 | 3 | 4;

const isBreak = (c: number) => c < 0 || c === 10 || c === 13 || c === 32 || c === 9;

const WORD = new Uint8Array(128);
for (let c = 48; c <= 57; c++) WORD[c] = 1;
for (let c = 65; c <= 90; c++) WORD[c] = 1;
for (let c = 97; c <= 122; c++) WORD[c] = 1;
WORD[95] = 1; // _
const B64 = WORD.slice();
for (const ch of '+/=-') B64[ch.charCodeAt(0)] = 1;
const LETTER = /[\p{L}\p{N}\p{M}]/u;

function isWordChar(c: number, kind: Bound): boolean {
  if (c < 0) return false;
  if (c < 128) return (kind === 2 ? B64 : WORD)[c] === 1;
  return kind === 1 && LETTER.test(String.fromCharCode(c));
}

const json = (s: string) => JSON.stringify(s).slice(1, -1);
const u4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
/** Go's encoding/json (helm, kubectl -o json): also <, > and & as \u003c, \u003e, \u0026 (and U+2028/9). */
const goJson = (j: string) => j.replace(/[<>&\u2028\u2029]/g, u4);
/** JSON kept to ASCII (Python's json.dumps, jq -a): every other code unit as \uXXXX. */
const asciiJson = (j: string) => j.replace(/[^\x00-\x7f]/g, u4);
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
/**
 * A YAML double-quoted scalar's body as js-yaml and Go's yaml (helm, kubectl) write it: a character that is
 * not printable in YAML, or needs escaping, as its escape (NBSP as \_, ESC as \e, U+2028 as \L, others \xHH,
 * \uHHHH, \UHHHHHHHH). A password pasted from a web page holds an NBSP: the dump spells it so.
 */
const YAML_ESCAPES: Record<number, string> = { 0: '0', 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 0x1b: 'e', 0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P' };
const yamlPrintable = (c: number) => (c >= 0x20 && c <= 0x7e) || (c >= 0xa1 && c <= 0xd7ff && c !== 0x2028 && c !== 0x2029) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) || (c >= 0x10000 && c <= 0x10ffff);
function yamlDoubleQuoted(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const e = YAML_ESCAPES[c];
    if (e !== undefined) out += `\\${e}`;
    else if (yamlPrintable(c)) out += ch;
    else {
      const [tag, width] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
      out += `\\${tag}${c.toString(16).toUpperCase().padStart(width, '0')}`;
    }
  }
  return out;
}
function safeEncodeURI(s: string): string {
  try {
    return encodeURI(s);
  } catch {
    return s; // lone surrogate
  }
}
function safeEncodeURIComponent(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The ways one piece of text (a secret, or one line of it) can be spelled in output. */
function textForms(x: string): string[] {
  const j = json(x);
  return [x, j, yamlDoubleQuoted(x), json(j), goJson(j), goJson(json(j)), json(goJson(j)), asciiJson(j), safeEncodeURIComponent(x), formEncode(x), safeEncodeURI(x), x.replace(/'/g, `'\\''`), x.replace(/'/g, `'"'"'`), x.replace(/'/g, `''`), x.replace(/"/g, '\\"')];
}

const toUrl = (b: string) => b.replace(/\+/g, '-').replace(/\//g, '_');

/**
 * Base64 wrapped over lines (PEM, `base64` at 76 columns) splits a secret's spelling at any point. Every
 * WINDOW-character piece starting at a multiple of STEP is a pattern too, and so is every prefix that ends
 * a line and every suffix that starts one, of at least EDGE characters: at most STEP-1 characters stay
 * visible on each side of a line break (under 5 bytes together). Only for spellings up to WINDOWED_MAX.
 */
const EDGE = 4;
const WINDOW = 16;
const STEP = 4;
const WINDOWED_MAX = 16_384;

function windows(form: string): Pattern[] {
  if (form.length <= WINDOW || form.length > WINDOWED_MAX) return [];
  const out: Pattern[] = [];
  for (let p = 0; p + WINDOW <= form.length; p += STEP) out.push({ text: form.slice(p, p + WINDOW), bound: 0 });
  out.push({ text: form.slice(form.length - WINDOW), bound: 0 });
  for (let m = EDGE; m < WINDOW; m++) out.push({ text: form.slice(0, m), bound: 3 }, { text: form.slice(form.length - m), bound: 4 });
  return out;
}

/** The base64 spellings of a secret's bytes: standalone, and the part fixed by the secret alone at each alignment. */
function base64Forms(bytes: Buffer): { forms: string[]; wrapped: Pattern[] } {
  const out: string[] = [];
  const wrapped: Pattern[] = [];
  const full = bytes.toString('base64');
  out.push(full, full.replace(/=+$/, ''));
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const from = Math.ceil((8 * k) / 6);
    const to = Math.floor((8 * (k + bytes.length)) / 6);
    if (to - from >= 4) out.push(enc.slice(from, to));
    wrapped.push(...windows(enc.slice(from, to)));
  }
  return { forms: [...out, ...out.map(toUrl)], wrapped };
}

interface Pattern {
  text: string;
  bound: Bound;
}

/** The patterns a secret registers: every form, with its boundary rule. */
export function secretForms(secret: string): Pattern[] {
  const out: Pattern[] = [];
  const add = (texts: string[], bound: Bound) => {
    for (const t of texts) if (t) out.push({ text: t, bound });
  };
  const short = secret.length < MIN_MASKABLE;
  add(textForms(secret), short ? 1 : 0);
  const bytes = Buffer.from(secret, 'utf8');
  if (short) add([bytes.toString('base64'), toUrl(bytes.toString('base64'))], 2);
  else {
    const b = base64Forms(bytes);
    add(b.forms, 0);
    out.push(...b.wrapped);
  }
  const lines = secret.split(/\r?\n/);
  if (lines.length > 1) {
    for (const raw of lines) {
      // A YAML block scalar or an indented dump keeps each line's text; indentation and trailing spaces may differ.
      // A short line of only punctuation (`{`, `}`, `--`) says nothing about the secret and would mask it
      // everywhere; one of MIN_MASKABLE characters or more is a part of it like any other (`@@@@@@@€`).
      for (const line of new Set([raw, raw.trim()])) if (/[\p{L}\p{N}]/u.test(line) || line.trim().length >= MIN_MASKABLE) add(textForms(line), line.length < MIN_MASKABLE ? 1 : 0);
    }
  }
  return out;
}

/**
 * Aho-Corasick automaton over UTF-16 code units. Compact: most nodes of long patterns have one child,
 * kept in flat arrays; only branching nodes use the shared map (a 80k-character secret stays cheap).
 */
class Automaton {
  readonly root = new Int32Array(65536);
  /** The first child of a node: its code unit (-1: none) and node id. */
  private readonly ch: number[] = [-1];
  private readonly kid: number[] = [0];
  /** Further children: key node * 65536 + code unit. */
  private readonly extra = new Map<number, number>();
  private readonly extraChars = new Map<number, number[]>();
  readonly depth: number[] = [0];
  /** Patterns that end at a node. */
  readonly ends = new Map<number, number[]>();
  fail: Int32Array = new Int32Array(1);
  /** Nearest node on the fail chain (this one included) where a pattern ends, or -1. */
  dict: Int32Array = new Int32Array(1);

  private child(s: number, c: number): number | undefined {
    if (this.ch[s] === c) return this.kid[s];
    return this.extra.size ? this.extra.get(s * 65536 + c) : undefined;
  }

  private children(s: number): [number, number][] {
    const out: [number, number][] = [];
    if (this.ch[s]! >= 0) out.push([this.ch[s]!, this.kid[s]!]);
    for (const c of this.extraChars.get(s) ?? []) out.push([c, this.extra.get(s * 65536 + c)!]);
    return out;
  }

  constructor(readonly patterns: Pattern[]) {
    patterns.forEach((p, idx) => {
      let s = 0;
      for (let i = 0; i < p.text.length; i++) {
        const c = p.text.charCodeAt(i);
        let n = this.child(s, c);
        if (n === undefined) {
          n = this.ch.length;
          this.ch.push(-1);
          this.kid.push(0);
          this.depth.push(this.depth[s]! + 1);
          if (this.ch[s] === -1) {
            this.ch[s] = c;
            this.kid[s] = n;
          } else {
            this.extra.set(s * 65536 + c, n);
            const list = this.extraChars.get(s);
            if (list) list.push(c);
            else this.extraChars.set(s, [c]);
          }
        }
        s = n;
      }
      const e = this.ends.get(s);
      if (e) e.push(idx);
      else this.ends.set(s, [idx]);
    });
    const n = this.ch.length;
    this.fail = new Int32Array(n);
    this.dict = new Int32Array(n).fill(-1);
    const queue = new Int32Array(n);
    let tail = 0;
    for (const [c, k] of this.children(0)) {
      this.root[c] = k;
      queue[tail++] = k;
      if (this.ends.has(k)) this.dict[k] = k;
    }
    const link = (s: number, c: number, k: number) => {
      let f = this.fail[s]!;
      let g: number | undefined;
      while ((g = f === 0 ? this.root[c] || undefined : this.child(f, c)) === undefined && f !== 0) f = this.fail[f]!;
      this.fail[k] = g ?? 0;
      this.dict[k] = this.ends.has(k) ? k : this.dict[this.fail[k]!]!;
      queue[tail++] = k;
    };
    for (let q = 0; q < tail; q++) {
      const s = queue[q]!;
      if (this.ch[s]! >= 0) link(s, this.ch[s]!, this.kid[s]!);
      for (const c of this.extraChars.get(s) ?? []) link(s, c, this.extra.get(s * 65536 + c)!);
    }
  }

  step(s: number, c: number): number {
    for (;;) {
      if (s === 0) return this.root[c]!;
      const n = this.ch[s] === c ? this.kid[s]! : this.extra.size ? this.extra.get(s * 65536 + c) : undefined;
      if (n !== undefined) return n;
      s = this.fail[s]!;
    }
  }
}

/**
 * A secret that is base64 of text (a Fivetran token is base64 of `<controller_id>:<secret>`) shows decoded
 * too: in the agent's own log lines, in what a user pastes from a decoder. Its text is masked, and of a
 * `<name>:<secret>` pair, the secret alone as well, when it is MIN_MASKABLE characters or more (a shorter one
 * would be masked as a whole word everywhere). Bytes that are no text (a random key) give nothing.
 */
export function decodedParts(secret: string): string[] {
  const t = secret.trim();
  if (t.length < MIN_MASKABLE || t.length % 4 === 1 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) return [];
  const bytes = Buffer.from(t, 'base64');
  const text = bytes.toString('utf8');
  if (text.length < MIN_MASKABLE || !Buffer.from(text, 'utf8').equals(bytes) || /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/.test(text)) return [];
  // (a part shorter than MIN_MASKABLE would be masked as a whole word everywhere: "secret" in every line)
  const part = text.slice(text.indexOf(':') + 1);
  return text.indexOf(':') > 0 && part.length >= MIN_MASKABLE ? [text, part] : [text];
}

interface Scan {
  /** Merged, sorted, disjoint [start, end) ranges to mask. */
  starts: number[];
  ends: number[];
  /** Length of the longest suffix of the text that is a prefix of some pattern (may still grow into a match). */
  open: number;
}

export class Redactor {
  private secrets = new Set<string>();
  private patterns: Pattern[] = [];
  private ac: Automaton | undefined;

  constructor(secrets: Iterable<string> = []) {
    this.add(secrets);
  }

  add(secrets: Iterable<string>): void {
    for (const s of secrets) {
      if (typeof s !== 'string' || !s || this.secrets.has(s)) continue;
      this.secrets.add(s);
      this.patterns.push(...secretForms(s));
      for (const part of decodedParts(s)) this.patterns.push(...secretForms(part));
      this.ac = undefined;
    }
  }

  /** How many secrets are registered. */
  get size(): number {
    return this.secrets.size;
  }

  /** A new Redactor that also masks `extra` (this one is unchanged). */
  with(extra: Iterable<string>): Redactor {
    return new Redactor([...this.secrets, ...extra]);
  }

  /** Is this exact value a registered secret? */
  isSecret(v: string): boolean {
    return this.secrets.has(v);
  }

  /** Does the text hold a registered secret in any form (or a URL password)? */
  leaks(text: string): boolean {
    return this.redact(text) !== text;
  }

  private automaton(): Automaton | undefined {
    if (!this.patterns.length) return undefined;
    if (!this.ac) {
      // Forms coincide (a secret and its JSON form are often equal): one pattern each, the strictest bound wins.
      const best = new Map<string, Bound>();
      for (const p of this.patterns) {
        const b = best.get(p.text);
        if (b === undefined || p.bound < b) best.set(p.text, p.bound);
      }
      this.ac = new Automaton([...best].map(([text, bound]) => ({ text, bound })));
    }
    return this.ac;
  }

  /** Where secrets are in text. `before`/`after`: the code units around it (-1: none), for word boundaries. */
  private scan(text: string, before = -1, after = -1): Scan {
    const starts: number[] = [];
    const ends: number[] = [];
    const ac = this.automaton();
    if (!ac) return { starts, ends, open: 0 };
    const { patterns, ends: nodeEnds, dict, depth } = ac;
    const n = text.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      s = ac.step(s, text.charCodeAt(i));
      for (let o = dict[s]!; o > 0; o = dict[ac.fail[o]!]!) {
        for (const idx of nodeEnds.get(o)!) {
          const p = patterns[idx]!;
          const len = p.text.length;
          const start = i + 1 - len;
          if (p.bound === 3 || p.bound === 4) {
            // A line break: whitespace, the end of the text, or an escaped \n in JSON.
            if (p.bound === 3) {
              const next = i + 1 < n ? text.charCodeAt(i + 1) : after;
              if (!isBreak(next) && next !== 92 /* \\ */) continue;
            } else {
              const prev = start > 0 ? text.charCodeAt(start - 1) : before;
              if (!isBreak(prev) && !(prev === 110 /* n */ && start > 1 && text.charCodeAt(start - 2) === 92)) continue;
            }
          } else if (p.bound !== 0) {
            const first = p.text.charCodeAt(0);
            const last = p.text.charCodeAt(len - 1);
            const prev = start > 0 ? text.charCodeAt(start - 1) : before;
            const next = i + 1 < n ? text.charCodeAt(i + 1) : after;
            if (isWordChar(first, p.bound) && isWordChar(prev, p.bound)) continue;
            if (isWordChar(last, p.bound) && isWordChar(next, p.bound)) continue;
          }
          let st = start;
          while (ends.length && st <= ends[ends.length - 1]!) {
            st = Math.min(st, starts.pop()!);
            ends.pop();
          }
          starts.push(st);
          ends.push(i + 1);
        }
      }
    }
    return { starts, ends, open: depth[s]! };
  }

  private apply(text: string, sc: Scan, upTo: number): string {
    if (!sc.starts.length) return text.slice(0, upTo);
    let out = '';
    let last = 0;
    for (let k = 0; k < sc.starts.length && sc.starts[k]! < upTo; k++) {
      out += text.slice(last, sc.starts[k]) + MASK;
      last = sc.ends[k]!;
    }
    return out + text.slice(last, upTo);
  }

  /** Mask URL passwords (after secrets: MASK holds no delimiter, so URLs still parse). */
  private static urls(text: string): string {
    const found = findUserinfos(text);
    if (!found.length) return text;
    let out = '';
    let last = 0;
    for (const u of found) {
      if (u.passwordStart === undefined || u.passwordStart === u.end) continue;
      if (text.slice(u.passwordStart, u.end) === MASK) continue;
      out += text.slice(last, u.passwordStart) + MASK;
      last = u.end;
    }
    return out + text.slice(last);
  }

  /** The text with every registered secret (in every form) and every URL password masked. Linear time. */
  redact(text: string, ctx: { before?: number; after?: number } = {}): string {
    if (!text) return text;
    const sc = this.scan(text, ctx.before ?? -1, ctx.after ?? -1);
    return Redactor.urls(this.apply(text, sc, text.length));
  }

  /**
   * For text that arrives in chunks: masks what can be decided now and holds back the tail that may be
   * the start of a secret (or of a URL's credentials) continued by the next chunk.
   */
  stream(): StreamRedactor {
    return new StreamRedactor(this);
  }

  /** @internal for StreamRedactor */
  _split(text: string, before: number): { out: string; rest: string; last: number } {
    const sc = this.scan(text, before, -1);
    let cut = Math.min(text.length - sc.open, openUrlTail(text));
    // Never cut through a range being masked: hold the whole range back.
    for (let k = sc.starts.length - 1; k >= 0; k--) {
      if (sc.starts[k]! < cut && sc.ends[k]! > cut) cut = sc.starts[k]!;
      else if (sc.ends[k]! <= cut) break;
    }
    const out = Redactor.urls(this.apply(text, sc, cut));
    return { out, rest: text.slice(cut), last: cut > 0 ? text.charCodeAt(cut - 1) : before };
  }

  /** Deep-redact the strings (keys included) inside a JSON-able value; the structure stays as it was. */
  redactValue<T>(v: T): T {
    const walk = (x: unknown): unknown => {
      if (typeof x === 'string') return this.redact(x);
      if (Array.isArray(x)) return x.map(walk);
      if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, val]) => [this.redact(k), walk(val)]));
      return x;
    };
    return walk(v) as T;
  }
}

/** Masking for a stream of chunks: feed() returns what is safe to write now; end() the rest. */
export class StreamRedactor {
  private pending = '';
  private before = -1;
  constructor(private readonly r: Redactor) {}

  get held(): number {
    return this.pending.length;
  }

  feed(chunk: string): string {
    const text = this.pending + chunk;
    if (!text) return '';
    const { out, rest, last } = this.r._split(text, this.before);
    this.pending = rest;
    this.before = last;
    return out;
  }

  end(): string {
    const text = this.pending;
    this.pending = '';
    const out = this.r.redact(text, { before: this.before });
    this.before = text ? text.charCodeAt(text.length - 1) : this.before;
    return out;
  }
}

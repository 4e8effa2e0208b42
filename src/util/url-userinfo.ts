// The one parser for credentials in a URL (`scheme://user:password@host`). Every question "does this
// URL hold a password, and which" is answered here. Like WHATWG URL parsers, the authority is split at
// its LAST `@`, so `http://bob:Pr0xy@Pa55@host:3128` is user `bob`, password `Pr0xy@Pa55`.
// Linear in the input's length: no backtracking regex.
import { spanMask, type Span, type SpanMask } from './mask-spans.js';

export const URL_MASK = '********';

export interface UrlUserinfo {
  /** The user part, as written (percent-encoded). */
  user: string;
  /** The password part as written, or undefined when the userinfo has no `:`. */
  password?: string;
  /** Offsets into the scanned text: the userinfo spans [start, end) (the `@` is at `end`). */
  start: number;
  end: number;
  /** Offset of the password's first character (after the `:`), when there is one. */
  passwordStart?: number;
}

const isSchemeChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 /* + */ || c === 46 /* . */ || c === 45; /* - */

/**
 * Characters that end an authority in free text: whitespace, `/ ? #` (path, query, fragment), and
 * characters that cannot appear raw in a URL but do delimit one in text (`" < > \` and backtick).
 */
function endsAuthority(c: number): boolean {
  return c <= 32 || c === 47 || c === 63 || c === 35 || c === 34 || c === 60 || c === 62 || c === 92 || c === 96 || c === 127;
}

/**
 * Every userinfo in `text`: for each `://`, the authority after it, split at its last `@`. A scheme
 * before `://` is not required (a URL cut in two by a stream still counts). Linear: each character is
 * visited a bounded number of times.
 */
export function findUserinfos(text: string, ends: (c: number) => boolean = endsAuthority): UrlUserinfo[] {
  const out: UrlUserinfo[] = [];
  let from = 0;
  for (;;) {
    const i = text.indexOf('://', from);
    if (i < 0) return out;
    const start = i + 3;
    let j = start;
    let at = -1;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (ends(c)) break;
      if (c === 64 /* @ */) at = j;
      j++;
    }
    if (at > start) {
      let colon = start;
      while (colon < at && text.charCodeAt(colon) !== 58 /* : */) colon++;
      const hasPw = colon < at;
      out.push({
        user: text.slice(start, hasPw ? colon : at),
        ...(hasPw ? { password: text.slice(colon + 1, at), passwordStart: colon + 1 } : {}),
        start,
        end: at,
      });
    }
    from = Math.max(j, start);
  }
}

/**
 * Where one value's authority ends: only at `/ ? #`, whitespace or a control character. A value is one URL,
 * not text around it: `" < > \` and a backtick, which end a URL in free text, are part of it here (a password
 * written with them unencoded is still a password: `http://bob:pr0x\yP4ss@proxy:3128`).
 */
function endsValueAuthority(c: number): boolean {
  return c <= 32 || c === 47 || c === 63 || c === 35 || c === 127;
}

/**
 * Whether a value holds a URL with a password anywhere in it, read as a client reading a setting would: its
 * authority runs to the first `/ ? #` (a space, a quote or a backslash in a password is still the password:
 * libpq and Python read `postgresql://u:Hunter2 Pw@h/db` so), split at its last `@`. Broader than the free-text
 * parser on purpose: it decides whether a whole value is kept secret, where a false alarm only masks more.
 * Linear: each character is visited a bounded number of times.
 */
export function valueHasUrlPassword(v: string): boolean {
  return findUserinfos(v, (c) => c === 47 || c === 63 || c === 35).some((u) => u.password);
}

/** The credentials of one URL (a whole value: the first `://` in it), or undefined when it has none. */
export function parseUserinfo(url: string): UrlUserinfo | undefined {
  const i = url.indexOf('://');
  if (i < 0) return undefined;
  // Only the URL's own scheme counts: `x` in `x://` must start the string.
  for (let k = 0; k < i; k++) if (!isSchemeChar(url.charCodeAt(k))) return undefined;
  const first = findUserinfos(url, endsValueAuthority)[0];
  return first && first.start === i + 3 ? first : undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Does this URL carry a password (`user:password@`)? */
export function hasPassword(url: string): boolean {
  return parseUserinfo(url)?.password !== undefined;
}

/** The password of a URL as written and percent-decoded (deduplicated; empty when there is none). */
export function urlPasswords(url: string): string[] {
  const p = parseUserinfo(url)?.password;
  if (!p) return [];
  return [...new Set([p, decode(p)])];
}

/** The secrets a URL holds: its password (raw and decoded). A user alone is not treated as a secret. */
export const urlSecrets = urlPasswords;

/** One URL with its password masked: `http://bob:Pr0xy@Pa55@host` -> `http://bob:********@host`. */
export function maskUrl(url: string): string {
  const u = parseUserinfo(url);
  return u?.passwordStart === undefined ? url : url.slice(0, u.passwordStart) + URL_MASK + url.slice(u.end);
}

/**
 * Free text with the password of every URL in it masked (the user is kept: it names the account).
 * Linear in the text's length.
 */
export function maskUrlCredentials(text: string, mask = URL_MASK): string {
  const found = findUserinfos(text);
  if (!found.length) return text;
  let out = '';
  let last = 0;
  for (const u of found) {
    if (u.passwordStart === undefined) continue;
    out += text.slice(last, u.passwordStart) + mask;
    last = u.end;
  }
  return out + text.slice(last);
}

/**
 * The parts maskUrlCredentialsTyped masks: the password of every URL in the text (an empty one too: the mask
 * is drawn there), or, with none, the password on its way in of a URL being typed (`scheme://user:pa` with no
 * `@` yet, where what follows the `:` is not a port, digits): from the `:` to the end of its authority.
 */
export function urlCredentialSpansTyped(text: string): Span[] {
  const found = findUserinfos(text).flatMap((u): Span[] => (u.passwordStart === undefined ? [] : [[u.passwordStart, u.end]]));
  if (found.length) return found;
  const i = text.indexOf('://');
  if (i < 0) return [];
  const start = i + 3;
  let end = start;
  while (end < text.length && !endsAuthority(text.charCodeAt(end))) end++;
  const authority = text.slice(start, end);
  const colon = authority.indexOf(':');
  if (authority.startsWith('[') || colon < 0 || /^[0-9]*$/.test(authority.slice(colon + 1))) return [];
  return [[start + colon + 1, end]];
}

/**
 * As maskUrlCredentials, and also for a URL being typed: `scheme://user:pa` with no `@` yet, where what
 * follows the `:` is not a port (digits), is a password on its way in: masked from the `:` on.
 */
export const maskUrlCredentialsTyped: SpanMask = spanMask(urlCredentialSpansTyped, URL_MASK);

/**
 * For a stream: the offset from which `text` must be held back because a URL's credentials may still be
 * coming (its authority runs to the end of the text, or the text ends in `:` / `:/`). text.length if none.
 */
export function openUrlTail(text: string): number {
  const n = text.length;
  if (text.endsWith(':')) return n - 1;
  if (text.endsWith(':/')) return n - 2;
  const i = text.lastIndexOf('://');
  if (i < 0) return n;
  for (let j = i + 3; j < n; j++) if (endsAuthority(text.charCodeAt(j))) return n;
  return i;
}

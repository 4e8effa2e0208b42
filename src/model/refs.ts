// Secret references: every secret field takes a literal, `env:NAME` or `file:PATH`.
// Resolution happens while the zod schema parses, through a context that parseModel() sets.
import { homeOf } from './home.js';
import { dirname, resolve } from 'node:path';
import { realpathSync, statSync } from 'node:fs';
import { shellQuote } from '../util/shell.js';
import { expandTilde } from '../util/paths.js';
import { shortSecretWarning } from '../util/redact.js';
import { urlSecrets } from '../util/url-userinfo.js';
import { readBoundedText } from '../util/bounded-read.js';
import { LIMITS } from './limits.js';

export interface ResolveContext {
  env: NodeJS.ProcessEnv;
  /** Directory that relative `file:` paths are resolved against (the preset's directory, or cwd). */
  baseDir: string;
  home: string;
  /** Every secret value resolved so far: the redactor masks these in all output. */
  secrets: Set<string>;
  /** Warnings found while resolving (a secret too short to mask reliably). */
  warnings?: string[];
  /**
   * Reading back what an install holds, for a command that acts on it as it is (start, status, doctor):
   * a check added after the install was made does not make it unreadable. An install run checks it all.
   */
  lenient?: boolean;
}

let current: ResolveContext | undefined;

/** Whether the model being parsed is an install's read-back for a command that acts on it as it is. */
export function readingLeniently(): boolean {
  return Boolean(current?.lenient);
}

export function withResolveContext<T>(ctx: ResolveContext, fn: () => T): T {
  const prev = current;
  current = ctx;
  try {
    return fn();
  } finally {
    current = prev;
  }
}


export type RefResult = { ok: true; value: string } | { ok: false; message: string };

export function isRef(s: string): boolean {
  return /^(env|file):/.test(s);
}

/**
 * What a reference gives ends where its line does: one line break at its end (LF, CRLF, or the CR that
 * `$(cat file)` leaves of a file saved on Windows) is not part of the value. A file's last line has one, and
 * so has a variable filled by a secrets manager or `echo`: kept, it went into a Secret or config.json, and
 * the database or the proxy refused the password. Only the one: a value of several lines keeps the others.
 */
function withoutLineEnd(v: string): string {
  return v.replace(/(?:\r\n|\n|\r)$/, '');
}

/** What `env:NAME` gives: the variable without one line break at its end; undefined when it is not set ('' when empty). */
export function envRefValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const set = env[name];
  return set === undefined ? undefined : withoutLineEnd(set);
}

/** Resolve `env:NAME` / `file:PATH` / literal. Never includes the value in an error message. */
export function resolveRef(raw: string): RefResult {
  const ctx = current;
  if (raw.startsWith('env:')) {
    const name = raw.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      return { ok: false, message: `"${raw}" is not a valid env reference; use env:NAME` };
    }
    const v = ctx ? envRefValue(ctx.env, name) : undefined;
    // (never "pass the value with --set": a secret on the command line is what env: and file: avoid)
    if (v === undefined || v === '') {
      return { ok: false, message: `environment variable ${name} is ${v === '' ? 'empty' : 'not set'}; export ${name}=... first, or give file:PATH instead` };
    }
    return { ok: true, value: v };
  }
  if (raw.startsWith('file:')) {
    const p = raw.slice(5);
    if (!p) return { ok: false, message: `"${raw}" names no file; use file:PATH` };
    const full = resolve(ctx?.baseDir ?? process.cwd(), expandTilde(p, ctx?.home ?? homeOf()));
    // Regular files only, at most LIMITS.fileBytes, strict UTF-8: file:/dev/zero or a FIFO fails at once.
    const r = readBoundedText(full, LIMITS.fileBytes);
    if (!r.ok) {
      const fix = r.why === 'does not exist' ? 'create it or fix the file: path' : `point file: at a regular UTF-8 file of at most ${LIMITS.fileBytes} bytes`;
      return { ok: false, message: `file ${full} ${r.why}; ${fix}` };
    }
    const v = withoutLineEnd(r.text);
    if (!v) return { ok: false, message: `file ${full} is empty` };
    const open = readableByAll(r.path);
    if (open) addWarning(`the secret in ${open.path} can be read by every user of this host (mode ${open.mode.toString(8).padStart(4, '0')}, and each folder above it open to them); make it yours alone: chmod 600 ${shellQuote(open.path)}`);
    return { ok: true, value: v };
  }
  return { ok: true, value: raw };
}

/**
 * A secret file that every user of this host may read (readable by others, and every folder above it
 * searchable by them), as ssh asks of a key: its real path and mode, for a warning, not a refusal (the
 * secret is read, and a chmod mends it). Undefined when it is not, or when that cannot be told.
 */
function readableByAll(given: string): { path: string; mode: number } | undefined {
  try {
    // the file a link leads to, in the folders it is in (others reach it there, whatever the link's are)
    const path = realpathSync(given);
    const mode = statSync(path).mode & 0o7777;
    if (!(mode & 0o004)) return undefined;
    for (let d = dirname(path); ; d = dirname(d)) {
      if (!(statSync(d).mode & 0o001)) return undefined;
      if (d === dirname(d)) return { path, mode };
    }
  } catch {
    return undefined;
  }
}

/** A warning of the model being read (said once, with the others). */
export function addWarning(w: string): void {
  if (current?.warnings && !current.warnings.includes(w)) current.warnings.push(w);
}

/** Register a secret for masking; `field` names it in the warning given when it is too short to mask reliably. */
export function registerSecret(value: string, field?: string): void {
  if (!value || !current) return;
  current.secrets.add(value);
  const w = field === undefined ? undefined : shortSecretWarning(field, value);
  if (w && current.warnings && !current.warnings.includes(w)) current.warnings.push(w);
}

/** Credentials inside a URL (`http://user:pass@host`) are secrets too. */
export function registerUrlCredentials(url: string): void {
  for (const s of urlSecrets(url)) registerSecret(s);
}

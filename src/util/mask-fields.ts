// Structure first: where the shape of the output is known, a secret field is masked whole, whatever its
// value looks like (short, common, multi-line). Substring masking (Redactor.redact) stays as the net.
import { dump, loadAll } from 'js-yaml';
import { CORE_SCHEMA } from 'js-yaml';
import { MASK, Redactor } from './redact.js';
import { maskUrlCredentials } from './url-userinfo.js';

export { maskUrl } from './url-userinfo.js';

/** A path into a document; `'*'` matches every key of a mapping or every item of a list. */
export type FieldPath = readonly (string | number)[];

function maskAt(node: unknown, path: FieldPath, i: number): unknown {
  if (i === path.length) return node === undefined || node === null ? node : MASK;
  if (node === null || typeof node !== 'object') return node;
  const key = path[i]!;
  if (Array.isArray(node)) {
    return node.map((v, k) => (key === '*' || key === k || key === String(k) ? maskAt(v, path, i + 1) : v));
  }
  const obj = node as Record<string, unknown>;
  const out: Record<string, unknown> = { ...obj };
  for (const k of Object.keys(obj)) if (key === '*' || key === k) out[k] = maskAt(obj[k], path, i + 1);
  return out;
}

/** A copy of a JSON-able value with the value at each path (a subtree too) replaced by MASK. */
export function maskPaths<T>(value: T, paths: readonly FieldPath[]): T {
  let out: unknown = value;
  for (const p of paths) out = maskAt(out, p, 0);
  return out as T;
}

/** A JSON document with the values at `paths` masked; text that is not JSON is returned redacted as text. */
export function maskJsonPaths(text: string, paths: readonly FieldPath[], r?: Redactor): string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return r ? r.redact(text) : text;
  }
  const masked = maskPaths(v, paths);
  const out = JSON.stringify(masked, null, /\n\s/.test(text) ? 2 : undefined);
  return r ? r.redact(out) : out;
}

/** A YAML stream (one or more documents) with the values at `paths` masked in every document. */
export function maskYamlPaths(text: string, paths: readonly FieldPath[] | ((doc: unknown) => readonly FieldPath[]), r?: Redactor): string {
  let docs: unknown[];
  try {
    docs = loadAll(text, undefined, { schema: CORE_SCHEMA });
  } catch {
    // Not YAML we can read: never quote it unmasked.
    return r ? r.redact(text) : text;
  }
  const out = docs
    .map((d) => maskPaths(d, typeof paths === 'function' ? paths(d) : paths))
    .map((d) => dump(d, { lineWidth: -1, indent: 2, noRefs: true, quotingType: '"' }))
    .join('---\n');
  return r ? r.redact(out) : out;
}

/** The data of every Kubernetes Secret in a manifest stream: `data.*` and `stringData.*`. */
export function secretManifestPaths(doc: unknown): FieldPath[] {
  if (!doc || typeof doc !== 'object' || (doc as { kind?: unknown }).kind !== 'Secret') return [];
  return [
    ['data', '*'],
    ['stringData', '*'],
  ];
}

/** The values at `paths` in a document (strings, and the strings inside a subtree). */
export function valuesAt(doc: unknown, paths: readonly FieldPath[]): string[] {
  const out: string[] = [];
  const collect = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
    else if (v && typeof v === 'object') for (const x of Object.values(v)) collect(x);
  };
  const walk = (node: unknown, path: FieldPath, i: number) => {
    if (i === path.length) return collect(node);
    if (!node || typeof node !== 'object') return;
    const key = path[i]!;
    for (const [k, v] of Object.entries(node)) if (key === '*' || String(key) === k) walk(v, path, i + 1);
  };
  for (const p of paths) walk(doc, p, 0);
  return out;
}

/** In block-style YAML (what toYaml writes), the values under top-level `data:`/`stringData:` of Secret documents, masked line by line in place. */
function maskSecretDataInPlace(text: string): string {
  return text
    .split(/^(?=---\s*$)/m)
    .map((doc) => {
      if (!/^kind:\s*Secret\s*$/m.test(doc)) return doc;
      let inData = false;
      let childIndent = -1;
      let blockIndent = -1;
      return doc
        .split('\n')
        .map((line) => {
          const indent = line.length - line.trimStart().length;
          if (blockIndent >= 0) {
            if (line.trim() === '') return line;
            if (indent > blockIndent) return `${line.slice(0, indent)}${MASK}`;
            blockIndent = -1;
          }
          if (indent === 0 && line.trim() !== '') {
            inData = /^(data|stringData):\s*$/.test(line);
            childIndent = -1;
            return line;
          }
          if (!inData || line.trim() === '') return line;
          if (childIndent < 0) childIndent = indent;
          if (indent !== childIndent) return line;
          const m = /^(\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:#]+)):(\s*)(.*)$/.exec(line);
          if (!m) return line;
          if (/^[|>][-+0-9]*\s*$/.test(m[3]!)) {
            blockIndent = childIndent;
            return line;
          }
          return m[3] ? `${m[1]}:${m[2] || ' '}${MASK}` : line;
        })
        .join('\n');
    })
    .join('');
}

// MASK is not a YAML plain scalar (`*` starts an alias): checks parse the masked text with this instead.
const PLACEHOLDER = 'HD_SETUP_MASKED_VALUE';
const maskedWhole = (v: string) => v.split('\n').every((l) => l === PLACEHOLDER || l === '');

/**
 * A manifest stream as written, with every Kubernetes Secret's values (`data`, `stringData`) masked
 * whole, whatever they look like (short, punctuation, multi-line), and everything else redacted. The
 * layout is kept (each line of a block scalar becomes MASK); when the text is not in the block style
 * that allows this, the documents are written again with the values masked.
 */
export function maskSecretManifests(text: string, r?: Redactor): string {
  const base = r ?? new Redactor();
  // Block style, flow style or JSON: anything that may hold a Secret is parsed.
  if (!/\bkind["']?\s*:\s*["']?Secret\b/.test(text)) return base.redact(text);
  let docs: unknown[];
  try {
    docs = loadAll(text, undefined, { schema: CORE_SCHEMA });
  } catch {
    return base.redact(text);
  }
  const values = docs.flatMap((d) => valuesAt(d, secretManifestPaths(d)));
  const inPlace = maskSecretDataInPlace(text);
  try {
    const check = loadAll(inPlace.split(MASK).join(PLACEHOLDER), undefined, { schema: CORE_SCHEMA }).flatMap((d) => valuesAt(d, secretManifestPaths(d)));
    if (check.length === values.length && check.every(maskedWhole)) return base.with(values).redact(inPlace);
  } catch {
    /* fall through */
  }
  return base.with(values).redact(maskYamlPaths(text, secretManifestPaths));
}

/**
 * An env-file (`NAME=value` lines) with values masked: those of `names`, and any that holds a registered
 * secret (or a URL password). Comments and blank lines are kept.
 */
export function maskEnvFile(text: string, names: Iterable<string> = [], r?: Redactor): string {
  const secretNames = new Set(names);
  return text
    .split('\n')
    .map((line) => {
      const m = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/.exec(line);
      if (!m) return r ? r.redact(line) : line;
      const value = m[3]!;
      const unquoted = value.replace(/^(['"])(.*)\1$/, '$2');
      const secret = secretNames.has(m[2]!) || (r !== undefined && (r.isSecret(unquoted) || r.leaks(value))) || maskUrlCredentials(value) !== value;
      return secret && value !== '' ? `${m[1]}${m[2]}=${MASK}` : line;
    })
    .join('\n');
}

/**
 * An argv for display with secrets masked by element: an element that is a secret becomes MASK, a
 * `--flag=value` or `NAME=value` element whose value holds a secret keeps its name, anything else is
 * redacted as text.
 */
export function maskArgv(argv: readonly string[], r: Redactor): string[] {
  return argv.map((a) => {
    if (r.isSecret(a)) return MASK;
    const eq = a.indexOf('=');
    if (eq > 0) {
      const value = a.slice(eq + 1);
      if (r.isSecret(value)) return `${a.slice(0, eq + 1)}${MASK}`;
    }
    return r.redact(a);
  });
}

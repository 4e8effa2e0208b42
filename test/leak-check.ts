// What the leak batteries (test/leak-battery.test.ts on the stub runtimes, test/k8s-real/leak-battery.test.ts
// against the real helm and kubectl) look for, and how they watch a run's argv.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from './helpers.js';

export const RUN = Math.random().toString(36).slice(2, 8);
export const b64 = (s: string) => Buffer.from(s).toString('base64');
export const tokenOf = (secretPart: string) => b64(`clever_tiger:${secretPart}`);

// Secrets of every shape, unique to this run.
// Proxy passwords with every awkward character, percent-encoded as a URL must carry them; a raw `@` and `&` too.
export const PROXY_PW_RAW = `Pr0xy@${RUN}&%22%27%24%23%5C%20%3A%2F%25%3C%3Ex`; // & < >: Go's JSON (helm, kubectl) spells them \u0026 \u003c \u003e
export const PROXY_PW = decodeURIComponent(PROXY_PW_RAW);
export const PROXY = `http://bob:${PROXY_PW_RAW}@proxy.internal:3128`;
export const PROXY2_PW = `second-proxy-pw-${RUN}`;
export const PROXY2 = `http://alice:${PROXY2_PW}@proxy2.internal:3128`;
export const USER_ONLY = 'http://bob@proxy.internal:3128';

export const SPECIAL_PART = `S3cr3t ${RUN} @:/%"'$#\\&<> end`;
export const LONG_PART = `L${RUN}${'k'.repeat(4096)}`;
export const B64_CLIENT = b64(`client-secret-bytes-${RUN}-\u0001\u00ff`);
export const PRIVATE_KEY = 'password1'; // a common word: masked inside other words too
export const TWO_LINES = `first-line-${RUN}\nsecond-line-${RUN}`;
export const JSON_LITERAL = `unquotedLiteral${RUN}`;

/** Every spelling of a secret a reader could turn back into it. */
export function spellings(secret: string): string[] {
  const j = JSON.stringify(secret).slice(1, -1);
  const out = new Set([secret, j, JSON.stringify(j).slice(1, -1), encodeURIComponent(secret), b64(secret).replace(/=+$/, '')]);
  for (const line of secret.split('\n')) if (line.trim().length >= 8) out.add(line.trim());
  return [...out];
}

/**
 * The text with JSON's \uXXXX escapes read (Go's JSON, helm's and kubectl's, writes & < > so; Python's
 * every non-ASCII character), at every depth of nesting: what a reader of the file would see.
 */
function unescaped(text: string): string {
  let t = text;
  for (let i = 0; i < 3 && /\\+u[0-9a-fA-F]{4}/.test(t); i++) t = t.replace(/\\+u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return t;
}

/** The first spelling of a secret found in the text, with what is around it; undefined when none is. */
export function firstLeak(text: string, secrets: readonly string[]): string | undefined {
  const texts = [...new Set([text, unescaped(text)])];
  for (const secret of secrets) {
    for (const s of spellings(secret)) {
      for (const t of texts) {
        const i = t.indexOf(s);
        if (i >= 0) return `leaked ${JSON.stringify(s.slice(0, 40))}${t === text ? '' : ' (as \\u escapes)'}: ...${JSON.stringify(t.slice(Math.max(0, i - 60), i + Math.min(s.length, 40) + 20))}...`;
      }
    }
  }
  return undefined;
}

export function expectAbsent(where: string, text: string, secrets: readonly string[]): void {
  const leak = firstLeak(text, secrets);
  if (leak) throw new Error(`${where}: ${leak}`);
}

/** A secret shorter than 8 is masked as a whole word: it never stands as a token of its own. */
export function expectNoToken(where: string, text: string, short: readonly string[]): void {
  for (const s of short) {
    const esc = s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`(^|[^\\p{L}\\p{N}_])${esc}(?=[^\\p{L}\\p{N}_]|$)`, 'u').exec(text);
    if (m) throw new Error(`${where}: leaked the token ${s}: ...${JSON.stringify(text.slice(Math.max(0, m.index - 60), m.index + 60))}...`);
  }
}

export interface SampledRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The argv of the CLI and of every process under it (helm, kubectl, the runtime), sampled every 5 ms. */
  argvs: string[];
}

/** The built CLI as a child process, while sampling /proc/<pid>/cmdline of it and everything it starts. */
export function runSampled(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<SampledRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const argvs = new Set<string>();
    const sweep = () => {
      const parent = new Map<number, number>();
      for (const p of readdirSync('/proc')) {
        if (!/^\d+$/.test(p)) continue;
        try {
          const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
          parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
        } catch {
          /* gone */
        }
      }
      for (const [pid] of parent) {
        let q: number | undefined = pid;
        for (let hops = 0; q && q !== child.pid && hops < 20; hops++) q = parent.get(q);
        if (q !== child.pid) continue;
        try {
          argvs.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
        } catch {
          /* gone */
        }
      }
    };
    const timer = setInterval(sweep, 5);
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      clearTimeout(kill);
      resolveRun({ code: code ?? (signal ? 128 : -1), stdout, stderr, argvs: [...argvs] });
    });
  });
}

/** Every file under a directory (symlinks not followed), with its mode. */
export function walk(dir: string): { path: string; mode: number }[] {
  const out: { path: string; mode: number }[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) out.push(...walk(p));
    else if (st.isFile()) out.push({ path: p, mode: st.mode & 0o777 });
  }
  return out;
}

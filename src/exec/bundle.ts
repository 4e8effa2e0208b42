// The diagnostics bundle (doctor --bundle), like upstream hd-debug.sh: versions, inspect, logs tail and
// config, every secret redacted, in a 0600 .tar.gz. The staging directory is removed on every path.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { tempDir } from '../util/tempdir.js';
import { UserError } from '../model/errors.js';
import type { Location } from '../model/base.js';
import type { Redactor } from '../util/redact.js';
import { maskEnvFile, maskJsonPaths } from '../util/mask-fields.js';
import { settingHoldsSecret } from '../model/secret-names.js';
import { MASK } from '../util/redact.js';
import { run } from './run.js';
import { BUNDLE_TOP, writeOutputFile } from '../util/paths.js';

export interface BundleInput {
  location: Location;
  /** The install as a preset with secrets as references. */
  presetYaml: string;
  doctorJson: string;
  runtimeBin: string;
  containers: string[];
  /** Files of the install to include (redacted). */
  files: string[];
  /**
   * The keys under which those files hold a secret (the registry's `secretConfigKeys`): such an env-file line
   * or JSON field is masked whole, whatever its value; substring redaction is the net for the rest.
   */
  secretKeys: string[];
  /**
   * The install's configuration file is gone, and with it what its secrets are: every value of the
   * containers' environment is masked (docker inspect shows what an env-file gave them).
   */
  maskAllEnv?: boolean;
}

/**
 * `docker inspect` output with the containers' environment masked by structure: each `NAME=value` whose name
 * is a secret key of the install or says secret, or whose value holds one (a URL with a password), or every
 * one (`all`). Text that is not JSON is given back as it is (the redactor is the net for all of it).
 */
export function maskInspect(text: string, secretKeys: readonly string[], all = false): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (!Array.isArray(parsed)) return text;
  for (const c of parsed) {
    const env = (c as { Config?: { Env?: unknown } })?.Config?.Env;
    if (!Array.isArray(env)) continue;
    (c as { Config: { Env: unknown[] } }).Config.Env = env.map((e) => {
      if (typeof e !== 'string') return e;
      const eq = e.indexOf('=');
      const [name, value] = eq < 0 ? [e, ''] : [e.slice(0, eq), e.slice(eq + 1)];
      return all || secretKeys.includes(name) || settingHoldsSecret(name, value) ? `${name}=${MASK}` : e;
    });
  }
  return `${JSON.stringify(parsed, null, 4)}\n`;
}

/** A config file of the install, structure first: env-file lines and JSON fields by key, then the redactor. */
export function maskConfigFile(name: string, text: string, secretKeys: readonly string[], redactor: Redactor): string {
  if (name.endsWith('.json')) return maskJsonPaths(text, secretKeys.map((k) => [k]), redactor);
  if (name.endsWith('.env')) return maskEnvFile(text, secretKeys, redactor);
  return redactor.redact(text);
}

export async function writeBundle(file: string, b: BundleInput, redactor: Redactor): Promise<string> {
  const staging = tempDir('hd-bundle-'); // holds the files before they are packed: removed on every exit path
  const dir = staging.dir;
  try {
    const root = join(dir, BUNDLE_TOP);
    mkdirSync(root, { mode: 0o700 });
    const put = (name: string, content: string) => writeFileSync(join(root, name), redactor.redact(content), { mode: 0o600 });
    const version = async (argv: string[]) => (await run(argv, { timeoutMs: 10_000 })).stdout.trim();
    put('doctor.json', b.doctorJson);
    put('preset.redacted.yaml', b.presetYaml);
    const loc = b.location;
    if (loc.runtime !== 'kubernetes') {
      const bin = b.runtimeBin;
      put('versions.txt', [`node ${process.version}`, await version([bin, '--version']), await version(['uname', '-a'])].join('\n') + '\n');
      for (const n of b.containers) {
        put(`inspect-${n}.json`, maskInspect((await run([bin, 'container', 'inspect', n], { timeoutMs: 10_000 })).stdout, b.secretKeys, b.maskAllEnv));
        const logs = await run([bin, 'logs', '--tail', '200', n], { timeoutMs: 10_000 });
        put(`logs-${n}.txt`, `${logs.stdout}\n${logs.stderr}`);
      }
    } else {
      const ns = loc.namespace ?? 'default';
      const kctx = loc.context ? ['--context', loc.context] : [];
      const hctx = loc.context ? ['--kube-context', loc.context] : [];
      put('versions.txt', [`node ${process.version}`, await version(['kubectl', ...kctx, 'version', '-o', 'json']), await version(['helm', 'version'])].join('\n') + '\n');
      put('helm-values.json', (await run(['helm', 'get', 'values', loc.release ?? '', '-n', ns, '-o', 'json', ...hctx], { timeoutMs: 10_000 })).stdout);
      put('pods.json', (await run(['kubectl', ...kctx, 'get', 'pods', '-n', ns, '-o', 'json'], { timeoutMs: 10_000 })).stdout);
      put('events.json', (await run(['kubectl', ...kctx, 'get', 'events', '-n', ns, '-o', 'json'], { timeoutMs: 10_000 })).stdout);
    }
    for (const f of b.files) if (existsSync(f)) put(posix.basename(f) + '.redacted', maskConfigFile(posix.basename(f), readFileSync(f, 'utf8'), b.secretKeys, redactor));
    const out = resolve(file);
    const tarball = join(dir, 'bundle.tar.gz');
    const r = await run(['tar', '-czf', tarball, '-C', dir, BUNDLE_TOP], { timeoutMs: 30_000 });
    if (r.exitCode !== 0) throw new Error(`could not write the bundle: ${r.stderr.trim()}`);
    // 0600 whatever the umask; checked again (the checks took a while): a file of the user's is never written over
    const w = writeOutputFile(out, readFileSync(tarball), 0o600, 'bundle', 'hd-setup-diagnostics.tar.gz');
    if ('problem' in w) throw new UserError([{ path: '--bundle', message: w.problem }]);
    return out;
  } finally {
    staging.cleanup();
  }
}

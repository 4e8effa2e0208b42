// The recording fakes of helm and kubectl (test/stubs/k8s), set up per test: their own HOME and state.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SECRET_ENV, cli, type CliResult } from './helpers.js';

export interface Call {
  tool: string;
  argv: string[];
  stdin: string | null;
}

export function fakeK8s(opts: { scenario?: string; pvcs?: string[]; secrets?: string[]; crds?: string[]; nodeLabels?: string; namespaces?: string[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hd-k8s-'));
  const env: NodeJS.ProcessEnv = {
    ...SECRET_ENV,
    PATH: `${join(ROOT, 'test/stubs/k8s/bin')}:${process.env.PATH}`,
    HOME: dir,
    HD_FAKE_LOG: join(dir, 'calls.jsonl'),
    HD_FAKE_STATE: join(dir, 'state.json'),
    HD_FAKE_SCENARIO: opts.scenario ?? 'success',
    HD_FAKE_PVCS: (opts.pvcs ?? ['fivetran/fivetran-data']).join(','),
    HD_FAKE_SECRETS: (opts.secrets ?? []).join(','),
    HD_FAKE_CRDS: (opts.crds ?? []).join(','),
    HD_FAKE_NAMESPACES: (opts.namespaces ?? ['default', 'kube-system']).join(','),
    HD_FAKE_NODE_LABELS: opts.nodeLabels ?? '',
    HD_FAKE_FAST: '1',
  };
  const calls = (): Call[] => (existsSync(env.HD_FAKE_LOG!) ? readFileSync(env.HD_FAKE_LOG!, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call) : []);
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}): CliResult => cli(args, { env: { ...env, ...extra } });
  return { dir, env, calls, run };
}


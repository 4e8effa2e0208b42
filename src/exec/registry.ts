// Where hd-setup installed things: ~/.config/hd-setup/installs.json, so that status, doctor, uninstall,
// start/stop and rollback work from any directory without repeating the preset.
import { posix } from 'node:path';
import type { Model } from '../model/schema.js';
import { installDirOf } from '../plan/index.js';
import { ensureDir, writeFileAtomic } from '../util/fsx.js';
import type { DetectQuery } from './installed.js';
import { readRegistryFile } from './local-state.js';

export interface InstallRecord {
  product: Model['product'];
  runtime: Model['runtime'];
  installDir?: string;
  namespace?: string;
  release?: string;
  context?: string;
  updatedAt: string;
}

function file(home: string): string {
  return posix.join(home, '.config/hd-setup/installs.json');
}

/** The recorded installs; a corrupted file is exit 2 naming it (lenient: drop bad entries, warn, go on). */
export function readRegistry(home: string, lenient?: { warn: (msg: string) => void }): InstallRecord[] {
  return readRegistryFile(file(home), lenient) as InstallRecord[];
}

const rewriting = { warn: (msg: string) => process.stderr.write(`warning: ${msg}\n`) };

export function recordOf(model: Model, home: string, now = new Date()): InstallRecord {
  const k = model.product === 'fivetran' ? model.fivetran?.kubernetes : model.tobiko?.kubernetes;
  return model.runtime === 'kubernetes'
    ? { product: model.product, runtime: model.runtime, namespace: k?.namespace, release: k?.release, ...(k?.context ? { context: k.context } : {}), updatedAt: now.toISOString() }
    : { product: model.product, runtime: model.runtime, installDir: installDirOf(model, home), updatedAt: now.toISOString() };
}

const same = (a: InstallRecord, b: InstallRecord) => a.product === b.product && a.runtime === b.runtime && a.installDir === b.installDir && a.namespace === b.namespace && a.release === b.release;

export function remember(home: string, rec: InstallRecord): void {
  const list = [rec, ...readRegistry(home, rewriting).filter((r) => !same(r, rec))];
  ensureDir(posix.dirname(file(home)), 0o700, false);
  writeFileAtomic(file(home), JSON.stringify(list, null, 2) + '\n', 0o600);
}

export function forget(home: string, rec: InstallRecord): void {
  const list = readRegistry(home, rewriting).filter((r) => !same(r, rec));
  ensureDir(posix.dirname(file(home)), 0o700, false);
  writeFileAtomic(file(home), JSON.stringify(list, null, 2) + '\n', 0o600);
}

export function queryOf(r: InstallRecord): DetectQuery {
  return {
    product: r.product,
    runtime: r.runtime,
    ...(r.installDir ? { installDir: r.installDir } : {}),
    ...(r.namespace ? { namespace: r.namespace } : {}),
    ...(r.release ? { release: r.release } : {}),
    ...(r.context ? { context: r.context } : {}),
  };
}

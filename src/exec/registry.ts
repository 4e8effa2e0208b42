// Where hd-setup installed things: ~/.config/hd-setup/installs.json, so that status, doctor, uninstall,
// start/stop and rollback work from any directory without repeating the preset, and keep the choices
// of the install that are not settings of the agent (checks skipped, --allow-root).
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { RUNTIMES, sameLocation, type Location } from '../model/base.js';
import { UserError } from '../model/errors.js';
import { ensureDir, writeFileAtomic } from '../util/fsx.js';

export interface InstallRecord extends Location {
  /** Preflight checks the user chose to skip for this install (--skip-check): later commands skip them too. */
  skipChecks?: string[];
  /** --allow-root was given for this install. */
  allowRoot?: boolean;
  /** install: the last run finished; started: it began and has not finished (failed or interrupted). */
  state?: 'installed' | 'started';
  updatedAt: string;
}

export function registryFile(home: string): string {
  return posix.join(home, '.config/hd-setup/installs.json');
}

const isStr = (v: unknown) => typeof v === 'string';
const optStr = (v: unknown) => v === undefined || typeof v === 'string';

function valid(r: unknown): r is InstallRecord {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return false;
  const o = r as Record<string, unknown>;
  return (
    isStr(o.product) &&
    RUNTIMES.includes(o.runtime as never) &&
    optStr(o.installDir) &&
    optStr(o.namespace) &&
    optStr(o.release) &&
    optStr(o.context) &&
    (o.skipChecks === undefined || (Array.isArray(o.skipChecks) && o.skipChecks.every(isStr))) &&
    (o.allowRoot === undefined || typeof o.allowRoot === 'boolean')
  );
}

/** The recorded installs. A file that is not what hd-setup writes is reported, never half-read. */
export function readRegistry(home: string): InstallRecord[] {
  const file = registryFile(home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || !list.every(valid)) {
    throw new UserError([{ path: file, message: 'is not a list of installs as hd-setup writes it; fix it, or move it away (hd-setup then finds installs in their default places)' }]);
  }
  return list;
}

export function recordOf(loc: Location, choices: { skipChecks?: string[]; allowRoot?: boolean } = {}, state: InstallRecord['state'] = 'installed', now = new Date()): InstallRecord {
  return {
    ...loc,
    ...(choices.skipChecks?.length ? { skipChecks: [...new Set(choices.skipChecks)].sort() } : {}),
    ...(choices.allowRoot ? { allowRoot: true } : {}),
    state,
    updatedAt: now.toISOString(),
  };
}

export function findRecord(home: string, loc: Location): InstallRecord | undefined {
  return readRegistry(home).find((r) => sameLocation(r, loc));
}

function write(home: string, list: InstallRecord[]): void {
  ensureDir(posix.dirname(registryFile(home)), 0o700, false);
  writeFileAtomic(registryFile(home), JSON.stringify(list, null, 2) + '\n', 0o600);
}

export function remember(home: string, rec: InstallRecord): void {
  write(home, [rec, ...readRegistry(home).filter((r) => !sameLocation(r, rec))]);
}

export function forget(home: string, loc: Location): void {
  write(home, readRegistry(home).filter((r) => !sameLocation(r, loc)));
}

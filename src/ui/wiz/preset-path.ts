// The review's save-as-preset path: its default, and what a typed path means.
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { expandTilde } from '../../util/paths.js';
import { homeOf } from '../../model/home.js';

export const DEFAULT_PRESET_PATH = './hd-setup-preset.yaml';

/** The path typed at the review's save field: trimmed, `~` as the home directory. */
export function presetPath(typed: string, home = homeOf()): string {
  const p = typed.trim();
  return home ? expandTilde(p, home) : p;
}

/** Why a preset cannot be written at `file` (an absolute path), or undefined: its folder must exist. */
export function presetFolderProblem(file: string): string | undefined {
  const dir = dirname(file);
  return existsSync(dir) && statSync(dir).isDirectory() ? undefined : `the folder ${dir} does not exist; create it first, or give a path in an existing folder`;
}

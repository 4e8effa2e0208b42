// The review's save-as-preset path: its default, and what a typed path means.
import { expandTilde, outputFileProblem } from '../../util/paths.js';
import { homeOf } from '../../model/home.js';

export const DEFAULT_PRESET_PATH = './hd-setup-preset.yaml';

/** The path typed at the review's save field: trimmed, `~` as the home directory. */
export function presetPath(typed: string, home = homeOf()): string {
  const p = typed.trim();
  return home ? expandTilde(p, home) : p;
}

/** Why a preset cannot be written at `file` (an absolute path), or undefined: its folder must exist, and a file there must be a preset hd-setup wrote. */
export function presetFolderProblem(file: string): string | undefined {
  return outputFileProblem(file, 'hd-setup-preset.yaml', 'preset');
}

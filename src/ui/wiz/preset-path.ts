// The review's save-as-preset path: its default, and what a typed path means.
import { expandTilde } from '../../util/paths.js';
import { homeOf } from '../../model/home.js';

export const DEFAULT_PRESET_PATH = './hd-setup-preset.yaml';

/** The path typed at the review's save field: trimmed, `~` as the home directory. */
export function presetPath(typed: string, home = homeOf()): string {
  const p = typed.trim();
  return home ? expandTilde(p, home) : p;
}

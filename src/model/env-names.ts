// HD_SETUP_* variables: options (HD_SETUP_FIVETRAN__KUBERNETES__NAMESPACE=...) and the tool's own
// switches, which name no option. Kept apart from load.ts so that the wizard's fast path can ask
// "were options given in the environment?" without loading the model.
export const ENV_PREFIX = 'HD_SETUP_';

/** The tool's own switches: never read as options. */
export const CONTROL_VARS = new Set(['HD_SETUP_DEBUG', 'HD_SETUP_WIZARD_EXIT_AFTER_FIRST_FRAME', 'HD_SETUP_KEEP_BACKUPS', 'HD_SETUP_LOCK_WAIT_MS', 'HD_SETUP_STUCK_GRACE_MS']);

/** The HD_SETUP_* names in env that are meant as options. */
export function optionVarNames(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((n) => n.startsWith(ENV_PREFIX) && !CONTROL_VARS.has(n))
    .sort();
}

/**
 * The settings this run took from HD_SETUP_* variables (a path as `a.b[0]` names it -> the variable), so that
 * an error about one names the variable that gave it, not a --set the user never typed. Filled as the preset
 * is built (model/load.ts buildRaw); a --set of the same path takes it back (the --set wins).
 */
const fromEnv = new Map<string, string>();
/** The settings a --set gave (it wins over a variable for the setting and what is under it). */
const fromSet = new Set<string>();

const covers = (p: string, path: string) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`);

export function noteFromEnv(path: string, name: string | undefined): void {
  if (name === undefined) {
    fromEnv.delete(path);
    fromSet.add(path);
  } else fromEnv.set(path, name);
}

/** The HD_SETUP_* variable that gave the setting at `path` (or a setting around it: a list given whole). */
export function variableFor(path: string): string | undefined {
  for (const p of fromSet) if (covers(p, path)) return undefined;
  for (const [p, name] of fromEnv) if (covers(p, path)) return name;
  return undefined;
}

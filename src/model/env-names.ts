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

// Start on boot: the systemd user unit and linger, read for real (systemctl --user, loginctl) and told
// truthfully. A user unit starts at boot only when it is enabled AND the user lingers (without linger the
// user manager starts at the first login, not at boot).
import type { CheckReport } from './events.js';
import { run } from './run.js';
import { which } from '../util/which.js';

export type Linger = 'yes' | 'no' | 'unknown';

export interface BootState {
  unit: string;
  user: string;
  /** `systemctl --user` answers (a user manager runs for this user). */
  systemdUser: boolean;
  /** `systemctl --user is-enabled`: enabled, disabled, generated, not-found, ... or unknown. */
  enabled: string;
  /** `systemctl --user is-active`: active, inactive, failed, activating, ... or unknown. */
  active: string;
  linger: Linger;
}

/**
 * Thrown by an action to end its step as skipped, with the reason, and a warning in the summary; without a
 * warning when the step found everything as it should be (no change, nothing to do about it).
 */
export class StepSkipped extends Error {
  constructor(
    readonly reason: string,
    readonly warning?: string,
  ) {
    super(reason);
  }
}

const T = 5000;

export async function lingerOf(user: string, env: NodeJS.ProcessEnv = process.env): Promise<Linger> {
  const bin = which('loginctl', env.PATH);
  if (!bin) return 'unknown';
  const r = await run([bin, 'show-user', user, '--property=Linger'], { timeoutMs: T });
  if (r.exitCode === 0 && !r.failure) {
    if (/^Linger=yes$/m.test(r.stdout)) return 'yes';
    if (/^Linger=no$/m.test(r.stdout)) return 'no';
  }
  // loginctl knows only users with a session or linger: "User X is not logged in or lingering" = no linger.
  if (/not logged in or lingering/i.test(r.stderr)) return 'no';
  // logind did not answer (no systemd, no D-Bus): linger cannot be known.
  return 'unknown';
}

async function systemctlUser(args: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; out: string }> {
  const bin = which('systemctl', env.PATH);
  if (!bin) return { ok: false, out: '' };
  const r = await run([bin, '--user', ...args], { timeoutMs: T });
  return { ok: r.exitCode === 0 && !r.failure, out: r.failure ? '' : r.stdout.trim().split('\n')[0] ?? '' };
}

export async function hasSystemdUser(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return (await systemctlUser(['show-environment'], env)).ok;
}

export async function readBootState(unit: string, user: string, env: NodeJS.ProcessEnv = process.env): Promise<BootState> {
  const [sd, linger] = await Promise.all([hasSystemdUser(env), lingerOf(user, env)]);
  if (!sd) return { unit, user, systemdUser: false, enabled: 'unknown', active: 'unknown', linger };
  // is-enabled / is-active exit non-zero for disabled / inactive, and still print the state.
  const [enabled, active] = await Promise.all([systemctlUser(['is-enabled', unit], env), systemctlUser(['is-active', unit], env)]);
  return { unit, user, systemdUser: true, enabled: enabled.out || 'not-found', active: active.out || 'unknown', linger };
}

/** The exact commands that make the unit start at boot, for this state. */
export function bootCommands(s: Pick<BootState, 'unit' | 'user' | 'enabled' | 'linger'>, generated = s.enabled === 'generated'): string[] {
  const cmds: string[] = [];
  // A unit Quadlet generates is enabled by its file's [Install] section; `stop` masks it.
  if (generated && s.enabled !== 'generated') cmds.push(`systemctl --user unmask ${s.unit}`, 'systemctl --user daemon-reload');
  else if (!generated && s.enabled !== 'enabled') cmds.push('systemctl --user daemon-reload', `systemctl --user enable ${s.unit}`);
  if (s.linger !== 'yes') cmds.push(`sudo loginctl enable-linger ${s.user}`);
  return cmds;
}

/** Will the unit start at boot? Only when it is enabled and linger is on. */
export function startsAtBoot(s: BootState): boolean {
  return s.systemdUser && (s.enabled === 'enabled' || s.enabled === 'generated') && s.linger === 'yes';
}

const isOn = (enabled: string) => enabled === 'enabled' || enabled === 'generated';

/** Why it will not start at boot, plainly; undefined when it will. */
export function bootProblem(s: BootState, what = 'the agent'): string | undefined {
  if (startsAtBoot(s)) return undefined;
  if (!s.systemdUser) return `no systemd user manager here (systemctl --user fails), so ${s.unit} is not enabled and ${what} will not start at boot`;
  const parts: string[] = [];
  if (!isOn(s.enabled)) parts.push(`${s.unit} is ${s.enabled}`);
  if (s.linger !== 'yes') parts.push(`linger is ${s.linger === 'no' ? 'off' : 'not known'} for ${s.user}`);
  const until = s.linger !== 'yes' && isOn(s.enabled) ? ` until "sudo loginctl enable-linger ${s.user}" is run` : '';
  return `${parts.join(' and ')}: ${what} will not start at boot${until}`;
}

/** One line for `status`. */
export function bootLine(s: BootState, generated = false, what?: string): string {
  const head = s.systemdUser ? `${s.unit} ${s.enabled}, ${s.active}; linger ${s.linger === 'yes' ? 'on' : s.linger === 'no' ? 'off' : 'unknown'} for ${s.user}` : s.unit; // the problem below says there is no user manager
  const problem = bootProblem(s, what);
  const cmds = bootCommands(s, generated);
  return problem ? `${head} — ${problem}${cmds.length ? `; run: ${cmds.join(' && ')}` : ''}` : `${head} — starts at boot`;
}

/** The `boot` check of `doctor`. */
export function bootCheck(s: BootState, generated = false, what?: string): CheckReport {
  const problem = bootProblem(s, what);
  if (!problem) return { id: 'boot', status: 'ok', message: `${s.unit} is ${s.enabled} (${s.active}) and linger is on for ${s.user}: starts at boot` };
  return { id: 'boot', status: 'warn', message: problem, fix: bootCommands(s, generated).join(' && ') };
}

export interface BootRunContext {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Whether `systemctl --user` answers, when the caller already asked (detection); asked here otherwise. */
  systemdUser?: boolean;
  /** Show a command about to run (already safe to print: no secret is involved here). */
  command(line: string): void;
  output(line: string): void;
  change(text: string): void;
}

/**
 * Enable the unit for real and report whether it now starts at boot. Throws StepSkipped (a warning, not
 * a ✔) when there is no user manager, or the unit is not enabled, or linger is off; throws an Error when
 * systemctl refuses the unit.
 */
export async function armBoot(unit: string, user: string, what: string, ctx: BootRunContext, generated = false, reload = true): Promise<BootState> {
  const env = ctx.env ?? process.env;
  // A unit whose file this run left as it was, and that already starts at boot: nothing to do (a re-run is a no-op).
  if (!reload && (ctx.systemdUser ?? true)) {
    const before = await readBootState(unit, user, env);
    if (startsAtBoot(before) && before.enabled === (generated ? 'generated' : 'enabled')) {
      ctx.output(`${unit}: ${before.enabled}; linger: ${before.linger} for ${user}`);
      throw new StepSkipped(`${unit} already starts at boot (${before.enabled}, linger on for ${user})`);
    }
  }
  const manual = (s: Pick<BootState, 'enabled' | 'linger'>) => bootCommands({ unit, user, ...s }, generated).join(' && ');
  if (!(ctx.systemdUser ?? (await hasSystemdUser(env)))) {
    const cmds = bootCommands({ unit, user, enabled: 'unknown', linger: 'unknown' });
    throw new StepSkipped(
      `no systemd user manager here, as systemctl --user fails: ${unit} is written but not enabled`,
      `boot: ${what} will not start at boot. On a host with systemd, run: ${cmds.join(' && ')}`,
    );
  }
  const bin = which('systemctl', env.PATH) ?? 'systemctl';
  // A generated (Quadlet) unit cannot be enabled: its [Install] section is read at daemon-reload.
  for (const args of generated ? [['daemon-reload']] : [['daemon-reload'], ['enable', unit]]) {
    ctx.command(`systemctl --user ${args.join(' ')}`);
    const r = await run([bin, '--user', ...args], { timeoutMs: 30_000, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    for (const l of `${r.stdout}\n${r.stderr}`.split('\n').filter(Boolean)) ctx.output(l);
    if (r.failure === 'cancelled') throw new Error('cancelled');
    if (r.exitCode !== 0 || r.failure) throw new Error(`systemctl --user ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0] || `exit code ${r.exitCode}`}`);
  }
  const s = await readBootState(unit, user, env);
  ctx.output(`${unit}: ${s.enabled}; linger: ${s.linger} for ${user}`);
  if (s.enabled === 'enabled') ctx.change(`enabled ${unit} (systemctl --user enable)`);
  if (generated && s.enabled === 'generated') ctx.change(`${unit} is generated by Quadlet and wanted by default.target`);
  if (!startsAtBoot(s)) {
    throw new StepSkipped(`${bootProblem(s, what)}`, `boot: ${bootProblem(s, what)}; run: ${manual(s)}`);
  }
  ctx.change(`Start on boot: ${unit} is ${generated ? 'generated (Quadlet)' : 'enabled'} and linger is on for ${user}`);
  return s;
}

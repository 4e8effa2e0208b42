// The interactive wizard (TTY only): answers form a preset, then the same plan and status screen as
// `install` run. Detection runs while the first screen shows.
// Only what the first frame needs is imported up front (Ink and the wizard's questions); the model,
// detection, planning and execution load on demand, so the first screen shows fast.
import { existsSync } from 'node:fs';
import { redactor } from '../util/output.js';
import { get, set, type Answers, type Detection } from '../ui/wiz/questions.js';
import type { InstallFlags } from './context.js';
import type { Prepared } from '../service/install.js';
import { optionVarNames } from '../model/env-names.js';
import { accessibleRequested, terminalProblem } from '../ui/term.js';
import { sameWithoutWizard, shellLines } from '../ui/summary.js';
import { homeOf, usableHome } from '../model/home.js';
import { endChildren } from '../util/interrupt.js';
import { isFailed } from '../exec/events.js';
import { BLOCKING_CHECK_IDS } from '../exec/check-ids.js';
import { canonical } from '../util/canonical.js';
import { shellLine, shellQuote } from '../util/shell.js';

/** `fits`: the installs to consider (the product and runtime given by --set); by default every one. */
async function detect(opts: { context?: string; allowRoot?: boolean; fits?: (preset: Answers) => boolean } = {}): Promise<{ d: Detection; later?: Promise<Partial<Detection>> }> {
  const [{ detectRuntime }, { findAll, findContext, guardSecrets, isPresent, recordFor }, { probe }, { which }] = await Promise.all([
    import('../exec/detect.js'),
    import('../service/find.js'),
    import('../exec/run.js'),
    import('../util/which.js'),
  ]);
  // The install hd-setup recorded last, else one in the default places.
  // One that is there now first; else the settings an uninstall left behind (said as such).
  let all: Awaited<ReturnType<typeof findAll>> = [];
  const findInstalled = async () => {
    all = (await findAll({ ...findContext(), note: undefined }).catch(() => [])).filter((a) => !opts.fits || opts.fits(a.preset));
    return all.find(isPresent) ?? all[0];
  };
  const [{ listContexts, probeContexts, runtimeNotes, versionNotes }, { PRODUCTS }] = await Promise.all([import('../service/host.js'), import('../products/index.js')]);
  // The contexts' names are a local read, here with the rest; asking each for its version waits on its
  // cluster (up to a few seconds for one that hangs): it answers later, without holding the rest up.
  const listing = listContexts().catch((): { names: string[]; current?: string } => ({ names: [] }));
  const probed = listing.then((l) => (l.names.length ? probeContexts(l) : [])).catch(() => undefined);
  const [docker, podman, ctx, installed, listed] = await Promise.all([
    detectRuntime('docker'),
    detectRuntime('podman'),
    which('kubectl') ? probe(['kubectl', 'config', 'current-context'], 3000) : Promise.resolve(undefined),
    findInstalled(),
    listing,
  ]);
  const contexts = listed.names.map((name) => ({ name, current: name === listed.current, reachable: false, asking: true as const }));
  const rt = (r: Awaited<ReturnType<typeof detectRuntime>>) => (r.bin ? { ...(r.version ? { version: r.version } : {}), rootless: r.rootless, reachable: r.reachable } : undefined);
  const d: Detection = {};
  const dk = rt(docker);
  const pm = rt(podman);
  if (dk) d.docker = dk;
  if (pm) d.podman = pm;
  if (ctx) d.kubeContext = ctx;
  if (contexts.length) d.kubeContexts = contexts;
  if (opts.context) d.contextFlag = opts.context;
  d.contextPaths = Object.fromEntries(PRODUCTS.filter((m) => m.runtimes.includes('kubernetes')).map((m) => [m.id, m.settingPath('context', 'kubernetes')]));
  // What to say when a runtime is chosen: root, an old runtime, a rootless socket not in DOCKER_HOST.
  const kube = { kubectl: Boolean(which('kubectl')), helm: Boolean(which('helm')), contexts: contexts.length };
  d.runtimeNotes = runtimeNotes({ uid: process.getuid?.() ?? 1000, allowRoot: Boolean(opts.allowRoot), docker, podman, kube, env: process.env });
  // Root, for the install that is here and was made with --allow-root: allowed again (as the review and
  // the lifecycle commands have it), for its product on its runtime only (another is a new install: refused).
  const installedRuntime = installed && isPresent(installed) && !opts.allowRoot && recordFor(installed, findContext())?.allowRoot ? String(installed.preset.runtime) : undefined;
  if (installedRuntime && d.runtimeNotes[installedRuntime]) {
    const notes = runtimeNotes({ uid: process.getuid?.() ?? 1000, allowRoot: true, allowRootFrom: 'install', docker, podman, env: process.env })[installedRuntime]!;
    d.installNotes = { product: String(installed!.preset.product), runtime: installedRuntime, notes };
  }
  // An old runtime is each product's own matter: its minimum, or none.
  d.productNotes = Object.fromEntries(PRODUCTS.map((m) => [m.id, versionNotes({ docker, podman }, m)]));
  if (installed) {
    d.installed = { where: installed.where, preset: installed.preset, present: isPresent(installed), ...(recordFor(installed, findContext())?.state === 'started' ? { unfinished: true } : {}) };
    guardSecrets(installed);
  }
  const others = all.filter((a) => a !== installed && isPresent(a)).map((a) => ({ product: a.location.product, runtime: a.location.runtime, where: a.where }));
  if (others.length) d.others = others;
  const later = contexts.length ? probed.then((list): Partial<Detection> => ({ kubeContexts: list ?? contexts.map(({ asking: _, ...c }) => ({ ...c, problem: 'not asked' })) })) : undefined;
  return { d, later };
}

/** `over` on top of `base`: objects merge key by key, anything else (lists included) replaces. */
function overlay(base: Answers, over: Answers): Answers {
  const out: Answers = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? overlay(b as Answers, v as Answers) : v;
  }
  return out;
}

/** A secret's reference (env:NAME, file:PATH) and the value it gave: a saved preset keeps the reference while the answer is still that value. */
type Refs = Record<string, { ref: string; value: string }>;

/** The references that still stand for the answers (a value typed over one drops it). */
function liveRefs(refs: Refs, answers: Answers): Record<string, string> {
  return Object.fromEntries(Object.entries(refs).flatMap(([p, r]) => (get(answers, p) === r.value ? [[p, r.ref]] : [])));
}

/** Resolve env:/file: secrets of a prefilled preset for the wizard, remembering the references for "save". */
async function resolveSecrets(answers: Answers): Promise<{ answers: Answers; refs: Refs }> {
  const { isRef, resolveRef, withResolveContext } = await import('../model/refs.js');
  const refs: Refs = {};
  let out = answers;
  const { secretFields } = await import('../products/secrets.js');
  const paths = secretFields(answers).map((f) => f.path);
  withResolveContext({ env: process.env, baseDir: process.cwd(), home: usableHome(), secrets: new Set() }, () => {
    for (const p of paths) {
      const v = get(out, p);
      if (typeof v !== 'string' || !isRef(v)) continue;
      const r = resolveRef(v);
      if (r.ok) refs[p] = { ref: v, value: r.value };
      out = set(out, p, r.ok ? r.value : undefined);
      if (r.ok) redactor.add([r.value]);
    }
  });
  return { answers: out, refs };
}

export async function wizardCommand(flags: InstallFlags & { plain?: boolean } = {}): Promise<number> {
  // Line prompts (ui/wiz/plain.ts) when asked for, or when the terminal cannot draw the full screen.
  if (flags.plain) process.env.ACCESSIBLE = '1'; // the same as ACCESSIBLE=1, for the progress lines too
  const tty = terminalProblem(process.stdout);
  if (tty && !accessibleRequested()) process.stderr.write(`${tty}: asking line by line instead (ACCESSIBLE=1 or --plain does this anywhere)\n`);
  const plain = Boolean(tty) || accessibleRequested();
  // --preset, --set and HD_SETUP_* options in the environment prefill the wizard.
  const given = Boolean(flags.preset || flags.set?.length || optionVarNames(process.env).length);
  // Bad flags stop here, before the first question, with install's one-line errors (exit 2): a flag
  // cannot be fixed from inside the wizard.
  const checked = given ? (await import('../service/given.js')).checkGiven(flags) : undefined;
  // said before the first frame, as install says them (a mistyped HD_SETUP_* name is otherwise ignored unseen)
  for (const w of checked?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  const fromFlags = checked?.raw;
  if (flags.context) await (await import('../service/host.js')).checkContextFlag(flags.context);
  // DOCKER_HOST at another daemon than a docker install runs on: said now, as every command says it.
  if (process.env.DOCKER_HOST) {
    const { findContext, refuseOtherDaemons } = await import('../service/find.js');
    refuseOtherDaemons(findContext(), (loc) => (!fromFlags?.product || fromFlags.product === loc.product) && (!fromFlags?.runtime || fromFlags.runtime === loc.runtime));
  }
  const { answers: initial, refs } = fromFlags ? await resolveSecrets(fromFlags) : { answers: {}, refs: {} };
  // Detection runs while the first screen shows (the wizard calls this once its first frame is on
  // screen). An installed agent found then prefills the answers (re-running): as it is, or with the
  // --set values on top. A --preset replaces it.
  // With several installs, the one of the product (and runtime) --set names.
  const fits = (p: Answers) => (!initial.product || initial.product === p.product) && (!initial.runtime || initial.runtime === p.runtime);
  // What was installed when the wizard looked (its place and settings): the install it applies to must be so still.
  let atStart: { where?: string; preset?: string } | undefined;
  // The install's own settings as found (its secrets among them), before anything from the environment.
  let installedPreset: Answers | undefined;
  // Variables this shell exports whose value the answers declined for the installed one (an emptied field kept
  // it): the command without the wizard would read them, so it is run with them unset (it keeps the installed one).
  const declined = (answers: Answers) => Object.values(refs).length && installedPreset ? Object.entries(refs).flatMap(([p, r]) => (r.ref.startsWith('env:') && get(answers, p) !== r.value && get(answers, p) !== undefined && get(answers, p) === get(installedPreset!, p) ? [r.ref.slice(4)] : [])) : [];
  const withDeclined = <E extends { vars: string[] }>(eq: E, answers: Answers): E & { unset: string[] } => {
    const unset = declined(answers);
    return { ...eq, vars: eq.vars.filter((v) => !unset.includes(v)), unset };
  };
  // What detection learns later (the contexts' reachability), once the rest has been shown.
  let later: Promise<Partial<Detection>> | undefined;
  const detection = () =>
    detect({ ...(flags.context ? { context: flags.context } : {}), ...(flags.allowRoot ? { allowRoot: true } : {}), ...(fromFlags && !flags.preset ? { fits } : {}) }).then(
      async ({ d, later: more }) => {
        later = more;
        // A token or client secret already exported (FIVETRAN_TOKEN, TCLOUD_CLIENT_SECRET): offered, as an
        // env: reference a saved preset keeps. Not over one given by a flag.
        const { secretsInEnv } = await import('../products/secrets.js');
        const inEnv = secretsInEnv(process.env).filter((e) => get(initial, e.path) === undefined);
        if (inEnv.length) {
          d.envSecrets = inEnv.map((e) => ({ ...e, value: process.env[e.env]!.trim() }));
          for (const e of d.envSecrets) {
            refs[e.path] = { ref: `env:${e.env}`, value: e.value };
            redactor.add([e.value]);
          }
        }
        const found = d.installed;
        atStart = found ? { where: found.where, preset: canonical(found.preset) } : {};
        installedPreset = found?.preset;
        if (found && fromFlags) {
          if (!flags.preset && fits(found.preset)) d.installed = { ...found, preset: overlay(found.preset, initial) };
          else delete d.installed;
        }
        return d;
      },
      (): Detection => ({}),
    ).then(async (d): Promise<Detection> => ({
      ...d,
      // a chart on this host (the Advanced step's chart reference): its Chart.yaml read when asked
      localChart: (await import('../util/local-chart.js')).localChart,
    }));
  if (fromFlags) redactor.add((await import('../products/secrets.js')).secretValues(initial));
  const { runWizard } = await import('../ui/wiz/run.js');
  // Checks the user chose to skip on the review screen (the same as --skip-check).
  const skipped = new Set(flags.skipCheck ?? []);
  const withSkips = (): InstallFlags => ({ ...flags, skipCheck: [...skipped] });
  // --context, where no context was chosen in the wizard (no kubeconfig list to pick from).
  // The product registry (and with it zod and the model) loads only when this is needed, after the first frame.
  const withFlagContext = async (answers: Answers): Promise<Answers> => {
    if (!flags.context || answers.runtime !== 'kubernetes') return answers;
    const { findProduct } = await import('../products/index.js');
    const path = findProduct(answers.product)?.settingPath('context', 'kubernetes');
    return path && get(answers, path) === undefined ? set(answers, path, flags.context) : answers;
  };
  // Presets saved from the review (key s): a cancel then says they were written.
  const saved: string[] = [];
  // The last one saved, as given and with the answers it holds: installed as saved, the closing command names it.
  let lastSave: { path: string; answers: string; vars: string[] } | undefined;
  // Checks skipped when this install was made (its record): skipped again, as start and restart do.
  let remembered: string[] = [];
  // --allow-root given when this install was made (its record): allowed again, as start and restart do.
  let rootRemembered = false;
  const allowRoot = () => Boolean(flags.allowRoot) || rootRemembered;
  const commandOptions = (answers: Answers = {}) => ({ ...(flags.preset ? { preset: flags.preset } : {}), refs: liveRefs(refs, answers), ...(allowRoot() ? { allowRoot: true } : {}), skipCheck: [...new Set([...skipped, ...remembered])] });
  const choicesFor = async (p: Prepared): Promise<InstallFlags> => {
    const { effectiveChoices } = await import('../service/install.js');
    const c = effectiveChoices(p, withSkips());
    const all = c.skipCheck ?? [];
    remembered = all.filter((id) => !skipped.has(id));
    rootRemembered = c.allowRootFrom === 'install';
    return { ...withSkips(), skipCheck: all, ...(c.allowRoot ? { allowRoot: true } : {}), ...(c.allowRootFrom ? { allowRootFrom: c.allowRootFrom } : {}) };
  };
  // hd-setup has installed here before (its registry exists): the wizard asks nothing until detection has
  // looked, so a re-run never shows a question it is about to replace (keys typed meanwhile act on what follows).
  const { registryFile } = await import('../util/paths.js');
  const waitForInstall = !flags.preset && existsSync(registryFile(homeOf()));
  // How to install from a saved preset, as the equivalent command has it: --allow-root and the checks skipped go with it.
  const useWords = (path: string) => ['hd-setup', 'install', '--preset', path, ...(allowRoot() ? ['--allow-root'] : []), ...commandOptions().skipCheck.flatMap((id) => ['--skip-check', id]), '--yes'];
  const useLine = (path: string) => shellLine(useWords(path));
  const result = await runWizard(plain, {
    initial,
    waitForInstall,
    skipChecks: (ids) => ids.forEach((id) => skipped.add(id)),
    detection,
    moreDetection: () => later,
    onSecret: (v) => redactor.add([v]),
    review: async (given, how) => {
      const answers = await withFlagContext(given);
      // The keys as this mode has them: the line prompts read typed lines, and go back with "<".
      const key = (k: string) => (how?.plain ? `type ${k === 'esc' ? '<' : k} (and Enter)` : `press ${k}`);
      const Key = (k: string) => key(k).replace(/^./, (c) => c.toUpperCase());
      const [{ parseModel }, { UserError, formatProblem }, { prepare, preflight, rewrittenBy, settingChanges }, { planToText }, { equivalentCommand }] = await Promise.all([
        import('../products/load.js'),
        import('../model/errors.js'),
        import('../service/install.js'),
        import('../plan/describe.js'),
        import('../service/command.js'),
      ]);
      // The same install without the wizard, as one command (secrets as references).
      const same = () => {
        const eq = withDeclined(equivalentCommand(answers, commandOptions(answers)), answers);
        // Wrapped here, as a shell command (whole arguments, " \\" continuations): never mid-word.
        return `\n\n${sameWithoutWizard(eq, how?.width ?? 79)}`;
      };
      try {
        const { model, secrets } = parseModel(structuredClone(answers), { env: process.env });
        redactor.add(secrets);
        const p = await prepare({ model, raw: answers, secrets, source: '(wizard)', warnings: [] });
        // A re-run of the install found here: the settings the answers change on it, said first.
        const onInstalled = installedPreset && installedPreset.product === answers.product && installedPreset.runtime === answers.runtime;
        const shown = { diffs: true, ...(onInstalled ? { changes: settingChanges({ preset: installedPreset!, secretPaths: [] }, model, rewrittenBy(p)) } : {}) };
        const reports = await preflight(p, await choicesFor(p));
        const failed = reports.filter(isFailed);
        // Warnings are news before the install too (the size of the host, running as root): said here, not first on the install screen.
        const warned = reports.filter((r) => r.status === 'warn');
        // Every check that will not run, and why: skipped here (k, or --skip-check), or as at the last install.
        const flag = (ids: string[]) => `the same as --skip-check ${ids.join(' --skip-check ')}`;
        const now = [...skipped];
        const sections = [
          now.length ? `Skipped checks: ${now.join(', ')} (${flag(now)}).` : '',
          remembered.length ? `Skipped as at the last install: ${remembered.join(', ')} (${flag(remembered)}).` : '',
          warned.length ? `Preflight warnings (they do not stop the install):\n${warned.map((r) => `! ${r.id}: ${r.message}${r.fix ? `\n  fix: ${r.fix}` : ''}`).join('\n')}` : '',
        ];
        const kept = sections.filter(Boolean).map((l) => `${l}\n\n`).join('');
        // Every file as it will be written, secrets masked (the review's v).
        const files = p.plan.files.map((f) => ({ path: f.dest, mode: f.mode.toString(8).padStart(4, '0'), content: redactor.redact(f.content) }));
        if (failed.length) {
          const ids = failed.map((r) => r.id);
          // k skips only what the install can run past: with a blocker failing, it is not offered.
          const blockers = ids.filter((id) => BLOCKING_CHECK_IDS.includes(id));
          const skip = blockers.length
            ? `${blockers.join(' and ')} cannot be skipped here: the install would fail on the same problem${blockers.length > 1 ? 's' : ''}.`
            : `${Key('k')} to skip ${ids.length > 1 ? 'these checks' : 'this check'} and install anyway (the same as --skip-check ${ids.join(' --skip-check ')}).`;
          return {
            ok: false,
            ...(blockers.length ? {} : { failed: ids }),
            files,
            text: `${kept}Preflight found ${failed.length} problem${failed.length > 1 ? 's' : ''}:\n${failed.map((r) => `✖ ${r.id}: ${r.message}\n  fix: ${r.fix}`).join('\n')}\n\nFix it and run hd-setup again, or ${key('esc')} to change your answers.\n${skip}\n${Key('s')} to save these answers as a preset first.\n\n${planToText(p.plan, redactor, { ...shown, skipChecks: [...now, ...remembered] })}${same()}`,
          };
        }
        return { ok: true, files, text: `${kept}${planToText(p.plan, redactor, { ...shown, skipChecks: [...now, ...remembered] })}${same()}` };
      } catch (e) {
        if (e instanceof UserError) return { ok: false, text: `${e.problems.map(formatProblem).join('\n')}\n\n${Key('esc')} to go back and fix it.` };
        throw e;
      }
    },
    save: async (answers, path) => {
      const [{ resolve }, { withSecretRefs }, { toYaml }, { secretFields }, { PRESET_HEADERS, writeOutputFile }] = await Promise.all([
        import('node:path'),
        import('../model/secret-refs.js'),
        import('../render/yaml.js'),
        import('../products/secrets.js'),
        import('../util/paths.js'),
      ]);
      const { preset, vars } = withSecretRefs(answers, secretFields(answers), liveRefs(refs, answers));
      // The keys in the order a person reads a preset: what, where, how it connects, then the details.
      const { productIds } = await import('../products/index.js');
      const order = ['$schema', 'product', 'runtime', 'proxy', ...productIds()];
      const ordered = Object.fromEntries(Object.entries(preset).sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99)));
      const file = resolve(path);
      const use = useLine(path);
      const w = writeOutputFile(file, toYaml(ordered, `${PRESET_HEADERS.saved} Secrets are references: export ${vars.join(', ') || '(none)'} first.\nUse it: ${use}`), 0o644, 'preset', 'hd-setup-preset.yaml');
      if ('problem' in w) throw new Error(w.problem);
      if (!saved.includes(file)) saved.push(file);
      lastSave = { path, answers: canonical(answers), vars };
      return `Saved ${file}${w.backup ? ` (the preset it replaced differed: kept as ${w.backup})` : ''}${w.pruned ? `; ${w.pruned}` : ''}. Before using it, export ${vars.join(', ') || 'nothing (no secrets)'}.`;
    },
  });
  if (result.kind === 'cancel') {
    // Detection may still be asking a runtime (a hung daemon answers only at the probe's time bound):
    // its read-only probes are ended, so that the cancel exits now.
    endChildren();
    // True to what happened: a preset saved at the review is a file written, though nothing was installed.
    // with the variables it reads: unset, the install keeps its stored secrets (a changed proxy URL's too)
    const reads = lastSave?.vars.length ? `export ${lastSave.vars.join(', ')}, then ` : '';
    process.stderr.write(saved.length ? `Cancelled. Nothing was installed; the preset ${saved.join(', ')} was saved (${reads}${useLine(saved.at(-1)!)} uses it).\n` : 'Cancelled. Nothing was written.\n');
    return 130;
  }
  // From the review's Enter to the status screen (which reads the keyboard itself) the plan is prepared:
  // keys typed meanwhile stay unechoed and unread, for the status screen to take (not echoed into its
  // frame, nor left for the shell).
  const [{ parseModel }, { prepare, install, exitCodeOf }, { reporterFor, usesStatusScreen }] = await Promise.all([import('../products/load.js'), import('../service/install.js'), import('../ui/reporters.js')]);
  // (Only then: with plain progress lines nothing would read the keys, and Ctrl-C must stay a signal.)
  if (process.stdin.isTTY && usesStatusScreen()) process.stdin.setRawMode(true);
  const asSaved = lastSave && lastSave.answers === canonical(result.answers) ? lastSave.path : undefined;
  result.answers = await withFlagContext(result.answers);
  const { model, secrets } = parseModel(structuredClone(result.answers), { env: process.env });
  redactor.add(secrets);
  // One run at a time per install, as install takes it; and the install as the review showed it: another run
  // that changed it while the wizard was open (an install --set, from another shell) is not undone unseen.
  const [{ lockAt }, { findAt, findContext }, { locationOf }, { describeLocation }] = await Promise.all([import('../service/lifecycle.js'), import('../service/find.js'), import('../service/plan.js'), import('../model/base.js')]);
  const here = findContext();
  const at = locationOf(model, here.home);
  await lockAt(at, here.home);
  // (Only the install the wizard started from: changed since, or gone.)
  if (atStart?.where !== undefined) {
    const now = await findAt(at, here, 'absent');
    const changed = now ? now.where === atStart.where && canonical(now.preset) !== atStart.preset : describeLocation(at) === atStart.where;
    if (changed) {
      process.stderr.write(`The install at ${atStart.where} changed while the wizard was open (another hd-setup run); nothing was changed. Run hd-setup again to start from it as it is now.\n`);
      return 1;
    }
  }
  const p = await prepare({ model, raw: result.answers, secrets, source: '(wizard)', warnings: [] });
  const summary = await install(p, await choicesFor(p), reporterFor({}));
  // Like gitlab-runner's register line: the one command that does this again, without questions.
  const eq = withDeclined((await import('../service/command.js')).equivalentCommand(result.answers, commandOptions(result.answers)), result.answers);
  const width = process.stderr.isTTY && process.stderr.columns ? process.stderr.columns - 1 : 79;
  process.stderr.write(`\n${sameWithoutWizard(eq, width)}\n`);
  // The preset saved at the review holds exactly these answers: the short way to do it again.
  // (wrapped as the line above is: between words, never inside one, each line but the last ending in " \")
  if (asSaved) process.stderr.write(`Or with the preset saved at the review:\n${shellLines(useWords(asSaved).map(shellQuote), width).join('\n')}\n`);
  return exitCodeOf(summary);
}

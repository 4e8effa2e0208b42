// hd-setup entry point: commander wiring. Commands call plain async functions; no JSX here.
import './interrupt-first.js';
import { Command, CommanderError, Help, type Option } from 'commander';
import { UserError } from '../model/errors.js';
import { collectCheckId } from '../exec/check-ids.js';
import { listPresets } from '../model/load.js';
import { presetJsonSchema } from '../products/index.js';
import { guardOutput, isInteractive } from '../util/output.js';
import { VERSION } from '../version.js';
import { exitQuietlyOnEpipe } from '../util/epipe.js';
import { printJson, reportError } from './context.js';

guardOutput();
exitQuietlyOnEpipe();

/** Every command that may act as root takes --allow-root, with one meaning. */
const ALLOW_ROOT = 'allow running as root (the vendor scripts refuse it)';

const collect = (v: string, prev: string[] = []) => [...prev, v];
/** One preset per run: a second --preset would replace the first without a word (settings go on with --set). */
const onePreset = (v: string, prev?: string): string => {
  if (prev !== undefined) throw new UserError([{ path: '--preset', message: 'is given twice; give one preset, and change its settings with --set' }]);
  return v;
};

function modelOptions(cmd: Command): Command {
  return cmd
    .option('-p, --preset <name|path>', 'bundled preset name (see: hd-setup presets) or a .yaml/.json file', onePreset)
    .option('-s, --set <path=value>', 'set an option, e.g. --set fivetran.kubernetes.namespace=fivetran (repeatable)', collect, [])
    .option('--json', 'machine-readable output');
}

function jsonFlag(): boolean {
  return process.argv.includes('--json');
}

let exitCode = 0;
const action =
  <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
  async (...args: A) => {
    exitCode = await fn(...args);
  };

/** One line: commander puts its suggestion for a mistyped command or option on a second one. */
const oneLineError = (str: string) =>
  str.replace(/^(error: [^\n]*)\n?(?:\(Did you mean ([^?\n]+)\?\))?\n?$/, (_m, head: string, near?: string) => `${head}${near ? `; did you mean ${near}?` : ''}${head.startsWith('error: unknown command') ? ' (see: hd-setup --help)' : ''}\n`);

/**
 * `wizard`: the program runs the wizard when no command is given. Off when the first argument is a word: a
 * command, or a mistyped one, which commander then names with the nearest (it said "too many arguments").
 */
export function buildProgram(o: { wizard?: boolean } = {}): Command {
  const program = new Command('hd-setup')
    .description(
      'Install, reconfigure and check hybrid-deployment agents:\n' +
        '  Fivetran Hybrid Deployment Agent and Tobiko Cloud hybrid executors,\n' +
        '  on docker, podman or Kubernetes.\n\n' +
        'Run it with no arguments in a terminal for the guided wizard.',
    )
    .version(VERSION, '-v, --version')
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .configureOutput({ outputError: (str, write) => (jsonFlag() ? undefined : write(oneLineError(str))) })
    // A repeatable option starts as an empty list: "(default: [])" in the help says nothing
    .configureHelp({ optionDescription: (o: Option) => new Help().optionDescription(o).replace(/ \(default: \[\]\)$/, '') })
    .exitOverride();

  modelOptions(program.command('render'))
    .description('write exactly the files an install would write into a directory, and nothing else')
    .requiredOption('-o, --out <dir>', 'directory to write into')
    .action(
      action(async (opts) => {
        const { renderCommand } = await import('./render.js');
        return renderCommand(opts);
      }),
    );

  modelOptions(program.command('install'))
    .description('install or reconfigure an agent (use --dry-run to see the plan)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('-n, --dry-run', 'print every step and exact command (secrets masked); change nothing')
    .option('--skip-check <id>', 'skip a preflight check by id (repeatable)', collectCheckId, [])
    .option('--allow-root', ALLOW_ROOT)
    .option('--context <name>', 'Kubernetes: kubectl/helm context to use (default: the current context)')
    .option('--reset', 'apply exactly this preset: drop settings the install has that it does not mention, and take its values over those an earlier --set gave')
    .action(
      action(async (opts) => {
        const { installCommand } = await import('./install.js');
        return installCommand(opts);
      }),
    );

  const lifecycle = (name: string, description: string, fn: string, extra: (c: Command) => Command = (c) => c) =>
    extra(
      modelOptions(program.command(name))
        .description(description)
        .option('--context <name>', 'Kubernetes: kubectl/helm context'),
    ).action(
      action(async (opts) => {
        const mod = (await import('./lifecycle.js')) as unknown as Record<string, (o: unknown) => Promise<number>>;
        return mod[fn]!(opts);
      }),
    );
  lifecycle('status', 'show product, runtime, versions, container or pod state, restarts, uptime and the last log lines', 'statusCommand');
  lifecycle('doctor', 'run every preflight check plus reachability and clock skew; each problem with its fix (before an install: the checks for the --preset/--set given, or asked)', 'doctorCommand', (c) =>
    c
      .option('--bundle <file>', 'write a diagnostics archive (.tar.gz; secrets redacted)')
      .option('--skip-check <id>', 'skip a check by id (repeatable)', collectCheckId, [])
      .option('--allow-root', 'before an install: check as an install with --allow-root would'),
  );
  lifecycle('uninstall', 'remove the agent (containers, unit and network, or the Helm release and our Secrets); data is kept', 'uninstallCommand', (c) =>
    c.option('-y, --yes', 'do not ask for confirmation').option('--purge', 'also delete the install dir (config, data, logs) or the state dir').option('-n, --dry-run', 'show what would be removed').option('--allow-root', ALLOW_ROOT),
  );
  // --yes is taken where nothing is confirmed too: a script passes it to every command alike
  const NO_CONFIRMATION = 'taken for scripts that give it to every command: this one asks for no confirmation';
  lifecycle('start', 'start the agent (recreating containers whose config changed; Kubernetes: scale up)', 'startCommand', (c) =>
    c.option('-y, --yes', NO_CONFIRMATION).option('--allow-root', ALLOW_ROOT).option('--skip-check <id>', 'skip a preflight check by id (repeatable)', collectCheckId, []).option('-n, --dry-run', 'show the plan'),
  );
  lifecycle('stop', 'stop the agent (Kubernetes: scale to 0)', 'stopCommand', (c) => c.option('-y, --yes', NO_CONFIRMATION).option('-n, --dry-run', 'show the plan').option('--allow-root', ALLOW_ROOT));
  lifecycle('restart', 'stop, then start the agent', 'restartCommand', (c) => c.option('-y, --yes', NO_CONFIRMATION).option('--allow-root', ALLOW_ROOT).option('--skip-check <id>', 'skip a preflight check by id (repeatable)', collectCheckId, []));
  lifecycle('rollback', 'undo the last change hd-setup made: put back the config file and the container settings (memory, image, pull and restart policy) the install had before it, and re-apply them; a second rollback undoes the first (helm rollback on Kubernetes)', 'rollbackCommand', (c) =>
    c.alias('undo').option('-y, --yes', 'do not ask for confirmation').option('--allow-root', ALLOW_ROOT).option('--skip-check <id>', 'skip a preflight check by id (repeatable)', collectCheckId, []).option('-n, --dry-run', 'show the plan'),
  );
  lifecycle('export-preset', 'write the detected install as a preset, with secrets as env: references', 'exportPresetCommand', (c) => c.option('-o, --out <file>', 'write to a file instead of stdout'));

  program
    .command('presets')
    .description('list the bundled presets')
    .option('--json', 'machine-readable output')
    .action(
      action(async (opts: { json?: boolean }) => {
        const list = listPresets();
        if (opts.json) printJson({ presets: list.map(({ name, description }) => ({ name, description })) });
        else {
          const w = Math.max(...list.map((p) => p.name.length));
          for (const p of list) process.stdout.write(`${p.name.padEnd(w)}  ${p.description}\n`);
          process.stdout.write(`\nUse one with: hd-setup install --preset <name> --dry-run\n`);
        }
        return 0;
      }),
    );

  program
    .command('schema')
    .description('print the preset JSON Schema')
    .option('--json', 'machine-readable output (it is JSON either way)')
    .action(
      action(async () => {
        printJson(presetJsonSchema());
        return 0;
      }),
    );

  program
    .option('-p, --preset <name|path>', 'wizard: start from this preset (it asks only for what is missing)', onePreset)
    .option('-s, --set <path=value>', 'wizard: prefill an option (repeatable)', collect, [])
    .option('--allow-root', ALLOW_ROOT)
    .option('--skip-check <id>', 'skip a preflight check by id (repeatable)', collectCheckId, [])
    .option('--context <name>', 'wizard: the Kubernetes context to preselect (default: the current context)')
    .option('--plain', 'wizard: numbered line prompts that never repaint (screen readers, dumb terminals; also ACCESSIBLE=1)');
  // Flags given before the command (hd-setup --allow-root install …) are the command's as much as after it:
  // taken by a command that has them (a --set before joins those after), or exit 2 naming the flag.
  program.hook('preAction', (root, sub) => {
    if (sub === root) return;
    for (const o of root.options) {
      const key = o.attributeName();
      const given = root.getOptionValue(key) as unknown;
      if (given === undefined || (Array.isArray(given) && given.length === 0)) continue;
      if (!sub.options.some((x) => x.attributeName() === key)) throw new UserError([{ path: o.long ?? key, message: `is not an option of ${sub.name()}; see: hd-setup ${sub.name()} --help` }]);
      const own = sub.getOptionValue(key) as unknown;
      sub.setOptionValue(key, Array.isArray(given) ? [...given, ...((own as unknown[] | undefined) ?? [])] : (own ?? given));
    }
  });
  if (o.wizard !== false) program.action(
    action(async (opts: { preset?: string; set?: string[]; allowRoot?: boolean; skipCheck?: string[]; plain?: boolean; context?: string }) => {
      if (!isInteractive()) {
        // Bad flags first, with install's one-line errors (exit 2); on a terminal the wizard checks them.
        if (opts.preset || opts.set?.length || (await import('../model/env-names.js')).optionVarNames(process.env).length) (await import('../service/given.js')).checkGiven(opts);
        if (opts.context) await (await import('../service/host.js')).checkContextFlag(opts.context);
        throw new UserError(
          [
            {
              path: '',
              message: `no terminal for the wizard${process.env.CI ? ' (CI is set)' : ''}; run non-interactively with a preset: hd-setup install --preset <name> --yes (list them: hd-setup presets), or render files: hd-setup render --preset <name> --out DIR`,
            },
          ],
          2,
        );
      }
      const { wizardCommand } = await import('./wizard.js');
      return wizardCommand(opts);
    }),
  );
  return program;
}

/** `--set path value` (a space for the "="): commander would say only "too many arguments". */
async function checkSetSpacing(argv: string[]): Promise<void> {
  for (let i = 2; i < argv.length - 2; i++) {
    const flag = argv[i] === '--set' || argv[i] === '-s';
    if (flag && !argv[i + 1]!.includes('=') && !argv[i + 2]!.startsWith('-')) {
      const { setWithoutValue } = await import('../model/load.js');
      throw new UserError([{ path: '--set', message: setWithoutValue(argv[i + 1]!, Object.keys(presetJsonSchema().properties ?? {})) }]);
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const first = argv[2];
  const program = buildProgram({ wizard: first === undefined || first.startsWith('-') });
  try {
    await checkSetSpacing(argv);
    await program.parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      // --json: the flag error as every other error is said there (`{"errors": […]}`), not as text on stderr
      if (jsonFlag()) return reportError(new UserError([{ path: '', message: oneLineError(e.message).trim().replace(/^error: /, '') }]), true);
      return 2;
    }
    return reportError(e, jsonFlag());
  }
}

const code = await main(process.argv);
process.exitCode = code;

// What a product is to the rest of hd-setup: one object per product (src/products/<name>/index.ts),
// listed in the registry (src/products/index.ts). Code outside src/products/ reaches a product only
// through this interface, and never branches on a product's name.
import type * as z from 'zod';
import type { BaseModel, ContainerRuntime, Location, Runtime } from '../model/base.js';
import type { ContainerSpec } from '../plan/containers.js';
import type { HostFacts, InstalledState, Plan, PlannedFile } from '../plan/types.js';
import type { FileBase, RenderEnv, RenderedFile } from '../render/types.js';
import type { ProductWizard } from './wizard.js';

/** What an install looks like on disk and in the runtime: render's output, and decode's input. */
export interface Artifacts {
  location: Location;
  /** File contents by `<base>/<rel>` (base: install, state, systemd). */
  files: Record<string, string>;
  /** docker/podman: the containers, by name. */
  containers: Record<string, ContainerFacts | undefined>;
  /** Kubernetes: the release's user-supplied values (helm get values). */
  values?: Record<string, unknown>;
}

export interface ContainerFacts {
  image: string;
  labels: Record<string, string>;
  /** Restart policy as given to `run --restart` (on-failure:3, always, unless-stopped). */
  restart?: string;
}

/** Settings every product has in some form, named in fix texts and pointers. */
export type Setting = 'installDir' | 'pullPolicy' | 'image' | 'namespace' | 'release' | 'context' | 'timeout' | 'chart' | 'chartVersion' | 'egressCheck';

export const fileKey = (base: FileBase, rel: string) => `${base}/${rel}`;

/** Kubernetes facts of an install, for plans, status and lifecycle commands. */
export interface KubeSpec {
  namespace: string;
  release: string;
  /** Files in the install's state dir that hold a Secret's manifest (removed with the Secrets on uninstall). */
  secretManifests?: string[];
  context?: string;
  chart: string;
  chartVersion?: string;
  timeout: string;
  /** The label selector of the release's pods. */
  selector: string;
  /** What `kubectl logs` takes to show the main pod's logs. */
  logs: string;
  /**
   * Deployments of the release, how to recognise each in the release's manifest (labels), and how many
   * replicas it runs when started. `name` is what the chart names it by default, used only when the
   * manifest cannot be read.
   */
  deployments: { labels: Record<string, string>; name: string; replicas: number }[];
  /** Kinds besides Secret that hd-setup creates beside the release (deleted on uninstall). */
  managedKinds: string[];
  /**
   * The chart's name, when it gives some objects fixed names (not from the release): a second release of it
   * in one namespace fails on them (helm leaves a failed release, and the Secrets applied for it), so an
   * install beside one is refused.
   */
  onePerNamespace?: string;
  /** A PersistentVolumeClaim the release needs (preflight checks it exists), and the --set path that names it. */
  pvc?: { name: string; setting: string };
  /**
   * A Secret that must exist before the install (one the user made): the keys the chart reads from it (each
   * through a secretKeyRef that is not optional: a key missing leaves the pods in CreateContainerConfigError),
   * how to make it (`fix`), and, for a single key whose name is a setting, that setting's --set path.
   * Preflight reads only its key names, never its values.
   */
  requiredSecret?: { name: string; keys?: string[]; keySetting?: string; fix: string };
  /**
   * A Secret hd-setup applies (creates or updates) for the release, and how to keep one of that name that is
   * not hd-setup's: preflight checks that one already there is hd-setup's (its labels, or filled by its
   * ExternalSecret), as the apply would replace what it holds.
   */
  appliedSecret?: { name: string; fix: string };
  /**
   * Where pods of the install must run: node selectors and required node-affinity terms (all expressions of
   * a term must hold on one node), each with what it is and the --set path that changes it. Preflight checks
   * that each matches at least one node.
   */
  placement?: { what: string; fix: string; selector?: Record<string, string>; expressions?: NodeExpression[] }[];
  /** The in-cluster egress check, when the install turns it on, and the --set path of its settings. */
  egressCheck?: { image: string; timeout: string; setting: string };
  /** Container resources the install asks for, each with the --set path of its limits (preflight: limits not below requests). */
  resources?: { what: string; setting: string; requests?: Record<string, string>; limits?: Record<string, string> }[];
}

/** A node-affinity match expression, as the Kubernetes API has it. */
export interface NodeExpression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values: string[];
}

/** What preflight checks need to know about the product (the checks themselves live in exec/). */
export interface HostPolicy {
  /**
   * The docker/podman versions the product's vendor requires (its install script refuses older ones):
   * preflight fails below them, and the wizard says so when the runtime is chosen. None: the vendor
   * states no minimum, and no version is held against the runtime.
   */
  runtimeMinimums?: { docker: string; podman: string };
  /** Recommended host size, if the vendor states one. */
  sizing?: { memoryGb: number; cpus: number };
  /** The product's containers mount the runtime's API socket (why, in a few words): preflight requires the socket file. */
  socket?: { why: string };
  /** The image is published for x86_64 only: preflight warns on another architecture. */
  amd64Only?: boolean;
  /** Kubernetes: the minimum helm version, the minimum server version (if required), the resources the chart creates. */
  kubernetes?: { minHelm: string; minServer?: string; resources(model: BaseModel): string[] };
}

export interface ProductModule {
  id: string;
  title: string;
  /** What runs, as a sentence says it ("the agent", "the executors"): in messages about the install. */
  noun: string;
  /** Its short name, in headers and summaries ("Fivetran agent on docker"). */
  short: string;
  /** The product's section of a preset (key `id`). */
  schema: z.ZodType;
  runtimes: readonly Runtime[];
  /** Checks across the section and the runtime; `base` is the section's path. */
  refine(model: BaseModel, ctx: z.RefinementCtx): void;
  /** Resolve defaults that depend on more than one field (the runtime, say), so that equal models mean equal installs. */
  normalize?(model: BaseModel): void;
  /** Example of the settings that make a minimal preset, for "is required" messages. */
  requiredHint: string;

  /** Where this install is (defaults applied). */
  location(model: BaseModel, home: string): Location;
  /** Where an unparsed preset points (for finding an install before the preset is complete). */
  locate(raw: Record<string, unknown>, runtime: Runtime, home: string): Location;
  /** The --set path of a setting on a runtime, for fix texts and for pointing at an install. */
  settingPath(setting: Setting, runtime: Runtime): string;

  render(model: BaseModel, env: RenderEnv): RenderedFile[];
  /** docker/podman: the containers an install runs. */
  containers(model: BaseModel, host: HostFacts, installDir: string, files: RenderedFile[]): ContainerSpec[];
  /** docker/podman: the container names an install of this product uses, and its network. */
  containerNames: string[];
  network?: string;
  /** systemd user unit that starts the agent at boot, if any. */
  unitName?: string;
  /** The image a docker/podman install runs. */
  image(model: BaseModel): string;
  /** Files that hold the configuration a rollback restores (base-relative). */
  configFiles(runtime: Runtime): { base: FileBase; rel: string }[];

  /** The exact inverse of render (+ the containers): the install as a preset. */
  decode(a: Artifacts, env: RenderEnv): Record<string, unknown>;
  /** Where decode reads from: the files to read (base-relative) and the containers to inspect. */
  reads(runtime: Runtime): { files: { base: FileBase; rel: string }[]; containers: string[] };

  /**
   * docker/podman: `containers` are `containers()`'s, marked by the service layer when they must be
   * recreated to read a rewritten config file (`inputsChanged`); Kubernetes: none.
   */
  plan(model: BaseModel, host: HostFacts, state: InstalledState, files: PlannedFile[], installDir: string, containers: ContainerSpec[]): Plan;
  kube(model: BaseModel): KubeSpec;
  host: HostPolicy;

  /**
   * Paths (dotted) of values that are secret by the product's own rules, beyond the fields its schema
   * marks secret (`secret()` in model/common.ts). The registry (products/secrets.ts) unites both.
   */
  secretRules?(preset: Record<string, unknown>): string[];
  /**
   * Paths (dotted) of values that are not secret yet take `env:`/`file:` references as secrets do (a Tobiko
   * gateway's settings): a relative `file:` given there by --set is read from the working directory too.
   */
  refRules?(preset: Record<string, unknown>): string[];
  /** The environment variable a rule-made secret path (of `preset`, when given) is exported as, where the schema names none (`x-env`). */
  secretEnvName?(path: string, preset?: Record<string, unknown>): string;
  /**
   * docker/podman: the key a secret path (one `secretFields` lists) is written under in the install's config
   * file (an env-file variable, a JSON config field), so that the diagnostics bundle masks that value whole.
   */
  secretConfigKey?(path: string, preset?: Record<string, unknown>): string | undefined;
  /**
   * A secret field's value that names where the secret lives instead of holding it (Tobiko's `remote:<key>`,
   * a key of the external store): no secret on the command line when --set gives one.
   */
  secretPointer?(value: string): boolean;
  /**
   * How the changes list of a re-run says the change of a setting (dotted path) whose values, before and after
   * (undefined: none), would not read as `from -> to`: a list of thousands of items, say. One line, of bounded
   * length; undefined for the usual `from -> to`. Never given a secret's values.
   */
  changeText?(path: string, from: unknown, to: unknown): string | undefined;
  /** Vendor endpoints the agent must reach (doctor). */
  endpoints(model: BaseModel): string[];
  /** The wizard's questions (src/products/<name>/questions.ts; also listed in wizards.ts, which the wizard loads without zod). */
  wizard?: ProductWizard;
}

export type { ContainerRuntime };

/** An unparsed preset's object at a key ({} when it is not one): for reading presets before validation. */
export const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
/** An unparsed preset's non-empty string, else the default. */
export const str = (v: unknown, d: string) => (typeof v === 'string' && v ? v : d);

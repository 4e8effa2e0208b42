// A plan is data: steps of actions. Dry-run describes them; exec/ carries them out.
import type { Runtime } from '../model/base.js';
import type { RenderedFile } from '../render/types.js';

export type CheckId = string;

export type Action =
  | { kind: 'preflight'; checks: CheckId[] }
  /**
   * `missing`: not there when the plan was made (a run puts it back); `blocked`: something else is there, said
   * as "a file", "a link to nothing" (the install-dir check stops the run before anything changes). Unknown: not looked.
   */
  | { kind: 'mkdir'; path: string; mode: number; missing?: boolean; blocked?: string }
  | {
      kind: 'write';
      path: string;
      mode: number;
      content: string;
      secret: boolean;
      /** Copy an existing different file to <path>.bak-<timestamp> first. */
      backup: boolean;
    }
  | {
      kind: 'exec';
      argv: string[];
      /** Fed on stdin (secrets go here, never on argv). */
      stdin?: string;
      /** What stdin holds, for display (the content itself is shown masked). */
      stdinLabel?: string;
      /** Exit codes that count as success besides 0. */
      okExitCodes?: number[];
      /**
       * When it fails with an error output holding one of `when`: `why` is said, and `argv` runs instead (its
       * result is the action's). A podman pull of a short name it cannot resolve: the docker.io name.
       */
      orElse?: { when: string[]; why: string; argv: string[] };
      timeoutMs?: number;
      /** Runs helm with a pod/event watcher beside it (Kubernetes). */
      watch?: {
        namespace: string;
        selector: string;
        context?: string;
        timeoutSetting?: string;
        /**
         * helm: when it fails (or is stopped early), the release goes back to this revision (an upgrade of a
         * deployed release) with helm rollback, or is left for `hd-setup uninstall` (a first install: `release`
         * without `rollbackTo`).
         */
        release?: string;
        rollbackTo?: number;
        timeout?: string;
      };
    }
  | { kind: 'waitContainers'; runtime: 'docker' | 'podman'; runtimeBin: string; names: string[]; timeoutMs: number }
  | { kind: 'releaseStatus'; release: string; namespace: string; selector: string; context?: string }
  /**
   * After an upgrade or rollback of a release from revision `since`: its Deployments whose pod template is the
   * same as in `since` (the change was only in a ConfigMap or Secret the pods read at start) are restarted
   * (kubectl rollout restart), and their new pods waited for (kubectl rollout status, watched like helm).
   */
  | { kind: 'rollout'; release: string; namespace: string; selector: string; context?: string; since: number; timeout: string; timeoutSetting?: string }
  /** `ifEmpty`: a folder, removed only when nothing else is left in it (rmdir). */
  | { kind: 'remove'; path: string; recursive?: boolean; ifEmpty?: boolean }
  | { kind: 'restore'; from: string; to: string }
  | { kind: 'note'; text: string }
  /**
   * systemctl --user daemon-reload + enable, then report whether it starts at boot (exec/boot.ts).
   * `generated`: a unit Quadlet generates (its [Install] section enables it; `enable` is refused).
   * `systemdUser`: what detection found (`systemctl --user` answers); armBoot does not ask again.
   * `reload`: the unit's file is new or changed in this run. Without it, a unit that already starts at boot
   * is left as it is (a re-run changes nothing); with it, systemd reads the file again.
   */
  | { kind: 'boot'; unit: string; user: string; what: string; generated?: boolean; systemdUser?: boolean; reload?: boolean };

export interface Step {
  id: string;
  title: string;
  actions: Action[];
  /** Set when there is nothing to do: the reason is reported and the step shown as skipped. */
  skip?: string;
  /** What to do when this step fails. */
  fix?: string;
  /**
   * The container this step runs, as a read-back sees it (image, hd-setup's labels, restart policy): the
   * install's record keeps it while the install runs, so one that stops before the container exists
   * still reads back with its settings.
   */
  runs?: { name: string; image: string; labels: Record<string, string>; restart: string };
}

/**
 * Kinds of action that leave what an install reads back as it was: checks, notes, waits, folders made
 * (never emptied), the boot unit enabled. No file of the install is written and nothing that runs replaced.
 */
const KEEPS_READ_BACK = new Set<Action['kind']>(['preflight', 'note', 'waitContainers', 'releaseStatus', 'mkdir', 'boot']);

/** Whether the install reads back the same however far the plan gets: each step is skipped, or keeps it. */
export function keepsReadBack(plan: Plan): boolean {
  return plan.steps.every((s) => Boolean(s.skip) || s.actions.every((a) => KEEPS_READ_BACK.has(a.kind)));
}

export interface PlannedFile extends RenderedFile {
  /** Absolute path an install writes. */
  dest: string;
  /** Content currently installed, if any (for the review diff). */
  current?: string;
  /** Its permission bits now, when it exists. */
  currentMode?: number;
}

/**
 * A setting a re-run changes on the install: its value before and after (defaults filled in; absent: none).
 * A secret's values are never held: `secret` says only that it changes, or that a value holding one does.
 */
export interface SettingChange {
  path: string;
  from?: unknown;
  to?: unknown;
  secret?: true;
  /** A secret this run leaves out (--reset): removed. */
  removed?: true;
  /** How the changes list says it, where the product has words of its own for the setting (in place of `from -> to`). */
  text?: string;
  /** A part of an entry of a map added or removed whole (a gateway: renamed, it is both): the list says the entry in one line. */
  entry?: { path: string; kind: 'added' | 'removed' };
}

export interface Plan {
  product: string;
  runtime: Runtime;
  steps: Step[];
  files: PlannedFile[];
  /** What the plan does, for titles: installing (default), uninstalling, stopping, ... */
  verb?: string;
  /** Next steps shown after a successful install. */
  nextSteps: string[];
  /** What the user should know before applying it (where a secret will live, say): shown by dry-run, the review and the summary. */
  warnings?: string[];
  /** How to undo a run of it that fails, where no backup gives one (a first install: uninstall). */
  undoFailed?: string;
}

/** What the CLI detected about the host and what is installed. Plans are pure functions of it. */
export interface HostFacts {
  home: string;
  user: string;
  uid: number;
  /** Absolute runtime binary (docker/podman) used in units. */
  runtimeBin: string;
  rootless: boolean;
  /** Host path of the runtime's API socket. */
  socket: string;
  selinux: boolean;
  /** Whether `systemctl --user` works here. */
  systemdUser: boolean;
  version: string;
  /** The container runtime's version (docker/podman --version), when it was probed. */
  runtimeVersion?: string;
  /** docker: DOCKER_HOST, or the rootless daemon's socket as unix://…; unset for the default daemon. */
  dockerHost?: string;
}

export interface ContainerState {
  name: string;
  status: string;
  running: boolean;
  image: string;
  labels: Record<string, string>;
  /** Restart policy as `run --restart` takes it. */
  restart?: string;
  /** Host paths of its bind mounts (whose it is, for a container made before the owner label). */
  mounts?: string[];
  /** The networks it is attached to, as inspect lists them (unknown: not said). */
  networks?: string[];
}

export interface InstalledState {
  containers: Record<string, ContainerState | undefined>;
  networks: string[];
  images: string[];
  /** Existing file contents by absolute path. */
  files: Record<string, string | undefined>;
  /** Their permission bits (a secret file made readable by others is written again with its own). */
  modes?: Record<string, number>;
  /** The last run that changed the install did not finish (its record says started). */
  unfinished?: boolean;
  kubernetes?: {
    namespaceExists: boolean;
    release?: { revision: number; values: Record<string, unknown>; status?: string; /** The version of the chart it runs (helm list). */ chartVersion?: string };
    /** The Deployments the release's pod selector finds, with the replicas they are scaled to now (unknown: absent). */
    deployments?: { name: string; labels: Record<string, string>; replicas: number }[];
    /** The other releases in the namespace, with their chart (name-version, as helm list says). */
    others?: { name: string; chart: string; status?: string }[];
    /** The names of the Secrets hd-setup applied for this release that are there now (unknown: absent). */
    secrets?: string[];
    /**
     * Those Secrets as they are now, by name: their type, labels and, by key, a digest of each value good only
     * within this run (util/secret-digest.ts). An install from a fresh HOME (a CI runner) compares with them.
     */
    liveSecrets?: Record<string, LiveSecret>;
    /**
     * The objects of the kinds hd-setup applies beside the release besides Secrets (an ExternalSecret), by
     * kind as kubectl names it: the names of those of this release that are there now. A kind absent: unknown.
     */
    managed?: Record<string, string[]>;
    /**
     * The Secrets that workloads of the namespace other than this release's read (another release's
     * Deployment, a pod of any kind): never deleted as no longer used. Unknown: absent (none is then deleted).
     */
    readElsewhere?: string[];
  };
}

export interface LiveSecret {
  type: string;
  labels: Record<string, string>;
  /** key → secretDigest(value) */
  data: Record<string, string>;
  /** It has an owner (made by a controller, such as an ExternalSecret's target): not hd-setup's to delete. */
  owned?: true;
}

export const FRESH: InstalledState = { containers: {}, networks: [], images: [], files: {} };

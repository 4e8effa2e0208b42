// What renderers produce: files, each with where an install puts it and how it is protected.
/** quadlet: ~/.config/containers/systemd (podman's Quadlet files). */
export type FileBase = 'install' | 'state' | 'systemd' | 'quadlet';

export interface RenderedFile {
  /** Path relative to the render --out directory. */
  path: string;
  /** Where an install writes it: relative to the base directory. */
  base: FileBase;
  rel: string;
  mode: number;
  content: string;
  /** True when the content holds a secret value. */
  secret: boolean;
  /** A Secret manifest that holds only some of its keys (the others are kept from an earlier install): merged, not replaced. */
  partial?: boolean;
  description: string;
}

/** Facts about the machine that renderers need; detected by the CLI, fixed in tests. */
export interface RenderEnv {
  home: string;
  selinux: boolean;
  /** Absolute path of the container runtime binary (for systemd units). */
  runtimeBin: string;
  version: string;
  /**
   * The docker daemon the install talks to when it is not the default one (DOCKER_HOST, or the rootless
   * socket): a boot unit must reach the same daemon, and systemd does not pass the login shell's env.
   */
  dockerHost?: string;
}

export function modeString(mode: number): string {
  return '0' + (mode & 0o777).toString(8).padStart(3, '0');
}

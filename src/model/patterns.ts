// The text formats the model accepts, shared by the zod schemas and the wizard's fields so that both
// say the same thing. Plain regexes: the wizard's first screens load this without zod.
import { posix } from 'node:path';
import { CONTROL } from '../util/control.js';
export interface Pattern {
  re: RegExp;
  message: string;
  max?: number;
}

export const PATTERNS = {
  k8sName: { re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, max: 63, message: 'must be a lowercase RFC 1123 name (a-z, 0-9, "-"), e.g. "fivetran"' },
  cpu: { re: /^[0-9]+m?$/, message: 'must match ^[0-9]+m?$, e.g. "2" or "500m"' },
  memory: { re: /^[0-9]+(Mi|Gi)$/, message: 'must match ^[0-9]+(Mi|Gi)$, e.g. "2Gi" or "512Mi"' },
  duration: { re: /^(?=.)([0-9]+h)?([0-9]+m)?([0-9]+s)?$/, message: 'must be a duration like 5m, 90s or 1h30m' },
  envVarName: { re: /^[A-Za-z_][A-Za-z0-9_]*$/, message: 'must be an environment variable name (A-Z, 0-9, _)' },
  affinityRuleName: { re: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: 'rule names use letters, digits, "_", "-" and "."' },
  tobikoOrg: { re: /^[A-Za-z0-9_.-]+$/, message: 'use the organization name as shown in Tobiko Cloud (letters, digits, "_", "-", ".")' },
  tobikoProject: { re: /^[A-Za-z0-9_.-]+$/, message: 'use the project name as shown in Tobiko Cloud (letters, digits, "_", "-", ".")' },
  gatewayName: { re: /^[a-z][a-z0-9_]*$/, max: 63, message: 'gateway names start with a-z and use only a-z, 0-9 and "_"' },
  // what `helm --version` takes: a version or a semver range (helm's Masterminds constraints)
  chartVersion: { re: /^v?(?=[^,|<>=~^ ]*[0-9x*X])[0-9A-Za-z.+*-]+$|^(?=.*[0-9])[0-9A-Za-z.+*^~<>=|, -]+$/, max: 64, message: 'must be a chart version like "0.3.1", or a range helm takes like "^0.3" or ">=0.3.0 <1.0.0"' },
  helmRelease: { re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, max: 53, message: 'must be a Helm release name (a-z, 0-9, "-"), at most 53 characters, e.g. "hd-agent"' },
} satisfies Record<string, Pattern>;

export const tooLong = (max: number) => `must be at most ${max} characters`;

/** A cpu ("2", "500m") or memory ("512Mi", "2Gi") quantity as a number, for comparing a limit with a request. */
export function quantity(q: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(q);
  if (!m) return undefined;
  const unit: Record<string, number> = { m: 1e-3, k: 1e3, Ki: 1024, M: 1e6, Mi: 1024 ** 2, G: 1e9, Gi: 1024 ** 3, T: 1e12, Ti: 1024 ** 4 };
  return Number(m[1]) * (m[2] ? unit[m[2]]! : 1);
}

/** The message for a value that does not fit, else undefined. */
export function mismatch(p: Pattern, value: string): string | undefined {
  if (!p.re.test(value)) return p.message;
  if (p.max !== undefined && value.length > p.max) return tooLong(p.max);
  return undefined;
}

// ---- formats checked where the value is used (ports, hosts, URLs, images, charts, labels, paths) ----
// Functions return the problem (a message naming the fix, never quoting the value) or undefined.

export const portProblem = (v: unknown): string | undefined =>
  (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535) || (typeof v === 'string' && /^[0-9]{1,5}$/.test(v) && +v >= 1 && +v <= 65535)
    ? undefined
    : 'must be a port number, an integer from 1 to 65535';

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
export const isIPv4 = (s: string): boolean => IPV4.test(s);

export function isIPv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return false;
  let head = s;
  let groups = 8;
  const dot = s.lastIndexOf(':');
  if (s.includes('.')) {
    if (!isIPv4(s.slice(dot + 1))) return false;
    head = s.slice(0, dot + 1) + '0:0';
  }
  const parts = head.split('::');
  if (parts.length > 2) return false;
  const hex = (p: string) => (p === '' ? [] : p.split(':'));
  const left = hex(parts[0]!);
  const right = parts.length === 2 ? hex(parts[1]!) : [];
  if ([...left, ...right].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const n = left.length + right.length;
  return parts.length === 2 ? n < groups : n === groups;
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** A DNS name (RFC 1123 labels, letters, digits and "-", at most 253 characters, an optional final dot). */
export function isHostname(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => LABEL.test(l));
}

export const HOST_MESSAGE = 'must be a host name (letters, digits, "-" and "." only) or an IP address';
export const hostProblem = (s: string): string | undefined => (isHostname(s) || isIPv4(s) || isIPv6(s) ? undefined : HOST_MESSAGE);

/** A no_proxy entry: a host, an IP, a CIDR, a .domain suffix or *, with an optional :port. */
export function noProxyProblem(s: string): string | undefined {
  const message = 'must be a host, an IP address, a CIDR (10.0.0.0/8), a .domain suffix or *';
  if (s === '*') return undefined;
  let h = s;
  const port = /^(.*[^:]):([0-9]{1,5})$/.exec(s);
  if (port && !s.startsWith('[') && (s.match(/:/g) ?? []).length === 1) {
    if (portProblem(port[2])) return 'has a port that is not 1-65535';
    h = port[1]!;
  }
  const v6 = /^\[(.*)\](?::([0-9]{1,5}))?$/.exec(h);
  if (v6) return isIPv6(v6[1]!) && (!v6[2] || !portProblem(v6[2])) ? undefined : message;
  const cidr = /^(.*)\/([0-9]{1,3})$/.exec(h);
  if (cidr) {
    const bits = Number(cidr[2]);
    if (isIPv4(cidr[1]!) && bits <= 32) return undefined;
    if (isIPv6(cidr[1]!) && bits <= 128) return undefined;
    return message;
  }
  const d = h.startsWith('*.') ? h.slice(2) : h.startsWith('.') ? h.slice(1) : h;
  return isHostname(d) || isIPv4(d) || isIPv6(d) ? undefined : message;
}

/** A URL: one of the schemes, a valid host, a port 1-65535, no spaces, control characters or trailing text. */
export function urlProblem(s: string, schemes: readonly string[], example: string, escapes = true): string | undefined {
  const must = `must be an ${schemes.map((x) => `${x}://`).join(' or ')} URL, e.g. ${example}`;
  if (CONTROL.test(s) || /\s/.test(s)) return `${must}, without spaces or control characters`;
  // an "@" after a "/", "?" or "#": a password holding one of them unencoded (it read as the host and a bad port)
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^@/?#]*[/?#][^@]*@/.test(s)) return `${must}, with "/", "?" and "#" in the user and password written as %2F, %3F and %23`;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^/?#]*)@)?(\[[^\]]*\]|[^/?#:@[\]]*)(?::([^/?#]*))?([/?#].*)?$/.exec(s);
  if (!m) return must;
  if (!schemes.includes(m[1]!.toLowerCase())) return must;
  const host = m[3]!;
  if (host.startsWith('[') ? !isIPv6(host.slice(1, -1)) : hostProblem(host)) return `${must}; the host must be a host name or an IP address`;
  if (m[4] !== undefined && portProblem(m[4])) {
    // no "@": what follows the ":" may be a password typed before its "@host" (a screen shows it masked, as such)
    const scheme = m[1]!.toLowerCase();
    return m[2] === undefined && !/^[0-9]*$/.test(m[4]) ? `${must}; what follows the ":" after the host must be a port, an integer from 1 to 65535 (a user and password go before an "@": ${scheme}://user:password@host:3128)` : `${must}; the port must be an integer from 1 to 65535`;
  }
  // characters a URL never holds raw (RFC 3986): where a URL is read out of text they end it, so the agent's
  // proxy client and hd-setup's own masking would each read another user and password
  if (escapes && m[2] !== undefined && /["<>\\\x60]/.test(m[2])) return must + ', with " < > \\ and \x60 in the user and password written as %22, %3C, %3E, %5C and %60';
  // a "%" that starts no %XX escape: the user and password would not decode (proxies refuse, or take a wrong one)
  if (escapes && m[2] !== undefined && /%(?![0-9A-Fa-f]{2})/.test(m[2])) return `${must}, with "%" in the user and password only as a %XX escape (write "%" itself as %25)`;
  return undefined;
}

// OCI image reference (distribution/reference grammar): [host[:port]/]path[:tag][@digest].
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const IMAGE_NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const IMAGE_RE = new RegExp(`^(${IMAGE_NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const IMAGE_NAME_RE = new RegExp(`^${IMAGE_NAME}$`);
export const TAG_RE = new RegExp(`^${TAG}$`);

export const IMAGE_MESSAGE = 'must be an image reference like registry.example.com/team/agent:1.2 (lowercase path, optional :tag and @sha256:digest)';
export function imageProblem(s: string): string | undefined {
  const m = IMAGE_RE.exec(s);
  if (!m || (m[1]?.length ?? 0) > 255) return IMAGE_MESSAGE;
  return undefined;
}
export const imageRepositoryProblem = (s: string): string | undefined =>
  IMAGE_NAME_RE.test(s) && s.length <= 255 ? undefined : 'must be an image repository like registry.example.com/team/tcloud (no tag)';
export const imageTagProblem = (s: string): string | undefined => (TAG_RE.test(s) ? undefined : 'must be an image tag: letters, digits, "_", "." and "-", at most 128, not starting with "." or "-"');

/** A Helm chart reference: oci://..., an https URL, repo/name, or a local path. Never a flag. */
export function chartProblem(s: string): string | undefined {
  const must = 'must be a chart reference: oci://registry/path/chart, an https:// URL, repo/name, or a local path (./chart, /abs/chart)';
  if (!s || s.startsWith('-') || CONTROL.test(s) || /\s/.test(s)) return must;
  // never a user or password in it: it is written into values.yaml (0644) and onto helm's command line
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(s)) return 'must not hold a user or password (they would be written into values.yaml and onto helm\'s command line): log in first (helm registry login for oci://, helm repo add --username … --password-stdin for a repository) and give oci://… or repo/name';
  if (s.startsWith('oci://')) return IMAGE_NAME_RE.test(s.slice(6)) ? undefined : must;
  if (/^[a-z][a-z0-9+.-]*:/i.test(s)) return urlProblem(s, ['https', 'http'], 'https://charts.example.com/agent-1.0.0.tgz') ? must : undefined;
  if (/^(\/|\.\/|\.\.\/|~\/)/.test(s)) return undefined;
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(s) ? undefined : must;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A Kubernetes label (or annotation) key: [prefix/]name, prefix a DNS subdomain of at most 253, name at most 63. */
export function labelKeyProblem(k: string): string | undefined {
  const message = 'must be a Kubernetes label key: [prefix/]name, the name at most 63 characters (letters, digits, "-", "_", "."), the prefix a DNS name';
  const slash = k.lastIndexOf('/');
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  if (!LABEL_NAME.test(name)) return message;
  if (slash >= 0) {
    const prefix = k.slice(0, slash);
    if (prefix.length > 253 || !prefix.split('.').every((l) => /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(l))) return message;
  }
  return undefined;
}
export const labelValueProblem = (v: string): string | undefined =>
  v === '' || LABEL_NAME.test(v) ? undefined : 'must be a Kubernetes label value: at most 63 characters, letters, digits, "-", "_" and ".", starting and ending with a letter or digit';

/** A path on this host: no control characters (newline, NUL), at most 4096 characters. */
export const pathProblem = (s: string): string | undefined =>
  CONTROL.test(s) ? 'must not contain control characters (newline, tab, NUL); give a plain directory path' : s.length > 4096 ? tooLong(4096) : undefined;

/** Folders of the system that an install dir must not be, nor be inside (/usr/local/<name> excepted). */
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr'];
/** Folders that hold other folders: an install dir is a folder of its own in one of them, never one of them. */
const SHARED_DIRS = ['/', '/home', '/media', '/mnt', '/opt', '/root', '/snap', '/srv', '/tmp', '/usr/local', '/var', '/var/lib', '/var/tmp'];
const OWN_FOLDER = 'give a folder of its own, e.g. ~/agent or /opt/agent';

/**
 * Where an install keeps its files (docker/podman): a path as pathProblem takes it, absolute or under ~
 * (a relative one would be another folder from each working directory), and never a folder of the system
 * (the agent writes conf/, data/, logs/, tmp/ there and mounts them; /run does not survive a reboot).
 */
export const installDirProblem = (s: string): string | undefined => {
  const p = pathProblem(s);
  if (p) return p;
  // ~/../.. would leave the home folder for one the system checks below never see (/, /etc)
  // docker and podman split a bind mount (-v SRC:DST, Quadlet's Volume=) at ":": the folders would be others
  if (s.includes(':')) return `must not hold ":" (docker and podman read -v SRC:DST up to it, so it would mount another folder); ${OWN_FOLDER}`;
  if (s.startsWith('~/') && s.split('/').includes('..')) return `must not use ".." (it can leave the home folder for a folder of the system); ${OWN_FOLDER}`;
  if (s === '~' || s.startsWith('~/')) return undefined;
  if (!s.startsWith('/')) return `must be an absolute path or start with ~/ (a relative path names another folder from each working directory); ${OWN_FOLDER}`;
  const dir = posix.normalize(s).replace(/(.)\/+$/, '$1');
  if (SHARED_DIRS.includes(dir) || SYSTEM_TREES.includes(dir)) return `is a folder of the system (${dir}); ${OWN_FOLDER}`;
  const tree = SYSTEM_TREES.find((t) => dir.startsWith(`${t}/`));
  if (tree && !dir.startsWith('/usr/local/')) return `is inside ${tree}, a folder of the system; ${OWN_FOLDER}`;
  return undefined;
};

/** Free text that ends up in a file or a command: one line, no control characters. */
export const lineProblem = (s: string): string | undefined => (CONTROL.test(s) ? 'must be one line without control characters' : undefined);

/** A SQLMesh connection param name: it becomes part of an env-file key SQLMESH__GATEWAYS__<G>__CONNECTION__<P>. */
export const PARAM_NAME: Pattern = { re: /^[a-z][a-z0-9_]*$/, max: 100, message: 'connection param names use a-z, 0-9 and "_" (they become SQLMESH__... variable names)' };

/**
 * A PEM block (a key pasted or given by file:) that is cut off: its BEGIN line without the END line of the
 * same label, or with nothing between them. The engine refuses it at connect time only, long after the
 * install said it was fine. Names the label, never a line of the key.
 */
export function pemProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n?/.exec(v.trim());
  if (!m) return undefined;
  const end = `-----END ${m[1]}-----`;
  const at = v.trim().indexOf(end);
  if (at < 0) return `is cut off: it has the -----BEGIN ${m[1]}----- line and no ${end} line; give the whole key (from a file: file:key.pem)`;
  if (!v.trim().slice(m[0].length, at).trim()) return `holds no key between its -----BEGIN ${m[1]}----- and ${end} lines; give the whole key`;
  return undefined;
}

// The text formats the model accepts, shared by the zod schemas and the wizard's fields so that both
// say the same thing. Plain regexes: the wizard's first screens load this without zod.
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
  gatewayName: { re: /^[a-z][a-z0-9_]*$/, message: 'gateway names start with a-z and use only a-z, 0-9 and "_"' },
} satisfies Record<string, Pattern>;

export const tooLong = (max: number) => `must be at most ${max} characters`;

/** The message for a value that does not fit, else undefined. */
export function mismatch(p: Pattern, value: string): string | undefined {
  if (!p.re.test(value)) return p.message;
  if (p.max !== undefined && value.length > p.max) return tooLong(p.max);
  return undefined;
}

// The final summary as plain lines: shared by the plain reporter and the Ink screen.
import type { Summary } from '../exec/events.js';

export function summaryLines(s: Summary, subject: string): string[] {
  const out: string[] = [];
  if (s.ok) out.push(`✔ ${subject}: done.`);
  else if (s.cancelled) out.push(`✖ ${subject}: cancelled.`);
  else out.push(`✖ ${subject}: failed at step "${s.failed}".`);
  if (!s.ok && s.error) out.push(`  Error: ${s.error}`);
  if (!s.ok && s.fix) out.push(`  Fix:   ${s.fix}`);
  if (!s.ok && s.undo) out.push(`  Undo:  ${s.undo}`);
  if (s.changes.length) out.push('  Changed:', ...s.changes.map((c) => `    - ${c}`));
  else out.push('  Changed: nothing');
  if (!s.ok && s.notRun.length) out.push(`  Not done: ${s.notRun.join(', ')}`);
  if (s.backups.length) out.push('  Backups:', ...s.backups.map((b) => `    - ${b}`));
  if (s.warnings.length) out.push('  Warnings:', ...s.warnings.map((w) => `    - ${w}`));
  if (s.ok && s.state?.length) out.push('  State:', ...s.state.map((l) => `    ${l}`));
  if (s.ok && s.nextSteps.length) out.push('  Next steps:', ...s.nextSteps.map((n) => `    ${n}`));
  return out;
}

// The interactive wizard (TTY only).
export async function wizardCommand(): Promise<number> {
  process.stderr.write('The wizard is not available yet; use: hd-setup install --preset <name>\n');
  return 2;
}

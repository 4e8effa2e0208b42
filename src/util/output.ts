// Every byte written to stdout/stderr goes through the redactor: the last line of defence for secrets.
import { Redactor } from './redact.js';

export const redactor = new Redactor();
let installed = false;

export function guardOutput(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const orig = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    (stream as unknown as { write: (...a: unknown[]) => boolean }).write = (chunk: unknown, ...rest: unknown[]) => {
      if (redactor.size > 0) {
        if (typeof chunk === 'string') chunk = redactor.redact(chunk);
        else if (chunk instanceof Uint8Array) chunk = redactor.redact(Buffer.from(chunk).toString('utf8'));
      }
      return orig(chunk, ...rest);
    };
  }
}

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI);
}

// Every byte written to stdout/stderr goes through the redactor: the last line of defence for secrets.
// Writes are masked as a stream: a secret (or a URL's credentials) split across two write() calls is
// still masked, because the tail that may continue into the next write is held back until it does, or
// for HOLD_MS (so a prompt that ends in such a tail still shows), or until exit.
import { StringDecoder } from 'node:string_decoder';
import { Redactor, type StreamRedactor } from './redact.js';

export const redactor = new Redactor();
let installed = false;

type Write = (...a: unknown[]) => boolean;

/** How long a held tail waits for the write that continues it. */
export const HOLD_MS = 250;

/** Route a stream's writes through a StreamRedactor. Returns a function that writes out the held tail. */
export function guardStream(stream: NodeJS.WriteStream, r: Redactor = redactor): () => void {
  const orig = stream.write.bind(stream) as Write;
  const masker: StreamRedactor = r.stream();
  const decoder = new StringDecoder('utf8');
  let timer: NodeJS.Timeout | undefined;
  // After the exit flush nothing comes later to continue a held tail, and no flush follows: a write from
  // a later exit handler (the terminal's cursor shown again, "\x1b[?25h") is masked and written whole.
  let ended = false;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const rest = masker.end() + decoder.end();
    if (rest) orig(rest);
  };
  (stream as unknown as { write: Write }).write = (chunk: unknown, ...rest: unknown[]) => {
    let text: string;
    if (typeof chunk === 'string') {
      const enc = typeof rest[0] === 'string' ? (rest.shift() as BufferEncoding) : undefined;
      text = enc && enc !== 'utf8' && enc !== 'utf-8' ? Buffer.from(chunk, enc).toString('utf8') : chunk;
    } else if (chunk instanceof Uint8Array) {
      if (typeof rest[0] === 'string') rest.shift();
      text = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } else return orig(chunk, ...rest);
    if (ended) return orig(masker.feed(text) + masker.end(), ...rest);
    const out = masker.feed(text);
    if (masker.held && !timer) timer = setTimeout(flush, HOLD_MS).unref();
    else if (!masker.held && timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    return orig(out, ...rest);
  };
  process.on('exit', () => {
    flush();
    ended = true;
  });
  return flush;
}

export function guardOutput(): void {
  if (installed) return;
  installed = true;
  guardStream(process.stdout);
  guardStream(process.stderr);
}

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI);
}

export { printable } from './control.js';

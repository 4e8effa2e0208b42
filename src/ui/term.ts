// What the terminal can take, for the Ink screens (the wizard, the live status screen).
// - Below a minimum size, or with TERM=dumb, an Ink screen cannot be drawn: it would print one
//   character per line (a terminal that reports 0×0) or escape codes a dumb terminal shows raw. The
//   wizard asks in plain lines there (ui/wiz/plain.ts), and progress is plain lines.
// - Ink clears the terminal with ESC[2J ESC[3J ESC[H when a frame is as tall as the window; ESC[3J wipes
//   the user's scrollback, which is theirs: the stream Ink writes to drops it (the screen clear stays).

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;

interface Tty {
  columns?: number | undefined;
  rows?: number | undefined;
}

/** Why an Ink screen cannot be drawn on this terminal (one short clause), or undefined. */
export function terminalProblem(out: Tty, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if ((env.TERM ?? '').toLowerCase() === 'dumb') return 'this terminal (TERM=dumb) cannot draw the full-screen wizard';
  const cols = out.columns ?? 0;
  const rows = out.rows ?? 0;
  if (cols < MIN_COLUMNS || rows < MIN_ROWS) return `the terminal is too small for the full-screen wizard (${cols}×${rows}; it needs at least ${MIN_COLUMNS}×${MIN_ROWS})`;
  return undefined;
}

/** ACCESSIBLE=1 (the convention of charmbracelet/huh; --plain sets it): line prompts and plain progress lines. */
export function accessibleRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.ACCESSIBLE;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Erase Saved Lines (xterm): the scrollback. */
const CLEAR_SCROLLBACK = '\u001B[3J';

const wrapped = new WeakMap<NodeJS.WriteStream, NodeJS.WriteStream>();

/** The stream as Ink should see it: the same stream, except that nothing it writes clears the scrollback. */
export function keepScrollback(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  const known = wrapped.get(stream);
  if (known) return known;
  const proxy = new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...a: unknown[]) => boolean)(typeof chunk === 'string' && chunk.includes(CLEAR_SCROLLBACK) ? chunk.replaceAll(CLEAR_SCROLLBACK, '') : chunk, ...rest);
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  wrapped.set(stream, proxy);
  return proxy;
}

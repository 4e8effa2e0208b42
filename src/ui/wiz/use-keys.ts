// Raw key input for the wizard: Ink's input events (one escape sequence, or a run of plain text, each)
// before useInput's interpretation, which cannot tell Backspace from Delete and drops Alt-b/f/d.
// The sequences are parsed by keys.ts (pure, tested without Ink).
import { useLayoutEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { PASTE_WAIT_MS, closePaste, joinPastes, type PasteJoin } from './keys.js';

/**
 * Call `handler` with each raw input event while `isActive`; the terminal is in raw mode meanwhile.
 * The listener is (un)subscribed in a layout effect, during the commit: with a passive effect, a key that
 * arrives right after a screen changed (the save field just opened) could still go to the old listener.
 * The handler is always the latest render's, so it never acts on stale state. A bracketed paste reaches
 * it whole, as one call (keys.ts joinPastes), however many events and reads it took.
 */
export function useRawInput(handler: (data: string) => void, { isActive = true }: { isActive?: boolean } = {}): void {
  const { setRawMode, internal_eventEmitter: events } = useStdin();
  const current = useRef(handler);
  current.current = handler;
  useLayoutEffect(() => {
    if (!isActive) return;
    setRawMode(true);
    let join: PasteJoin = {};
    let stuck: NodeJS.Timeout | undefined;
    const on = (data: string | Buffer) => {
      clearTimeout(stuck);
      const r = joinPastes(join, String(data));
      join = r.state;
      for (const unit of r.units) current.current(unit);
      // A paste whose end never comes (a terminal that lost it) would take every key, Ctrl-C too (raw mode
      // makes it a byte): after a second without it, the paste ends as it is, and keys are keys again.
      if (join.open !== undefined || join.held !== undefined) stuck = setTimeout(unstick, PASTE_WAIT_MS);
    };
    const unstick = () => {
      const open = join.open;
      join = {};
      if (open !== undefined) current.current(closePaste(open));
    };
    events.on('input', on);
    return () => {
      clearTimeout(stuck);
      events.removeListener('input', on);
      setRawMode(false);
    };
  }, [isActive, events, setRawMode]);
}

// Raw key input for the wizard: Ink's input events (one escape sequence, or a run of plain text, each)
// before useInput's interpretation, which cannot tell Backspace from Delete and drops Alt-b/f/d.
// The sequences are parsed by keys.ts (pure, tested without Ink).
import { useLayoutEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { joinPastes } from './keys.js';

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
    let open: string | undefined;
    const on = (data: string | Buffer) => {
      const joined = joinPastes(open, String(data));
      open = joined.open;
      for (const unit of joined.units) current.current(unit);
    };
    events.on('input', on);
    return () => {
      events.removeListener('input', on);
      setRawMode(false);
    };
  }, [isActive, events, setRawMode]);
}

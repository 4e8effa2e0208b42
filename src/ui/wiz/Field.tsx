// A single-line text field. Unlike a controlled input that computes from its last rendered value, it
// keeps the value in a ref, so keys that arrive faster than renders (pasting, fast typing) are not lost.
import React, { useRef } from 'react';
import { Text, useInput } from 'ink';

export function Field({ value, onChange, onSubmit, mask, display, isActive = true }: { value: string; onChange: (v: string) => void; onSubmit: (v: string) => void; mask?: string; display?: (v: string) => string; isActive?: boolean }) {
  const current = useRef(value);
  const emitted = useRef(value);
  // Adopt the value only when it changed from outside (a new question); never from a late render of
  // a value we emitted earlier (a passive effect here would overwrite keys typed in between).
  if (value !== emitted.current) {
    current.current = value;
    emitted.current = value;
  }
  useInput(
    (input, key) => {
      if (key.return) return onSubmit(current.current);
      if (key.escape || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab || (key.ctrl && input !== 'h') || key.meta) return;
      let v = current.current;
      let submit = false;
      if (key.backspace || key.delete || (key.ctrl && input === 'h')) v = [...v].slice(0, -1).join('');
      else {
        // A chunk can hold several keys (fast typing, a paste, tmux): apply them in order; an Enter in
        // it submits what came before.
        for (const ch of input) {
          if (ch === '\r' || ch === '\n') {
            submit = true;
            break;
          }
          v = ch === '\x7f' || ch === '\b' ? [...v].slice(0, -1).join('') : ch < ' ' ? v : v + ch;
        }
      }
      current.current = v;
      emitted.current = v;
      onChange(v);
      if (submit) onSubmit(v);
    },
    { isActive },
  );
  const shown = mask ? mask.repeat(value.length) : display ? display(value) : value;
  return (
    <Text>
      {shown}
      <Text inverse> </Text>
    </Text>
  );
}

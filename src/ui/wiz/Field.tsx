// A single-line text field. Unlike a controlled input that computes from its last rendered value, it
// keeps the value in a ref, so keys that arrive faster than renders (pasting, fast typing) are not lost.
import React, { useRef } from 'react';
import { useInput } from 'ink';
import { TextView } from './Choice.js';
import { editLine, splitKeys } from './keys.js';

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
      // A chunk can hold several keys (fast typing, a paste, tmux): apply them in order; an Enter in it
      // submits what came before.
      let v = current.current;
      let submit = false;
      for (const k of splitKeys({ ...key, input })) {
        const r = editLine(v, k);
        if (r === 'submit') {
          submit = true;
          break;
        }
        if (r !== undefined) v = r;
      }
      if (v !== current.current) {
        current.current = v;
        emitted.current = v;
        onChange(v);
      }
      if (submit) onSubmit(v);
    },
    { isActive },
  );
  return <TextView value={value} {...(mask ? { mask } : {})} {...(display ? { display } : {})} />;
}

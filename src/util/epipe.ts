// A closed stdout (`hd-setup status | head -3`, `hd-setup schema | head -1`) is not an error: the reader
// has what it wanted. Node reports it as an 'error' event on the stream (EPIPE), which, unhandled,
// crashes with a stack trace. Installed once, from the entry points: a closed stdout or stderr ends the
// process quietly with the command's exit code so far (0 if none yet).
// Not while a plan changes the install (`hd-setup install … 2>&1 | head`): ending there would leave it half
// changed (a container removed, its replacement not started) and say 0. The plan runs to its end, its
// output going nowhere, and the run exits with its own code.
import { planRunning } from './interrupt.js';

let installed = false;

export function exitQuietlyOnEpipe(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
        // The stream is destroyed: later writes (the summary's too) go nowhere, and raise no second error.
        if (planRunning()) return;
        // Nothing more can be written there; what is still queued would fail the same way.
        process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      }
      // Any other write error (a full disk behind a redirect): one line on the other stream, exit 1.
      const other = stream === process.stdout ? process.stderr : process.stdout;
      try {
        other.write(`error: cannot write the output: ${e.message}\n`);
      } finally {
        process.exit(1);
      }
    });
  }
}

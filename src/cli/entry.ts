// The entry chunk: answers --version with nothing else loaded (no chunk, no import: each costs start-up
// time); everything else starts in entry-run.ts.
declare const __HD_VERSION__: string | undefined;

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // `hd-setup --version | head -c1`: a closed stdout ends quietly; any other write error is one line and
  // exit 1 (util/epipe.ts, which the other commands install, does the same).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    const closed = e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED';
    if (!closed) process.stderr.write(`error: cannot write the output: ${e.message}\n`);
    process.exit(closed ? 0 : 1);
  });
  // bundled: the version is built in; from the source: version.ts reads it
  process.stdout.write(`${typeof __HD_VERSION__ === 'string' ? __HD_VERSION__ : (await import('../version.js')).VERSION}\n`);
} else await import('./entry-run.js');

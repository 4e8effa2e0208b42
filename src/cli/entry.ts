// The entry chunk: answers --version with almost nothing loaded; everything else starts in entry-run.ts.
import { VERSION } from '../version.js';
import { exitQuietlyOnEpipe } from '../util/epipe.js';

exitQuietlyOnEpipe(); // `hd-setup --version | head -c1`: a closed stdout ends quietly, from the first write on

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) process.stdout.write(`${VERSION}\n`);
else await import('./entry-run.js');

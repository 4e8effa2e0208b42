// The entry chunk: answers --version with nothing else loaded (one module); everything else starts in
// entry-run.ts.
import { VERSION } from '../version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) process.stdout.write(`${VERSION}\n`);
else await import('./entry-run.js');

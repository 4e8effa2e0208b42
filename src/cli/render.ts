// hd-setup render: write exactly the files an install would write, into --out, and nothing else.
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../model/errors.js';
import { detectHost } from '../exec/detect.js';
import { modeString } from '../render/index.js';
import { render } from '../service/plan.js';
import { ensureDir, writeFileAtomic } from '../util/fsx.js';
import { outputDirProblem } from '../util/paths.js';
import { loadFromFlags, printJson, type ModelFlags } from './context.js';

export async function renderCommand(flags: ModelFlags & { out?: string }): Promise<number> {
  if (!flags.out) throw new UserError([{ path: '--out', message: 'is required: the directory to write the files into, e.g. --out ./rendered' }]);
  const outProblem = outputDirProblem(resolve(flags.out));
  if (outProblem) throw new UserError([{ path: '--out', message: outProblem }]);
  const { model } = loadFromFlags(flags);
  const host = await detectHost(model.runtime, { light: true });
  const files = render(model, host);
  const out = resolve(flags.out);
  ensureDir(out, 0o700, false);
  for (const f of files) {
    const dest = join(out, f.path);
    if (dirname(dest) !== out) ensureDir(dirname(dest), 0o700);
    writeFileAtomic(dest, f.content, f.mode);
  }
  if (flags.json) {
    printJson({ files: files.map((f) => ({ path: f.path, mode: modeString(f.mode), bytes: Buffer.byteLength(f.content) })) });
  } else {
    for (const f of files) process.stdout.write(`${modeString(f.mode)}  ${join(out, f.path)}  ${f.description}\n`);
  }
  return 0;
}

// hd-setup render: write exactly the files an install would write, into --out, and nothing else.
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../model/errors.js';
import { detectHost } from '../exec/detect.js';
import { modeString } from '../render/index.js';
import { render } from '../service/plan.js';
import { backupFile, ensureDir, prunedLine, writeFileAtomic } from '../util/fsx.js';
import { readBoundedText } from '../util/bounded-read.js';
import { LIMITS } from '../model/limits.js';
import { lstatSync, statSync } from 'node:fs';
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
  // A file already there with other text (an earlier render edited, a file of the user's) is kept as
  // FILE.bak-<time> before it is replaced, as an install keeps the config it replaces.
  // Every place is checked before anything is written (a folder where a file goes: nothing written).
  const there = files.map((f) => {
    const dest = join(out, f.path);
    const now = readBoundedText(dest, LIMITS.fileBytes, { followLink: false });
    if (!now.ok && now.why !== 'does not exist' && !lstatSync(dest).isSymbolicLink()) throw new UserError([{ path: '--out', message: `${dest} ${now.why}; move it away, or give another folder` }]);
    return { f, dest, differs: now.ok && now.text !== f.content };
  });
  ensureDir(out, 0o700, false);
  // A folder anyone may write (not sticky, as /tmp is): another user could swap the files that hold secrets
  // for their own, or move them away, after this run. Said, not refused: the folder is the user's choice.
  const dirMode = statSync(out).mode;
  if (files.some((f) => (f.mode & 0o077) === 0) && (dirMode & 0o002) !== 0 && (dirMode & 0o1000) === 0) {
    process.stderr.write(`warning: --out: ${out} is mode ${(dirMode & 0o7777).toString(8).padStart(4, '0')}: anyone may write there, and so swap or move away the files that hold secrets (their own mode is 0600); give a folder only you can write, or chmod o-w ${out}\n`);
  }
  const kept: string[] = [];
  const pruned: string[] = [];
  for (const { f, dest, differs } of there) {
    if (dirname(dest) !== out) ensureDir(dirname(dest), 0o700);
    if (differs) {
      const b = backupFile(dest)!;
      kept.push(b.path);
      pruned.push(...b.pruned);
    }
    writeFileAtomic(dest, f.content, f.mode);
  }
  if (flags.json) {
    printJson({ files: files.map((f) => ({ path: f.path, mode: modeString(f.mode), bytes: Buffer.byteLength(f.content) })), ...(kept.length ? { backups: kept } : {}), ...(pruned.length ? { removedBackups: pruned } : {}) });
  } else {
    for (const f of files) process.stdout.write(`${modeString(f.mode)}  ${join(out, f.path)}  ${f.description}\n`);
    for (const b of kept) process.stderr.write(`kept the file it replaced, which held other text: ${b}\n`);
    const line = prunedLine(pruned);
    if (line) process.stderr.write(`${line}\n`);
  }
  return 0;
}

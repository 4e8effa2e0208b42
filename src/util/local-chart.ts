// A chart reference that names a chart on this host (a directory, or a packaged .tgz), as helm takes it:
// helm installs what is there and ignores --version for it, so its version is the one its Chart.yaml says.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readBoundedText } from './bounded-read.js';

/** The largest packaged chart read for its Chart.yaml (the Fivetran chart is a few kB). */
const MAX_CHART_BYTES = 16 * 1024 * 1024;

/** Whether a chart reference is a path on this host rather than a registry's (what helm decides, and preflight with it). */
export function isLocalChart(ref: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) && existsSync(ref);
}

/** The `version:` of a Chart.yaml (or of `helm show chart`), quoted or not. */
export function chartYamlVersion(text: string): string | undefined {
  return /^version:[ \t]*["']?([^"'\s#]+)/m.exec(text)?.[1];
}

export type LocalChart = { version: string } | { problem: string };

/**
 * What a local chart says of itself: its version, or why it has none to read (no Chart.yaml, a .tgz that is
 * not a chart). Undefined for a reference that is not a local path.
 */
export function localChart(ref: string): LocalChart | undefined {
  if (!isLocalChart(ref)) return undefined;
  let text: string | undefined;
  try {
    const st = statSync(ref);
    if (st.isDirectory()) {
      const r = readBoundedText(join(ref, 'Chart.yaml'));
      if (!r.ok) return { problem: `${ref} is not a chart: its Chart.yaml ${r.why}` };
      text = r.text;
    } else {
      if (!st.isFile() || st.size > MAX_CHART_BYTES) return { problem: `${ref} is not a chart: neither a directory nor a packaged chart (.tgz)` };
      text = chartYamlInTgz(readFileSync(ref));
      if (text === undefined) return { problem: `${ref} is not a chart: neither a directory nor a packaged chart (a .tgz holding <name>/Chart.yaml)` };
    }
  } catch (e) {
    return { problem: `${ref} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const version = chartYamlVersion(text);
  return version ? { version } : { problem: `the Chart.yaml of ${ref} names no version` };
}

/** The text of <name>/Chart.yaml in a packaged chart (gzip of a tar), or undefined. */
function chartYamlInTgz(gz: Buffer): string | undefined {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: MAX_CHART_BYTES * 4 });
  } catch {
    return undefined;
  }
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, len: number) => header.subarray(from, from + len).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) return undefined;
    const type = field(156, 1);
    const body = tar.subarray(at + 512, at + 512 + size);
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if ((type === '0' || type === '') && /^[^/]+\/Chart\.yaml$/.test(name)) return body.toString('utf8');
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

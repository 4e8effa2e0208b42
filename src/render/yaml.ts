// YAML out (Helm values, saved presets) with js-yaml, the same library that reads presets: one YAML
// library in the bundle. Strings YAML 1.1 would read as something else ("yes", "on", "0755") are quoted,
// which is what Helm's parser needs.
import { dump } from 'js-yaml';

/** With sortKeys, maps are written in key order: the same values give the same file, whatever the order they came in (helm reads maps unordered). */
export function toYaml(value: unknown, header?: string, opts: { sortKeys?: boolean } = {}): string {
  const body = dump(value, { lineWidth: -1, indent: 2, noRefs: true, quotingType: '"', sortKeys: Boolean(opts.sortKeys) });
  return header ? `${header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n${body}` : body;
}

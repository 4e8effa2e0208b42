// YAML out (Helm values, saved presets) with js-yaml, the same library that reads presets: one YAML
// library in the bundle. Strings YAML 1.1 would read as something else ("yes", "on", "0755") are quoted,
// which is what Helm's parser needs.
import { dump } from 'js-yaml';

export function toYaml(value: unknown, header?: string): string {
  const body = dump(value, { lineWidth: -1, indent: 2, noRefs: true, quotingType: '"' });
  return header ? `${header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n${body}` : body;
}

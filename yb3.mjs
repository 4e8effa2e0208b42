import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/p10k.yaml', 'utf8');
const which = process.argv[2];
const a = process.cpuUsage();
if (which === 'yaml') { const { parse } = await import('yaml'); const b0 = process.cpuUsage(a); const a2 = process.cpuUsage(); parse(text); const b = process.cpuUsage(a2); console.log('yaml import', ((b0.user+b0.system)/1000).toFixed(0), 'parse', ((b.user + b.system) / 1000).toFixed(0)); }
else { const { load, CORE_SCHEMA } = await import('js-yaml'); const b0 = process.cpuUsage(a); const a2 = process.cpuUsage(); load(text, { schema: CORE_SCHEMA }); const b = process.cpuUsage(a2); console.log('js-yaml import', ((b0.user+b0.system)/1000).toFixed(0), 'parse', ((b.user + b.system) / 1000).toFixed(0)); }

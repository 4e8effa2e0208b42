#!/usr/bin/env node
// Node 22.1+ caches compiled code between runs (a no-op on Node 20).
import module from 'node:module';
module.enableCompileCache?.();
await import('../dist/hd-setup.mjs');

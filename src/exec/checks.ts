// Every preflight check, by id.
import { containerChecks, type Check } from './preflight.js';
import { kubernetesChecks } from './preflight-k8s.js';

export const allChecks: Record<string, Check> = { ...containerChecks, ...kubernetesChecks };

// Small pure pieces the mutation sample found untested.
import { describe, expect, it } from 'vitest';
import { windowStart } from '../src/ui/wiz/Choice.js';
import { unreachableCause } from '../src/exec/kube-reach.js';

describe('the option list window', () => {
  it('keeps the cursor centred when it can, and stops at the ends', () => {
    expect(windowStart(3, 5, 10)).toBe(0); // all fit
    expect(windowStart(0, 30, 10)).toBe(0);
    expect(windowStart(12, 30, 10)).toBe(7); // 12 - 5: the cursor in the middle row
    expect(windowStart(15, 30, 6)).toBe(12);
    expect(windowStart(29, 30, 10)).toBe(20); // the last page
  });
});

describe('why a Kubernetes API server is unreachable', () => {
  it('names each cause the clients report', () => {
    expect(unreachableCause({ stderr: 'dial tcp 10.0.0.1:6443: connect: no route to host' })).toBe('no route to it (VPN down?)');
    expect(unreachableCause({ stderr: 'dial tcp: connect: network is unreachable' })).toBe('no route to it (VPN down?)');
    expect(unreachableCause({ stderr: 'dial tcp 127.0.0.1:1: connect: connection refused' })).toBe('connection refused (nothing listens at that address)');
    expect(unreachableCause({ stderr: 'dial tcp: lookup k8s.example: no such host' })).toBe('the host name does not resolve');
    expect(unreachableCause({ stderr: '', failure: 'timeout' })).toMatch(/^no answer within /);
  });
});

// exec/node-match.ts: the scheduler's rule for node selectors and node-affinity expressions, which the
// placement preflight and the watcher share (test/k8s-real/preflight.test.ts drives it through the real kubectl).
import { describe, expect, it } from 'vitest';
import { expressionMatches, nodeMatches } from '../src/exec/node-match.js';

const node = { pool: 'agents', cores: '16', zone: 'a' };

describe('expressionMatches', () => {
  it.each([
    ['In', 'pool', ['agents', 'batch'], true],
    ['In', 'pool', ['batch'], false],
    ['In', 'gpu', ['yes'], false],
    ['NotIn', 'pool', ['batch'], true],
    ['NotIn', 'pool', ['agents'], false],
    ['NotIn', 'gpu', ['yes'], true], // a missing label is not in any list
    ['Exists', 'pool', [], true],
    ['Exists', 'gpu', [], false],
    ['DoesNotExist', 'gpu', [], true],
    ['DoesNotExist', 'pool', [], false],
    ['Gt', 'cores', ['8'], true],
    ['Gt', 'cores', ['16'], false],
    ['Lt', 'cores', ['17'], true],
    ['Lt', 'cores', ['16'], false],
    ['Gt', 'zone', ['0'], false], // not an integer
    ['Gt', 'gpu', ['0'], false], // missing
    ['Like', 'pool', ['agents'], false], // an operator the API server refuses: no node meets it
  ] as const)('%s %s %j → %s', (operator, key, values, expected) => {
    expect(expressionMatches(node, { key, operator, values })).toBe(expected);
  });
  it('values missing from an expression read as an empty list', () => {
    expect(expressionMatches(node, { key: 'pool', operator: 'In' })).toBe(false);
    expect(expressionMatches(node, { key: 'pool', operator: 'NotIn' })).toBe(true);
  });
});

describe('nodeMatches', () => {
  it('needs every selector pair and every expression', () => {
    expect(nodeMatches(node, { pool: 'agents' }, [{ key: 'cores', operator: 'Gt', values: ['8'] }])).toBe(true);
    expect(nodeMatches(node, { pool: 'agents', zone: 'b' })).toBe(false);
    expect(nodeMatches(node, {}, [{ key: 'cores', operator: 'Gt', values: ['8'] }, { key: 'gpu', operator: 'Exists' }])).toBe(false);
    expect(nodeMatches(node)).toBe(true);
  });
});

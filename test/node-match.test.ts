// exec/node-match.ts: the scheduler's rule for node selectors and node-affinity expressions, which the
// placement preflight and the watcher share (test/k8s-real/preflight.test.ts drives it through the real kubectl).
import { describe, expect, it } from 'vitest';
import { expressionMatches, nodeMatches, unmetPlacement } from '../src/exec/node-match.js';

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

describe('unmetPlacement: why no node takes a pod (the stuck-pod watcher)', () => {
  const nodes = [
    { pool: 'agents', zone: 'b', cores: '4' },
    { pool: 'batch', zone: 'a', cores: '16' },
  ];
  const expr = (key: string, operator: string, ...values: string[]) => ({ key, operator, values });
  it('a placement some node meets is not the cause', () => {
    expect(unmetPlacement(nodes, { pool: 'agents' })).toBeUndefined();
    expect(unmetPlacement(nodes, {}, [[expr('cores', 'Gt', '8')]])).toBeUndefined();
    // terms are alternatives: one met is enough
    expect(unmetPlacement(nodes, { zone: 'a' }, [[expr('pool', 'In', 'gpu')], [expr('cores', 'Gt', '8')]])).toBeUndefined();
    expect(unmetPlacement(nodes)).toBeUndefined();
  });
  it('names each part that no node meets even alone, with the label that would meet it', () => {
    expect(unmetPlacement(nodes, { pool: 'gpu', zone: 'a' }, [[expr('disk', 'In', 'ssd'), expr('cores', 'Gt', '32')]])).toEqual({
      together: false,
      parts: [
        { text: 'node selector pool=gpu', label: 'pool=gpu' },
        { text: 'node affinity disk In ssd', label: 'disk=ssd' },
        { text: 'node affinity cores Gt 32' }, // no label meets a number rule
      ],
    });
  });
  it('parts that some node meets each, but no node all of them, are named together', () => {
    expect(unmetPlacement(nodes, { pool: 'agents', zone: 'a' })).toEqual({
      together: true,
      parts: [
        { text: 'node selector pool=agents', label: 'pool=agents' },
        { text: 'node selector zone=a', label: 'zone=a' },
      ],
    });
    expect(unmetPlacement(nodes, { pool: 'agents' }, [[expr('cores', 'Gt', '8')]])).toEqual({
      together: true,
      parts: [{ text: 'node selector pool=agents', label: 'pool=agents' }, { text: 'node affinity cores Gt 8' }],
    });
    expect(unmetPlacement(nodes, {}, [[expr('pool', 'In', 'agents'), expr('zone', 'In', 'a')]])?.together).toBe(true);
  });
  it('a term without expressions matches no node (the API rule)', () => {
    expect(unmetPlacement(nodes, {}, [[]])).toEqual({ together: true, parts: [] });
  });
});

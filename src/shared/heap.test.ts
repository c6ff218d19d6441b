// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHeap } from './heap.js';

const byValue = () => createHeap<number>({ before: (a, b) => a < b });

describe('createHeap', () => {
  it('is empty at first', () => {
    const heap = byValue();
    expect([heap.size, heap.peek(), heap.pop()]).toEqual([0, undefined, undefined]);
  });

  it('gives back any pushes and pops in order, with retain in between (property)', () => {
    const step = fc.oneof(
      fc.record({ push: fc.integer({ min: -50, max: 50 }) }),
      fc.constant({ pop: true }),
      fc.record({ retainOver: fc.integer({ min: -50, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const heap = byValue();
        let model: number[] = [];
        for (const s of steps) {
          if ('push' in s) {
            heap.push(s.push);
            model.push(s.push);
          } else if ('pop' in s) {
            model.sort((a, b) => a - b);
            expect(heap.pop()).toBe(model.shift());
          } else {
            heap.retain((x) => x > s.retainOver);
            model = model.filter((x) => x > s.retainOver);
          }
          expect(heap.size).toBe(model.length);
          expect(heap.peek()).toBe(model.length ? Math.min(...model) : undefined);
        }
      }),
    );
  });

  it('breaks ties the way before says: a secondary key keeps equal firings in their order', () => {
    const heap = createHeap<[number, number]>({ before: (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]) });
    for (const item of [[5, 3], [5, 1], [1, 9], [5, 2]] as const) heap.push([...item]);
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()]).toEqual([[1, 9], [5, 1], [5, 2], [5, 3]]);
  });
});

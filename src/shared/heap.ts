/**
 * A binary min-heap: the scheduler's queue of next firings, so that finding the
 * soonest costs O(log n), not a pass over every timer.
 */
export interface Heap<T> {
  push(item: T): void;
  /** The first item by `before`, left in place; undefined when empty. */
  peek(): T | undefined;
  /** Takes the first item out. */
  pop(): T | undefined;
  /** Keeps the items `keep` says yes to, in O(n): dropping stale items all at once, or emptying the heap. */
  retain(keep: (item: T) => boolean): void;
  readonly size: number;
}

/** `before(a, b)`: `a` comes out first. */
export function createHeap<T>({ before }: { before: (a: T, b: T) => boolean }): Heap<T> {
  let items: T[] = [];
  const swap = (i: number, j: number) => ([items[i], items[j]] = [items[j]!, items[i]!]);
  const up = (i: number) => {
    for (let parent; i > 0 && before(items[i]!, items[(parent = (i - 1) >> 1)]!); i = parent) swap(i, parent);
  };
  const down = (i: number) => {
    for (;;) {
      const left = 2 * i + 1;
      let first = i;
      if (left < items.length && before(items[left]!, items[first]!)) first = left;
      if (left + 1 < items.length && before(items[left + 1]!, items[first]!)) first = left + 1;
      if (first === i) return;
      swap(i, first);
      i = first;
    }
  };
  return {
    push(item) {
      items.push(item);
      up(items.length - 1);
    },
    peek: () => items[0],
    pop() {
      const first = items[0];
      const last = items.pop();
      if (items.length > 0) {
        items[0] = last!;
        down(0);
      }
      return first;
    },
    retain(keep) {
      items = items.filter(keep);
      // Floyd: sifting down from the last parent builds the heap in O(n).
      for (let i = (items.length >> 1) - 1; i >= 0; i--) down(i);
    },
    get size() {
      return items.length;
    },
  };
}

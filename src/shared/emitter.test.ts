import { describe, expect, it, vi } from 'vitest';
import { createEmitter } from './emitter.js';

interface Events {
  ping: number;
  pong: string;
}

describe('createEmitter', () => {
  it('calls the listeners of an event in the order they were added, with the payload', () => {
    const emitter = createEmitter<Events>(() => {});
    const calls: string[] = [];
    emitter.on('ping', (n) => calls.push(`a${n}`));
    emitter.on('ping', (n) => calls.push(`b${n}`));
    emitter.on('pong', (s) => calls.push(`pong ${s}`));
    emitter.emit('ping', 1);
    expect(calls).toEqual(['a1', 'b1']);
  });

  it('a listener that throws is reported and the others still run', () => {
    const onError = vi.fn();
    const emitter = createEmitter<Events>(onError);
    const boom = new Error('boom');
    const after = vi.fn();
    emitter.on('ping', () => {
      throw boom;
    });
    emitter.on('ping', after);
    expect(() => emitter.emit('ping', 1)).not.toThrow();
    expect(after).toHaveBeenCalledWith(1);
    expect(onError).toHaveBeenCalledWith(boom, 'ping');
  });

  it('once() runs a listener one time; on() returns an unsubscribe; off() removes by function', () => {
    const emitter = createEmitter<Events>(() => {});
    const once = vi.fn();
    const on = vi.fn();
    const other = vi.fn();
    emitter.once('ping', once);
    const unsubscribe = emitter.on('ping', on);
    emitter.on('ping', other);
    emitter.emit('ping', 1);
    emitter.emit('ping', 2);
    expect(once.mock.calls).toEqual([[1]]);
    unsubscribe();
    emitter.off('ping', other);
    emitter.emit('ping', 3);
    expect(on.mock.calls).toEqual([[1], [2]]);
    expect(other.mock.calls).toEqual([[1], [2]]);
  });

  it('an emit walks the listeners registered when it began, whatever they add or remove', () => {
    const emitter = createEmitter<Events>(() => {});
    const calls: string[] = [];
    const second = () => calls.push('second');
    emitter.on('ping', () => {
      calls.push('first');
      emitter.off('ping', second);
      emitter.on('ping', () => calls.push('added'));
    });
    emitter.on('ping', second);
    emitter.emit('ping', 1);
    expect(calls).toEqual(['first', 'second']);
    calls.length = 0;
    emitter.emit('ping', 2);
    expect(calls).toEqual(['first', 'added']);
  });

  it('clear() removes every listener', () => {
    const emitter = createEmitter<Events>(() => {});
    const listener = vi.fn();
    emitter.on('ping', listener);
    emitter.clear();
    emitter.emit('ping', 1);
    expect(listener).not.toHaveBeenCalled();
  });

  it('has() tells whether an event has a listener: on, once until it ran, off, clear', () => {
    const emitter = createEmitter<Events>(() => {});
    expect(emitter.has('ping')).toBe(false);
    const off = emitter.on('ping', () => {});
    expect(emitter.has('ping')).toBe(true);
    expect(emitter.has('pong')).toBe(false);
    off();
    expect(emitter.has('ping')).toBe(false);
    emitter.once('pong', () => {});
    expect(emitter.has('pong')).toBe(true);
    emitter.emit('pong', 'x');
    expect(emitter.has('pong')).toBe(false);
    emitter.on('ping', () => {});
    emitter.clear();
    expect(emitter.has('ping')).toBe(false);
  });
});

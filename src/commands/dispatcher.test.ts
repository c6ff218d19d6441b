// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { invalidCommand } from '../protocol/wire.js';
import { errorMessage } from '../shared/errors.js';
import { createDispatcher, type CommandOutcome } from './dispatcher.js';
import { createRunner } from './run.js';
import { createCommandState } from './command-state.js';
import { createEmitter } from '../shared/emitter.js';
import { createRegistry } from './registry.js';
import { createMemoryStorage } from '../shared/storage.js';
import { createTimers } from '../shared/timers.js';

function setup(handlers: Record<string, (...args: never[]) => unknown> = {}) {
  const outcomes: CommandOutcome[] = [];
  const received: string[] = [];
  const warnings: unknown[] = [];
  const executed = createCommandState({ storage: createMemoryStorage(), key: 'k', limit: 100, timers: createTimers(() => {}), signals: createEmitter(() => {}) });
  const logger = { debug() {}, error() {}, warn: (...args: unknown[]) => warnings.push(args) };
  const dispatcher = createDispatcher({
    executed,
    nameOf: (command) => command.properties.name,
    scheduler: { accept: () => undefined },
    run: createRunner({ registry: createRegistry(handlers as never), logger }),
    logger,
    onReceived: (command) => received.push(command.id),
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  return { dispatcher, outcomes, received, warnings, executed };
}

const command = (id: string, properties: Record<string, unknown> = { name: 'go' }, content: unknown = null) => ({
  id,
  engagement_id: 'e',
  sub_engagement_id: 's',
  content,
  properties,
});

describe('dispatcher: untrusted frames never reach a handler', () => {
  it.each([
    ['null', null],
    ['an array', [1]],
    ['a string', 'go'],
    ['no id', { properties: {} }],
    ['a numeric id', { id: 5, properties: {} }],
    ['an over-long id', { id: 'x'.repeat(129), properties: {} }],
    ['properties null', { id: 'a', properties: null }],
    ['properties an array', { id: 'a', properties: ['name'] }],
    ['content a number', { id: 'a', properties: {}, content: 3 }],
  ])('%s is skipped, logged, and consumes its seq', (_label, raw) => {
    const handler = vi.fn();
    const { dispatcher, outcomes, warnings, executed } = setup({ '*': handler });
    dispatcher.dispatch(1, raw);
    expect(handler).not.toHaveBeenCalled();
    expect(outcomes).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(executed.lastSeq).toBe(1);
  });

  it.each([0, -1, 1.5, '3', null, Number.MAX_SAFE_INTEGER + 2])('a frame with seq %s is ignored entirely', (seq) => {
    const handler = vi.fn();
    const { dispatcher, executed } = setup({ '*': handler });
    dispatcher.dispatch(seq, command('a'));
    expect(handler).not.toHaveBeenCalled();
    expect(executed.lastSeq).toBe(0);
  });

  it('a command id runs once even when delivered under several seqs', () => {
    const handler = vi.fn();
    const { dispatcher, outcomes } = setup({ go: handler });
    dispatcher.dispatch(1, command('a'));
    dispatcher.dispatch(2, command('a'));
    dispatcher.dispatch(2, command('a'));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(outcomes.map((o) => o.status)).toEqual(['executed']);
  });

  it('__proto__ and constructor keys in properties reach the handler as data and pollute nothing', () => {
    const handler = vi.fn();
    const { dispatcher } = setup({ go: handler });
    const raw = JSON.parse('{"id":"p","content":null,"properties":{"name":"go","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}');
    dispatcher.dispatch(1, raw);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(handler.mock.calls[0]![0], '__proto__')).toBe(true);
  });

  it('a non-string name and a throwing nameOf fall to the * handler', () => {
    const star = vi.fn();
    const { dispatcher, outcomes } = setup({ '*': star });
    dispatcher.dispatch(1, command('a', { name: 42 }));
    dispatcher.dispatch(2, command('b', { name: { evil: true } }));
    expect(star).toHaveBeenCalledTimes(2);
    expect(outcomes.map((o) => o.name)).toEqual([undefined, undefined]);
  });

  it('handler order follows arrival order; async handlers settle independently', async () => {
    const order: string[] = [];
    let release!: () => void;
    const { dispatcher, outcomes } = setup({
      slow: () => new Promise<void>((resolve) => (release = () => (order.push('slow done'), resolve()))),
      fast: () => void order.push('fast'),
    });
    dispatcher.dispatch(1, command('a', { name: 'slow' }));
    dispatcher.dispatch(2, command('b', { name: 'fast' }));
    expect(order).toEqual(['fast']);
    release();
    await vi.waitFor(() => expect(outcomes).toHaveLength(2));
    expect(outcomes.map((o) => `${o.command.id}:${o.status}`)).toEqual(['b:executed', 'a:executed']);
  });
});

describe('invalidCommand and errorMessage', () => {
  it('accepts a well-formed command with or without content', () => {
    expect(invalidCommand(command('a'))).toBeUndefined();
    expect(invalidCommand(command('a', {}, 'text'))).toBeUndefined();
    expect(invalidCommand({ id: 'a', properties: {} })).toBeUndefined();
  });

  it('turns anything thrown into a message without throwing', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage({ code: 1 })).toBe('{"code":1}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(errorMessage(cyclic)).toBe('unknown error');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});

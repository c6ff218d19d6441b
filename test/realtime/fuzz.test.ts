// Property-based fuzzing: nothing an operator or a network sends can crash the page,
// run a handler for invalid input, or pollute a prototype.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { invalidCommand } from '../../src/protocol/wire.js';
import { createMemoryStorage } from '../../src/shared/storage.js';
import { createVisitor, type Visitor } from '../../src/index.js';
import { useReferenceServer } from '../support/server.js';

const { backend } = useReferenceServer();
const open: Visitor[] = [];
afterEach(() => {
  for (const visitor of open.splice(0)) visitor.close();
});

/** A socket whose server side is the test: it answers the hello, then delivers whatever frames it is given. */
function scriptedSocket() {
  const sockets: Array<{ onmessage: ((e: { data: unknown }) => void) | null }> = [];
  class ScriptedSocket {
    onopen: ((e: unknown) => void) | null = null;
    onmessage: ((e: { data: unknown }) => void) | null = null;
    onclose: ((e: unknown) => void) | null = null;
    onerror: ((e: unknown) => void) | null = null;
    constructor() {
      sockets.push(this);
      queueMicrotask(() => this.onopen?.({}));
    }
    send(data: string) {
      if (JSON.parse(data).type === 'hello') this.onmessage?.({ data: '{"type":"ready","last_seq":0}' });
    }
    close() {}
  }
  return { ScriptedSocket, deliver: (data: unknown) => sockets.at(-1)?.onmessage?.({ data }) };
}

const nastyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'name', 'valueOf');
const nastyValue = fc.oneof(
  fc.anything(),
  fc.string({ maxLength: 20_000 }),
  fc.dictionary(nastyKey, fc.jsonValue()),
  fc.constantFrom('<img src=x onerror=alert(1)>', '{"__proto__":{"polluted":1}}', 'javascript:alert(1)'),
);
const frameObject = fc.record(
  {
    type: fc.oneof(fc.constant('command'), fc.string(), fc.anything()),
    seq: fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double(), fc.string(), fc.constant(null)),
    command: fc.oneof(
      fc.record(
        {
          id: fc.oneof(fc.uuid(), fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
          content: fc.oneof(fc.string(), fc.constant(null), nastyValue),
          properties: fc.oneof(fc.dictionary(fc.oneof(nastyKey, fc.string()), nastyValue), nastyValue),
          engagement_id: fc.string(),
          sub_engagement_id: fc.string(),
        },
        { requiredKeys: [] },
      ),
      nastyValue,
    ),
  },
  { requiredKeys: [] },
);
// Well-formed commands too, with ids that repeat (duplicates must run once), and nasty properties.
const validFrame = fc
  .record({
    seq: fc.integer({ min: 1, max: 100_000 }),
    id: fc.oneof(fc.uuid(), fc.constantFrom('dup-1', 'dup-2', 'dup-3')),
    content: fc.oneof(fc.string({ maxLength: 2000 }), fc.constant(null)),
    properties: fc.dictionary(fc.oneof(nastyKey, fc.string()), fc.jsonValue()),
  })
  .map(({ seq, id, content, properties }) =>
    JSON.stringify({ type: 'command', seq, command: { id, engagement_id: 'e', sub_engagement_id: 's', content, properties } }),
  );
const rawFrame = fc.oneof(
  validFrame,
  validFrame,
  frameObject.map((f) => JSON.stringify(f) ?? 'null'),
  fc.string(), // not JSON at all
  fc.constantFrom('{"type":"command","seq":1,"command":', '[]', 'null', '"x"', '{"__proto__":{"polluted":true}}'),
  fc.anything().map((value) => value), // not even a string (binary frames, objects)
);

describe('fuzz: frames from the network', () => {
  it('arbitrary frames never throw, never pollute, and only well-formed new commands reach a handler', async () => {
    const { ScriptedSocket, deliver } = scriptedSocket();
    const ran: unknown[] = [];
    const engagement = backend.createEngagement();
    const visitor = createVisitor({
      baseUrl: backend.baseUrl,
      engagementId: engagement.engagementId,
      token: engagement.visitorToken,
      storage: createMemoryStorage(),
      WebSocket: ScriptedSocket,
      logLevel: 'silent',
      // Reports of fuzzed ids go to the reference server, which answers 404: not retried.
      handlers: { '*': (_properties, { command }) => void ran.push(command.id) },
    });
    open.push(visitor);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(visitor.connection).toMatchObject({ status: 'open' });

    const expectedIds = new Set<unknown>();
    const seenValid = new Set<string>();
    fc.assert(
      fc.property(fc.array(rawFrame, { maxLength: 20 }), (frames) => {
        for (const data of frames) {
          expect(() => deliver(data)).not.toThrow();
          // What should have run: a valid JSON command frame with a positive integer seq and an id not seen before.
          let frame: { type?: unknown; seq?: unknown; command?: { id?: unknown } } | undefined;
          try {
            frame = typeof data === 'string' ? JSON.parse(data) : undefined;
          } catch {
            frame = undefined;
          }
          const valid =
            !!frame && typeof frame === 'object' && frame.type === 'command' && Number.isSafeInteger(frame.seq) && (frame.seq as number) >= 1 && invalidCommand(frame.command) === undefined;
          if (valid && !seenValid.has(frame!.command!.id as string)) {
            seenValid.add(frame!.command!.id as string);
            expectedIds.add(frame!.command!.id);
          }
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { numRuns: 300, seed: 42 },
    );
    expect(expectedIds.size).toBeGreaterThan(20); // the property did exercise valid commands
    expect(new Set(ran)).toEqual(expectedIds);
    expect(ran.length).toBe(expectedIds.size); // none twice
    expect(visitor.connection).toMatchObject({ status: 'open' });
  });
});

describe('fuzz: custom command PUTs against the reference server', () => {
  it('never answers 5xx; stores and delivers only valid commands', async () => {
    const engagement = backend.createEngagement();
    const url = (id: string) => `${backend.baseUrl}/engagements/${engagement.engagementId}/custom_commands/${encodeURIComponent(id)}`;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uuid({ version: 4 }), fc.uuid(), fc.string({ maxLength: 50 }).filter((s) => s !== '' && !s.includes('/'))),
        fc.oneof(
          fc.record({ properties: fc.oneof(fc.dictionary(fc.oneof(nastyKey, fc.string()), fc.jsonValue()), fc.jsonValue()), content: fc.oneof(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
          fc.string(),
          fc.constantFrom('{"properties":{"__proto__":{"polluted":true}}}', '{"properties":', 'null'),
        ),
        async (id, body) => {
          const response = await fetch(url(id), {
            method: 'PUT',
            headers: { Authorization: `Bearer ${engagement.operatorToken}`, 'Content-Type': 'application/json' },
            body,
          });
          expect(response.status).toBeLessThan(500);
          if (response.status === 200) accepted++;
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 300, seed: 7 },
    );
    const stored = backend.getCommands(engagement.engagementId);
    expect(stored.every(({ command }) => invalidCommand(command) === undefined && /^[0-9a-f-]{36}$/.test(command.id))).toBe(true);
    expect(stored.length).toBeLessThanOrEqual(accepted);
    expect(accepted).toBeGreaterThan(10);
  });
});

// Type tests: checked by `npm run typecheck` (tsc; tsconfig.json includes test/), not by `vitest run`.
import { describe, expectTypeOf, it } from 'vitest';
import {
  createVisitor,
  isEngageKitError,
  type EngageKitError,
  type EngagementEvent,
  type ErrorCode,
  type DefaultCommandMap,
  type WebSocketConstructor,
  type ConnectionState,
  type Visitor,
  type VisitorOptions,
} from '../../src/index.js';
import { createMockBackend, type EngagementCredentials } from '../../src/mock.js';

describe('public types', () => {
  it('createVisitor takes VisitorOptions and returns a Visitor', () => {
    expectTypeOf(createVisitor<DefaultCommandMap>).parameter(0).toEqualTypeOf<VisitorOptions>();
    expectTypeOf(createVisitor({ baseUrl: '', engagementId: '', token: '' })).toEqualTypeOf<Visitor>();
    expectTypeOf<VisitorOptions['token']>().toEqualTypeOf<string | (() => string | Promise<string>)>();
  });

  it('recordEvent takes a string and resolves with the seed event object', () => {
    expectTypeOf<Visitor['recordEvent']>().parameters.toEqualTypeOf<[string]>();
    expectTypeOf<Visitor['recordEvent']>().returns.resolves.toEqualTypeOf<EngagementEvent>();
    expectTypeOf<EngagementEvent['status']>().toEqualTypeOf<'sent'>();
    expectTypeOf<EngagementEvent['sender']>().toEqualTypeOf<{ type: 'visitor' }>();
  });

  it('listeners get typed payloads and unknown event names do not compile', () => {
    const visitor = {} as Visitor;
    visitor.on('event:recorded', (payload) => {
      expectTypeOf(payload.event).toEqualTypeOf<EngagementEvent>();
    });
    visitor.on('event:failed', (payload) => {
      expectTypeOf(payload.error).toEqualTypeOf<EngageKitError>();
    });
    // @ts-expect-error: not an event of the visitor
    visitor.on('no-such-event', () => {});
  });

  it('the guard narrows and knows the codes', () => {
    const value: unknown = null;
    if (isEngageKitError(value)) expectTypeOf(value.code).toEqualTypeOf<ErrorCode>();
    // @ts-expect-error: not a code
    isEngageKitError(value, 'ERR_NOPE');
  });

  it('the mock backend issues typed credentials', () => {
    expectTypeOf(createMockBackend().createEngagement()).toEqualTypeOf<EngagementCredentials>();
  });
});

describe('typed command handlers', () => {
  type Commands = {
    highlight: { selector: string };
    fill: { field: string; value: string };
  };

  it('handlers get the declared property types, and unknown names do not compile', () => {
    const visitor = createVisitor<Commands>({
      baseUrl: 'https://x',
      engagementId: 'e',
      token: 't',
      handlers: {
        highlight: (properties, context) => {
          expectTypeOf(properties).toEqualTypeOf<{ selector: string }>();
          expectTypeOf(context.command.properties).toEqualTypeOf<{ selector: string }>();
          expectTypeOf(context.seq).toEqualTypeOf<number>();
        },
        '*': (properties) => {
          expectTypeOf(properties).toEqualTypeOf<Record<string, unknown>>();
        },
        // @ts-expect-error: not a declared command
        unknown: () => {},
      },
    });
    visitor.commands.register('fill', (properties) => {
      expectTypeOf(properties.value).toEqualTypeOf<string>();
    });
    // @ts-expect-error: not a declared command
    visitor.commands.register('nope', () => {});
    // @ts-expect-error: wrong property type for "highlight"
    visitor.commands.register('highlight', (properties: { selector: number }) => void properties);
  });

  it('without a declared map any name is accepted', () => {
    const visitor = createVisitor({ baseUrl: 'https://x', engagementId: 'e', token: 't' });
    visitor.commands.register('anything', (properties) => {
      expectTypeOf(properties).toEqualTypeOf<Record<string, unknown>>();
    });
  });

  it('the browser WebSocket is an acceptable WebSocket option', () => {
    const ctor: WebSocketConstructor = WebSocket;
    expectTypeOf(ctor).not.toBeAny();
  });

  it('connection states are a discriminated union', () => {
    const state = {} as ConnectionState;
    if (state.status === 'reconnecting') expectTypeOf(state.delay).toEqualTypeOf<number>();
    if (state.status === 'open') expectTypeOf(state.transport).toEqualTypeOf<'websocket' | 'polling'>();
  });
});

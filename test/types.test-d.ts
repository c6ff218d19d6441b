import { describe, expectTypeOf, it } from 'vitest';
import {
  createVisitor,
  isEngageKitError,
  type EngageKitError,
  type EngagementEvent,
  type ErrorCode,
  type DefaultCommandMap,
  type Visitor,
  type VisitorOptions,
} from '../src/index.js';
import { createMockBackend, type EngagementCredentials } from '../src/mock/index.js';

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

// @vitest-environment node
import { expect, it } from 'vitest';
import { createVisitor } from '../../src/index.js';
import { useReferenceServer } from '../support/server.js';

const { backend } = useReferenceServer({ baseUrl: 'http://localhost:9999/api/', now: () => Date.UTC(2019, 7, 28, 13, 55, 24, 678) });

it('serves on the configured base URL (trailing slash trimmed) and stamps with the injected clock', async () => {
  const e = backend.createEngagement({ engagementId: 'demo', subEngagementId: '339', visitorToken: 'v', operatorToken: 'o' });
  expect(backend.baseUrl).toBe('http://localhost:9999/api');
  const visitor = createVisitor({ baseUrl: 'http://localhost:9999/api/', engagementId: e.engagementId, token: 'v' });
  const event = await visitor.recordEvent('Visitor navigated to insurance page');
  expect(event).toMatchObject({ timestamp: '2019-08-28T13:55:24Z', engagement_id: 'demo', sub_engagement_id: '339' });
});

it('refuses to reuse an engagement id or a token', () => {
  backend.createEngagement({ engagementId: 'same', visitorToken: 't1', operatorToken: 't2' });
  expect(() => backend.createEngagement({ engagementId: 'same' })).toThrow('engagement "same" exists already');
  expect(() => backend.createEngagement({ visitorToken: 't1' })).toThrow('token "t1" is in use already');
});

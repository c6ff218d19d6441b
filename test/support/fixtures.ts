import { expect } from 'vitest';
import type { CustomCommand, EngagementEvent } from '../../src/protocol/wire.js';

/** A custom command as the server would deliver it. */
export function command(id: string, content: string | null, properties: Record<string, unknown> = {}): CustomCommand {
  return { id, engagement_id: 'eng-1', sub_engagement_id: 'sub-1', content, properties };
}

/** An event message as the server would return it (the Glia events API shape). */
export function event(id: string, content: string): EngagementEvent {
  return {
    timestamp: '2019-08-28T13:55:24Z',
    id,
    engagement_id: 'eng-1',
    sub_engagement_id: 'sub-1',
    content,
    status: 'sent',
    sender: { type: 'visitor' },
    target: 'operator',
  };
}

/** The headers of Glia's curl examples, as documented (not the SDK's constant): the token, the media type, a JSON body. */
export const gliaHeaders = (token: string) => ({
  Authorization: `Bearer ${token}`,
  Accept: 'application/vnd.salemove.v1+json',
  'Content-Type': 'application/json',
});

/**
 * What the server answers for a visitor's stored event (the Glia events API
 * shape), for `toEqual`: exactly these keys, a v4-style id and a timestamp
 * in whole seconds, UTC.
 */
export function storedEvent(engagement: { engagementId: string; subEngagementId: string }, content: string) {
  return {
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    engagement_id: engagement.engagementId,
    sub_engagement_id: engagement.subEngagementId,
    content,
    status: 'sent',
    sender: { type: 'visitor' },
    target: 'operator',
  };
}

/** A logger that drops everything: fault runs would otherwise print thousands of retries. */
export const quiet = { debug() {}, warn() {}, error() {} };

/** Prints a scenario's figures as an aligned table (the issue asks the runs to print them). */
export function figures(title: string, rows: Record<string, number | string>) {
  const width = Math.max(...Object.keys(rows).map((k) => k.length));
  console.log([`\n${title}`, ...Object.entries(rows).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n'));
}

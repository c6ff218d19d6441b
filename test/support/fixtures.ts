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

/** A logger that drops everything: fault runs would otherwise print thousands of retries. */
export const quiet = { debug() {}, warn() {}, error() {} };

/** Prints a scenario's figures as an aligned table (the issue asks the runs to print them). */
export function figures(title: string, rows: Record<string, number | string>) {
  const width = Math.max(...Object.keys(rows).map((k) => k.length));
  console.log([`\n${title}`, ...Object.entries(rows).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n'));
}

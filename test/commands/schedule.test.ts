import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandContext, TimerEvent } from '../../src/index.js';
import { createOperator } from '../../src/operator.js';
import { useReferenceServer } from '../support/server.js';
import { startVisitor, storedTimers, useVisitors, waitForConnection } from '../support/visitor.js';

// SendCommand's programmable timers, end to end: operator PUT → stream → visitor timer → handler.
const { backend } = useReferenceServer();
const T0 = Date.UTC(2024, 1, 20, 22, 0); // 20 minutes before SendCommand's example fireAt
const MIN = 60_000;
const { open } = useVisitors(backend);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true, now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

async function start() {
  const calls: Array<{ properties: Record<string, unknown>; context: CommandContext }> = [];
  const fired: TimerEvent[] = [];
  const started = startVisitor(backend, {
    handlers: { '*': (properties, context) => void calls.push({ properties, context }) },
    // No heartbeat in the way of hours of fake time.
    realtime: { heartbeatInterval: 1e9 },
  });
  open.push(started.visitor);
  started.visitor.on('timer', (event) => fired.push(event));
  await waitForConnection(started.visitor, { status: 'open' });
  const operator = createOperator({ baseUrl: backend.baseUrl, token: started.engagement.operatorToken });
  const { engagementId } = started.engagement;
  /** Sends a command and waits until the visitor reported its result. */
  const send = async (properties: Record<string, unknown>) => {
    const command = await operator.sendCustomCommand({ engagementId, properties });
    await vi.waitFor(() => expect(backend.getCommandResult(engagementId, command.id)).not.toBeNull());
    return { command, result: backend.getCommandResult(engagementId, command.id)! };
  };
  const timersStored = () => storedTimers(started.storage, engagementId);
  return { ...started, calls, fired, send, timersStored };
}

/** Advances the fake clock to `at` (epoch ms), running every timer due on the way. */
const advanceTo = (at: number) => vi.advanceTimersByTimeAsync(at - Date.now());

describe('a command with a schedule runs when its timer fires, not on receipt', () => {
  it('seed: set_timer fireAt="2024-02-20T22:17" repeatable="false" is reported scheduled, runs once at 22:17 UTC', async () => {
    const { calls, fired, send, timersStored } = await start();
    const { command, result } = await send({ name: 'remind', timerName: 'MyTimer', fireAt: '2024-02-20T22:17', repeatable: 'false' });
    expect(result).toMatchObject({ status: 'scheduled', error: null });
    expect(calls).toHaveLength(0);
    expect(timersStored()).toHaveLength(1);

    await advanceTo(Date.UTC(2024, 1, 20, 22, 16, 59));
    expect(calls).toHaveLength(0);
    await advanceTo(Date.UTC(2024, 1, 20, 22, 17));
    expect(calls).toHaveLength(1);
    const at = Date.UTC(2024, 1, 20, 22, 17);
    expect(calls[0]!.properties).toMatchObject({ name: 'remind', timerName: 'MyTimer' });
    expect(calls[0]!.context).toMatchObject({ name: 'remind', seq: 1, command: { id: command.id }, timer: { name: 'MyTimer', at, missed: 1 } });
    expect(fired).toEqual([{ timerName: 'MyTimer', command: expect.objectContaining({ id: command.id }), name: 'remind', at, missed: 1, status: 'executed', error: undefined }]);

    await vi.advanceTimersByTimeAsync(24 * 60 * MIN);
    expect(calls).toHaveLength(1);
    // A one-shot that fired is forgotten.
    expect(timersStored()).toEqual([]);
  });

  it('a fireAt with a zone is read in that zone; without one it is UTC', async () => {
    const { calls, send } = await start();
    await send({ name: 'a', timerName: 'berlin', fireAt: '2024-02-20T23:10+01:00' });
    await send({ name: 'b', timerName: 'utc', fireAt: '2024-02-20 22:05:30.5' });
    await advanceTo(Date.UTC(2024, 1, 20, 22, 5, 29));
    expect(calls).toHaveLength(0);
    await advanceTo(Date.UTC(2024, 1, 20, 22, 5, 31));
    expect(calls.map((c) => c.properties.name)).toEqual(['b']);
    // On the dot: the fraction was read to the millisecond.
    expect(calls[0]!.context.timer!.at).toBe(Date.UTC(2024, 1, 20, 22, 5, 30, 500));
    await advanceTo(Date.UTC(2024, 1, 20, 22, 10));
    expect(calls.map((c) => c.properties.name)).toEqual(['b', 'a']);
  });

  it('seed: interval="120" alone fires once, 120 s after the command arrived', async () => {
    const { calls, send } = await start();
    const arrived = Date.now();
    await send({ name: 'followup', timerName: 'followup_timer_2', interval: '120' });
    await advanceTo(arrived + 118_000);
    expect(calls).toHaveLength(0);
    await advanceTo(arrived + 121_000);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(calls).toHaveLength(1);
  });

  it('interval with repeatable=true fires every interval', async () => {
    const { calls, send } = await start();
    const arrived = Date.now();
    await send({ name: 'tick', timerName: 'ticker', interval: 30, repeatable: true });
    await advanceTo(arrived + 30_000 * 4 + 10);
    const at = calls.map((c) => c.context.timer!.at);
    expect(at).toHaveLength(4);
    // Counted from when the command arrived (a few ms after `arrived`), then on an exact grid.
    expect(at[0]! - arrived).toBeGreaterThanOrEqual(30_000);
    expect(at[0]! - arrived).toBeLessThan(31_000);
    expect(at.slice(1).map((t, i) => t - at[i]!)).toEqual([30_000, 30_000, 30_000]);
  });

  it('seed: set_repeatable_timer interval="240" fireAt="2024-02-20T22:17" fires at fireAt, then every 240 s', async () => {
    const { calls, send } = await start();
    await send({ name: 'nudge', timerName: 'followup_timer_3', interval: '240', fireAt: '2024-02-20T22:17', repeatable: 'true' });
    const fireAt = Date.UTC(2024, 1, 20, 22, 17);
    await advanceTo(fireAt + 3 * 240_000);
    expect(calls.map((c) => c.context.timer!.at)).toEqual([0, 1, 2, 3].map((k) => fireAt + k * 240_000));
  });

  it('seed: repeatable=false with fireAt and interval ignores the interval', async () => {
    const { calls, send, timersStored } = await start();
    const { result } = await send({ name: 'once', timerName: 'once', fireAt: '2024-02-20T22:17', interval: 60, repeatable: false });
    expect(result.status).toBe('scheduled');
    await advanceTo(Date.UTC(2024, 1, 20, 23, 0));
    expect(calls).toHaveLength(1);
    expect(timersStored()).toEqual([]);
  });

  it('a fireAt already past fires once, at once', async () => {
    const { calls, send } = await start();
    await send({ name: 'late', timerName: 'late', fireAt: '2024-02-20T21:00Z' });
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.context.timer).toMatchObject({ missed: 1 });
  });

  it('a handler that throws is reported in the timer event as failed; the timer goes on', async () => {
    const { visitor, send } = await start();
    const fired: TimerEvent[] = [];
    visitor.on('timer', (event) => fired.push(event));
    visitor.commands.register('boom', () => {
      throw new Error('kaboom');
    });
    await send({ name: 'boom', timerName: 'b', interval: 1, repeatable: true });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fired.map((e) => [e.status, (e.error as Error).message])).toEqual([
      ['failed', 'kaboom'],
      ['failed', 'kaboom'],
    ]);
  });
});

describe('an invalid schedule: refused at the PUT with the detailed reason; failed on the visitor when a server lets it through', () => {
  const cases = [
    [
      'repeatable=true without interval',
      { timerName: 't', fireAt: '2024-02-20T22:17', repeatable: 'true' },
      'repeatable',
      'repeatable=true requires interval (the seconds between firings)',
      'repeatable=true needs interval',
    ],
    [
      'a fireAt outside the format',
      { timerName: 't', fireAt: '20/02/2024 22:17' },
      'fireAt',
      `fireAt must be YYYY-MM-DD[T]HH:MM[:SS[.ffffff]][Z or ±HH[:]MM] (no zone means UTC), got "20/02/2024 22:17": expected a 4-digit year at character 3, got '/'`,
      'fireAt must be YYYY-MM-DD[T]HH:MM[:SS[.ffffff]][Z or ±HH[:]MM], got "20/02/2024 22:17"',
    ],
    [
      'a fireAt on a day that does not exist',
      { timerName: 't', fireAt: '2023-02-29T22:17' },
      'fireAt',
      'day 29 does not exist in 2023-02',
      'fireAt must be YYYY-MM-DD[T]HH:MM[:SS[.ffffff]][Z or ±HH[:]MM], got "2023-02-29T22:17"',
    ],
    [
      'a fireAt without a timer name',
      { fireAt: '2024-02-20T22:17' },
      'timerName',
      'fireAt needs timerName: a scheduled command must name its timer',
      'timerName must be a non-empty string, got undefined',
    ],
    ['a negative interval', { timerName: 't', interval: -5 }, 'interval', 'interval must be a positive number of seconds', 'interval must be seconds ≥ 0.001, got number -5'],
  ] as const;

  it.each(cases)('%s: the operator gets a 400 saying which property and why; nothing is delivered', async (_label, schedule, property, detail) => {
    const { calls, engagement } = await start();
    const operator = createOperator({ baseUrl: backend.baseUrl, token: engagement.operatorToken });
    const error = await operator.sendCustomCommand({ engagementId: engagement.engagementId, properties: { name: 'x', ...schedule } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidRequestError', status: 400, serverMessage: `Invalid schedule in 'properties.${property}'` });
    expect((error as { debugMessage: string }).debugMessage).toContain(detail);
    expect(backend.getCommands(engagement.engagementId)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(calls).toHaveLength(0);
  });

  it.each(cases)('%s: sent past the check, the visitor reports it failed with a short reason and never runs it', async (_label, schedule, _property, _detail, reason) => {
    const { calls, engagement, timersStored } = await start();
    const command = backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'x', ...schedule } });
    await vi.waitFor(() => expect(backend.getCommandResult(engagement.engagementId, command.id)).not.toBeNull());
    expect(backend.getCommandResult(engagement.engagementId, command.id)).toMatchObject({ status: 'failed', error: reason });
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(calls).toHaveLength(0);
    expect(timersStored()).toEqual([]);
  });
});

describe('timers by name: enable, disable, cancel, replace', () => {
  it('seed: enabled="false" creates it disabled; enabled="true" later enables it; the disabled period is skipped', async () => {
    const { calls, send } = await start();
    const set = await send({ name: 'ping', timerName: 'followup_timer_3', interval: '60', repeatable: 'true', enabled: 'false' });
    expect(set.result.status).toBe('scheduled');
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(calls).toHaveLength(0);

    const enabledAt = Date.now();
    const enable = await send({ timerName: 'followup_timer_3', enabled: 'true' });
    expect(enable.result.status).toBe('executed');
    await advanceTo(enabledAt + 2 * MIN + 10);
    expect(calls).toHaveLength(2);

    const disable = await send({ timerName: 'followup_timer_3', enabled: false });
    expect(disable.result.status).toBe('executed');
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(calls).toHaveLength(2);
  });

  it('a fireAt timer disabled across its time does not fire when enabled again', async () => {
    const { calls, send } = await start();
    await send({ name: 'x', timerName: 'at', fireAt: '2024-02-20T22:17' });
    await send({ timerName: 'at', enabled: false });
    await advanceTo(Date.UTC(2024, 1, 20, 22, 30));
    await send({ timerName: 'at', enabled: true });
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(calls).toHaveLength(0);
  });

  it('cancel=true removes it; enabling, disabling or cancelling an unknown timer fails with the reason', async () => {
    const { calls, send, timersStored } = await start();
    await send({ name: 'x', timerName: 'gone', interval: 60 });
    const cancel = await send({ timerName: 'gone', cancel: true });
    expect(cancel.result.status).toBe('executed');
    expect(timersStored()).toEqual([]);
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(calls).toHaveLength(0);
    for (const [change, verb] of [[{ cancel: 'true' }, 'cancel'], [{ enabled: true }, 'enable'], [{ enabled: false }, 'disable']] as const) {
      const { result } = await send({ timerName: 'gone', ...change });
      expect(result).toMatchObject({ status: 'failed', error: `no timer "gone" to ${verb}` });
    }
  });

  it('a timer name is unique per visitor: setting it again replaces the timer', async () => {
    const { calls, send, timersStored } = await start();
    await send({ name: 'first', timerName: 'same', fireAt: '2024-02-20T22:10' });
    await send({ name: 'second', timerName: 'same', fireAt: '2024-02-20T22:20' });
    expect(timersStored()).toHaveLength(1);
    await advanceTo(Date.UTC(2024, 1, 20, 23, 0));
    expect(calls.map((c) => c.properties.name)).toEqual(['second']);
  });

  it('a reconnect neither replays the scheduling command nor resets its timer', async () => {
    const { calls, send, engagement } = await start();
    const arrived = Date.now();
    await send({ name: 'x', timerName: 'r', interval: 60 });
    await vi.advanceTimersByTimeAsync(30_000);
    backend.dropConnections(engagement.engagementId);
    await vi.advanceTimersByTimeAsync(100);
    await advanceTo(arrived + 60_000 + 10);
    expect(calls).toHaveLength(1);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_FALLBACK_TEXT, mountTranscript, type CommandOutcome, type Visitor } from '../../src/index.js';
import { createOperator } from '../../src/operator.js';
import { useReferenceServer } from '../support/server.js';
import { useVisitors, waitForConnection } from '../support/visitor.js';

const { backend } = useReferenceServer();
const { start } = useVisitors(backend);

const results = (visitor: Visitor) => {
  const seen: CommandOutcome[] = [];
  visitor.on('command:result', (outcome) => seen.push(outcome));
  return seen;
};

describe('live delivery (Glia custom commands → handler → result → transcript)', () => {
  it("an operator's PUT made exactly as the Glia custom commands curl example runs the visitor's handler once", async () => {
    const handler = vi.fn();
    const { visitor, engagement } = start({ handlers: { '*': handler } });
    await waitForConnection(visitor, { status: 'open', transport: 'websocket' });

    const id = '4cf0d3fe-8f2f-4aad-8e10-c2ffab8929c6';
    const response = await fetch(`${backend.baseUrl}/engagements/${engagement.engagementId}/custom_commands/${id}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${engagement.operatorToken}`,
        Accept: 'application/vnd.salemove.v1+json',
        'Content-Type': 'application/json',
      },
      body: '{\n  "content": "My custom command triggered",\n  "properties": {"key": "value"}\n}',
    });
    expect(response.status).toBe(200);

    await vi.waitFor(() => expect(backend.getCommandResult(engagement.engagementId, id)).toMatchObject({ status: 'executed' }));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith(
      { key: 'value' },
      expect.objectContaining({ seq: 1, command: expect.objectContaining({ id, content: 'My custom command triggered' }) }),
    );
    expect(visitor.transcript.entries.map((e) => [e.kind, e.text])).toEqual([['command', 'My custom command triggered']]);
  });

  it('picks the handler by properties.name, passes typed properties, and reports executed', async () => {
    const highlight = vi.fn();
    const other = vi.fn();
    const { visitor, engagement, send } = start({ handlers: { highlight, other } });
    const seen = results(visitor);
    await waitForConnection(visitor, { status: 'open' });
    const command = await send({ name: 'highlight', selector: '#buy' }, 'Look here');
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(highlight).toHaveBeenCalledWith({ name: 'highlight', selector: '#buy' }, expect.objectContaining({ name: 'highlight' }));
    expect(other).not.toHaveBeenCalled();
    expect(seen[0]).toMatchObject({ status: 'executed', name: 'highlight', command: { id: command.id } });
    await vi.waitFor(() =>
      expect(backend.getCommandResult(engagement.engagementId, command.id)).toMatchObject({ status: 'executed', error: null }),
    );
  });

  it('commands sent before the visitor connected are delivered on connect, in order', async () => {
    const calls: string[] = [];
    const engagement = backend.createEngagement();
    const operator = createOperator({ baseUrl: backend.baseUrl, token: engagement.operatorToken });
    for (const n of ['a', 'b', 'c']) await operator.sendCustomCommand({ engagementId: engagement.engagementId, properties: { name: 'step', n } });
    const { visitor } = start({ engagement, handlers: { step: (p) => void calls.push(p.n as string) } });
    await vi.waitFor(() => expect(calls).toEqual(['a', 'b', 'c']));
    expect(visitor.connection).toMatchObject({ status: 'open' });
  });

  it('handlers registered and unregistered at run time; commandName picks another key or a function', async () => {
    const { visitor, send } = start({ commandName: 'action' });
    const run = vi.fn();
    const unregister = visitor.commands.register('go', run);
    await waitForConnection(visitor, { status: 'open' });
    await send({ action: 'go' });
    await vi.waitFor(() => expect(run).toHaveBeenCalledTimes(1));
    unregister();
    expect(visitor.commands.has('go')).toBe(false);
    const seen = results(visitor);
    await send({ action: 'go' });
    await vi.waitFor(() => expect(seen).toMatchObject([{ status: 'unhandled', name: 'go' }]));
    expect(run).toHaveBeenCalledTimes(1);

    const byFunction = vi.fn();
    const second = start({ commandName: (command) => command.properties.kind, handlers: { wave: byFunction } });
    await waitForConnection(second.visitor, { status: 'open' });
    await second.send({ kind: 'wave' });
    await vi.waitFor(() => expect(byFunction).toHaveBeenCalledTimes(1));
  });

  it('a command named like an Object.prototype member finds no handler', async () => {
    const { visitor, send } = start();
    const seen = results(visitor);
    await waitForConnection(visitor, { status: 'open' });
    await send({ name: 'constructor' });
    await send({ name: '__proto__' });
    await send({ name: 'toString' });
    await vi.waitFor(() => expect(seen.map((o) => o.status)).toEqual(['unhandled', 'unhandled', 'unhandled']));
  });
});

describe('unknown, throwing and rejecting handlers never break the page', () => {
  it('an unknown command is shown, reported unhandled and logged as a warning', async () => {
    const { visitor, send, warnings, engagement } = start({ handlers: { known: () => {} } });
    await waitForConnection(visitor, { status: 'open' });
    const command = await send({ name: 'mystery' }, 'Something new');
    await vi.waitFor(() =>
      expect(backend.getCommandResult(engagement.engagementId, command.id)).toMatchObject({ status: 'unhandled' }),
    );
    expect(visitor.transcript.entries.at(-1)).toMatchObject({ kind: 'command', text: 'Something new' });
    expect(warnings.some((w) => String(w[1]).includes('no handler for command "mystery"'))).toBe(true);
  });

  it('a throwing handler and a rejecting one are reported failed with their messages; later commands still run', async () => {
    const after = vi.fn();
    const { visitor, send, engagement } = start({
      handlers: {
        throws: () => {
          throw new Error('sync boom');
        },
        rejects: async () => {
          throw new TypeError('async boom');
        },
        after,
      },
    });
    await waitForConnection(visitor, { status: 'open' });
    const a = await send({ name: 'throws' });
    const b = await send({ name: 'rejects' });
    await send({ name: 'after' });
    await vi.waitFor(() => expect(after).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => {
      expect(backend.getCommandResult(engagement.engagementId, a.id)).toMatchObject({ status: 'failed', error: 'sync boom' });
      expect(backend.getCommandResult(engagement.engagementId, b.id)).toMatchObject({ status: 'failed', error: 'async boom' });
    });
    expect(visitor.connection).toMatchObject({ status: 'open' });
  });

  it('a throwing command:result listener does not stop the result report', async () => {
    const { visitor, send, engagement } = start({ handlers: { ok: () => {} } });
    visitor.on('command:result', () => {
      throw new Error('listener bug');
    });
    await waitForConnection(visitor, { status: 'open' });
    const command = await send({ name: 'ok' });
    await vi.waitFor(() =>
      expect(backend.getCommandResult(engagement.engagementId, command.id)).toMatchObject({ status: 'executed' }),
    );
  });
});

describe('transcript', () => {
  it("calls the transcript's listeners (a renderer) after the handler, with the command already in the entries when the handler runs", async () => {
    const order: string[] = [];
    const { visitor, send } = start({
      handlers: { go: () => void order.push(`handler sees ${visitor.transcript.entries.map((e) => e.text).join()}`) },
    });
    visitor.on('command:received', () => order.push('command:received'));
    visitor.on('command:handled', () => order.push('command:handled'));
    visitor.transcript.listen((_, change) => order.push(`listener +${change.added.map((e) => e.text).join()}`));
    await waitForConnection(visitor, { status: 'open' });
    await send({ name: 'go' }, 'Look here');
    await vi.waitFor(() => expect(order).toHaveLength(4));
    expect(order).toEqual(['command:received', 'handler sees Look here', 'command:handled', 'listener +Look here']);
  });

  it('shows the generic fallback text for a command without content, and an override or a localised function', async () => {
    const { visitor, send } = start({ handlers: { '*': () => {} } });
    await waitForConnection(visitor, { status: 'open' });
    await send({ name: 'silent' });
    await vi.waitFor(() => expect(visitor.transcript.entries).toHaveLength(1));
    expect(visitor.transcript.entries[0]).toMatchObject({ text: DEFAULT_FALLBACK_TEXT, fallback: true });

    const french = start({
      handlers: { '*': () => {} },
      transcript: { fallbackText: (command) => `L'opérateur a envoyé « ${String(command.properties.name)} ».` },
    });
    await waitForConnection(french.visitor, { status: 'open' });
    await french.send({ name: 'scroll' });
    await vi.waitFor(() => expect(french.visitor.transcript.entries[0]?.text).toBe("L'opérateur a envoyé « scroll »."));
  });

  it('holds commands and recorded events in order', async () => {
    const { visitor, send } = start({ handlers: { '*': () => {} } });
    await waitForConnection(visitor, { status: 'open' });
    await visitor.recordEvent('Visitor opened pricing');
    await send({ name: 'x' }, 'Operator highlighted the plan');
    await vi.waitFor(() => expect(visitor.transcript.entries).toHaveLength(2));
    await visitor.recordEvent('Visitor clicked buy');
    expect(visitor.transcript.entries.map((e) => `${e.kind}:${e.text}`)).toEqual([
      'event:Visitor opened pricing',
      'command:Operator highlighted the plan',
      'event:Visitor clicked buy',
    ]);
  });

  it('renders an XSS payload from the operator as literal text', async () => {
    const { visitor, send } = start({ handlers: { '*': () => {} } });
    const element = document.createElement('div');
    document.body.append(element);
    const unmount = mountTranscript(element, visitor.transcript);
    await waitForConnection(visitor, { status: 'open' });
    const payload = '<img src=x onerror=alert(1)>';
    await send({ name: 'x' }, payload);
    await vi.waitFor(() => expect(element.textContent).toContain(payload));
    expect(element.querySelector('img')).toBeNull();
    expect(element.getAttribute('role')).toBe('log');
    expect(element.getAttribute('aria-live')).toBe('polite');
    unmount();
    expect(element.childElementCount).toBe(0);
    element.remove();
  });
});

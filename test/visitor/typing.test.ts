import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClosedError, InvalidArgumentError, mountTranscript, type Visitor } from '../../src/index.js';
import { createOperator } from '../../src/operator.js';
import { TYPING_LIMIT, TYPING_WINDOW_MS } from '../../src/mock.js';
import { useReferenceServer } from '../support/server.js';
import { startVisitor, waitForConnection } from '../support/visitor.js';

// Engage Digital's typing indicators, both ways, through the reference server.
const { backend, requests, server } = useReferenceServer();
const open: Visitor[] = [];
afterEach(() => {
  for (const visitor of open.splice(0)) visitor.close();
  vi.useRealTimers();
});

async function start(options: Parameters<typeof startVisitor>[1] = {}) {
  const started = startVisitor(backend, { realtime: { heartbeatInterval: 1e9 }, ...options });
  open.push(started.visitor);
  const operator = createOperator({ baseUrl: backend.baseUrl, token: started.engagement.operatorToken });
  await waitForConnection(started.visitor, { status: 'open' });
  return { ...started, operator, engagementId: started.engagement.engagementId };
}

/** Every typing request the server answered: when (fake clock), what, and with which status. */
function watchTyping() {
  const seen: Array<{ at: number; action: string; preview?: string; status: number }> = [];
  const listener = ({ request, response }: { request: Request; response: Response }) => {
    if (!request.url.endsWith('/typing') || request.method !== 'POST') return;
    const at = Date.now();
    void request
      .clone()
      .text()
      .then((text) => {
        const { action, params } = JSON.parse(text) as { action: string; params: { preview?: string } };
        seen.push({ at, action, preview: params.preview, status: response.status });
      });
  };
  server.events.on('response:mocked', listener);
  return { seen, stop: () => server.events.removeListener('response:mocked', listener) };
}

/** The most requests in any window of `ms` starting at one of them. */
const busiest = (times: number[], ms: number) => Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + ms).length));

describe("the visitor's typing reaches the operator", () => {
  it('typing.start(preview) and typing.stop() in Engage Digital bodies; the operator reads them', async () => {
    const { visitor, operator, engagementId } = await start();
    visitor.typing.start('Hello wor');
    await vi.waitFor(() => expect(backend.getTyping(engagementId).visitor).toEqual({ active: true, preview: 'Hello wor' }));
    expect(await operator.getTyping(engagementId)).toEqual({ visitor: { active: true, preview: 'Hello wor' }, operator: { active: false } });
    const sent = requests.filter((r) => r.url.endsWith('/typing'));
    await vi.waitFor(() => expect(sent[0]!.body).toBe('{"action":"typing.start","params":{"preview":"Hello wor"}}'));

    visitor.typing.stop();
    await vi.waitFor(() => expect(backend.getTyping(engagementId).visitor).toEqual({ active: false }));
    await vi.waitFor(() => expect(requests.filter((r) => r.url.endsWith('/typing')).at(-1)!.body).toBe('{"action":"typing.stop","params":{}}'));
  });

  it('a stop without a start sends nothing; a bad preview is refused before anything is sent; closed refuses', async () => {
    const { visitor } = await start();
    visitor.typing.stop();
    expect(() => visitor.typing.start(42 as never)).toThrow(InvalidArgumentError);
    expect(() => visitor.typing.start(42 as never)).toThrow('typing.start: preview must be a string, got number 42');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(requests.filter((r) => r.url.endsWith('/typing'))).toEqual([]);
    visitor.close();
    expect(() => visitor.typing.start('x')).toThrow(ClosedError);
  });

  it('is throttled: a keystroke every 150 ms for 30 s never hits the server limit, and the last preview arrives', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true });
    const { visitor, engagementId } = await start();
    const typing = watchTyping();
    let text = '';
    for (let i = 0; i < 200; i++) {
      text += 'abcdefghij'[i % 10];
      visitor.typing.start(text);
      await vi.advanceTimersByTimeAsync(150);
    }
    // The last keystroke's preview follows at the end of its window...
    await vi.advanceTimersByTimeAsync(3_000);
    expect(backend.getTyping(engagementId).visitor).toEqual({ active: true, preview: text });
    // ...and the stop goes out by itself 5 s after the last keystroke.
    await vi.advanceTimersByTimeAsync(2_000);
    await vi.waitFor(() => expect(backend.getTyping(engagementId).visitor).toEqual({ active: false }));
    typing.stop();

    const starts = typing.seen.filter((r) => r.action === 'typing.start');
    expect(typing.seen.filter((r) => r.action === 'typing.stop')).toHaveLength(1);
    expect(typing.seen.every((r) => r.status === 200)).toBe(true);
    expect(starts.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < starts.length; i++) expect(starts[i]!.at - starts[i - 1]!.at).toBeGreaterThanOrEqual(3_000);
    expect(busiest(typing.seen.map((r) => r.at), TYPING_WINDOW_MS)).toBeLessThanOrEqual(TYPING_LIMIT);
  });

  it('typing, sending and typing again in quick turns never gets a 429 either', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true });
    const { visitor } = await start();
    const typing = watchTyping();
    for (let i = 0; i < 100; i++) {
      visitor.typing.start(`message ${i}`);
      await vi.advanceTimersByTimeAsync(100);
      visitor.typing.stop(); // sent the message
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(() => expect(typing.seen.length).toBeGreaterThan(8));
    typing.stop();
    expect(typing.seen.every((r) => r.status === 200)).toBe(true);
    // At most 4 starts and 4 stops in any 10 s.
    expect(busiest(typing.seen.map((r) => r.at), TYPING_WINDOW_MS)).toBeLessThanOrEqual(8);
  });
});

describe("the operator's typing shows in the visitor's transcript", () => {
  it('transcript.typing follows start and stop, listeners are told, and the renderer shows an indicator, as text', async () => {
    const { visitor, operator, engagementId } = await start();
    const element = document.createElement('div');
    document.body.append(element);
    const unmount = mountTranscript(element, visitor.transcript);
    const listener = vi.fn();
    visitor.transcript.listen(listener); // after each change only (subscribe would also call at once)
    expect(element.querySelector('.engagekit-typing')).toBeNull();

    await operator.typing(engagementId, 'start');
    await vi.waitFor(() => expect(visitor.transcript.typing).toEqual({ sender: 'operator' }));
    expect(listener).toHaveBeenCalledTimes(1);
    const indicator = element.querySelector('.engagekit-typing') as HTMLElement;
    expect(indicator.hidden).toBe(false);
    expect(indicator.textContent).toBe('The operator is typing…');
    expect(element.lastElementChild).toBe(indicator);

    await operator.typing(engagementId, 'start', '<b>Sure</b>, one');
    await vi.waitFor(() => expect(visitor.transcript.typing).toEqual({ sender: 'operator', preview: '<b>Sure</b>, one' }));
    expect(indicator.textContent).toBe('The operator is typing: <b>Sure</b>, one');
    expect(indicator.children).toHaveLength(0);

    await operator.typing(engagementId, 'stop');
    await vi.waitFor(() => expect(visitor.transcript.typing).toBeUndefined());
    expect(indicator.hidden).toBe(true);
    expect(backend.getTyping(engagementId).operator).toEqual({ active: false });
    unmount();
    expect(element.querySelector('.engagekit-typing')).toBeNull();
  });

  it('mountTranscript takes typingText, a string or a function, for localisation', async () => {
    const { visitor, operator, engagementId } = await start();
    const element = document.createElement('div');
    mountTranscript(element, visitor.transcript, { typingText: (t) => `L'opérateur écrit${t.preview ? ` : ${t.preview}` : '…'}` });
    await operator.typing(engagementId, 'start', 'Bonjour');
    await vi.waitFor(() => expect(element.querySelector('.engagekit-typing')?.textContent).toBe("L'opérateur écrit : Bonjour"));
    expect(() => mountTranscript(document.createElement('div'), visitor.transcript, { typingText: 3 as never })).toThrow(
      'mountTranscript: options.typingText must be a string or a function, got number 3',
    );
  });

  it('a visitor that connects while the operator types sees it at once; a start that is never stopped runs out after 10 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true });
    const engagement = backend.createEngagement();
    const operator = createOperator({ baseUrl: backend.baseUrl, token: engagement.operatorToken });
    await operator.typing(engagement.engagementId, 'start', 'Let me check');
    const { visitor } = await start({ engagement });
    await vi.waitFor(() => expect(visitor.transcript.typing).toEqual({ sender: 'operator', preview: 'Let me check' }));
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(visitor.transcript.typing).toBeUndefined());
  });

  it('the indicator is cleared while the connection is lost, and the server repeats a typing that goes on', async () => {
    const { visitor, operator, engagementId } = await start({ realtime: { transport: 'websocket' } });
    await operator.typing(engagementId, 'start');
    await vi.waitFor(() => expect(visitor.transcript.typing).toBeDefined());

    backend.blockWebSockets(true);
    backend.dropConnections(engagementId);
    await waitForConnection(visitor, { status: 'reconnecting' });
    expect(visitor.transcript.typing).toBeUndefined();
    backend.blockWebSockets(false);
    await waitForConnection(visitor, { status: 'open' });
    await vi.waitFor(() => expect(visitor.transcript.typing).toEqual({ sender: 'operator' }));

    // A stop sent while the visitor is away: it finds no indicator when it is back.
    backend.blockWebSockets(true);
    backend.dropConnections(engagementId);
    await waitForConnection(visitor, { status: 'reconnecting' });
    await operator.typing(engagementId, 'stop');
    backend.blockWebSockets(false);
    await waitForConnection(visitor, { status: 'open' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(visitor.transcript.typing).toBeUndefined();
  });
});

describe('markAsRead (Engage Digital status.mark_as_read)', () => {
  it("stores read_at, visible to the operator; marking again keeps the first time", async () => {
    const { visitor, operator, engagementId } = await start({ handlers: { '*': () => {} } });
    const command = await operator.sendCustomCommand({ engagementId, properties: { name: 'hello' }, content: 'Hi!' });
    expect((await operator.getCustomCommand(engagementId, command.id)).read_at).toBeUndefined();
    const receipt = await visitor.markAsRead(command.id);
    expect(receipt).toEqual({ command_id: command.id, read_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    expect(await operator.getCustomCommand(engagementId, command.id)).toMatchObject({ id: command.id, read_at: receipt.read_at });
    expect(backend.getCommands(engagementId)[0]).toMatchObject({ readAt: receipt.read_at });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await visitor.markAsRead(command.id)).toEqual(receipt);
  });

  it('an unknown command is 404, an empty id is refused before sending, and it is the visitor\'s alone', async () => {
    const { visitor, engagementId, engagement } = await start();
    await expect(visitor.markAsRead('4cf0d3fe-8f2f-4aad-8e10-c2ffab8929c6')).rejects.toMatchObject({ status: 404, serverMessage: 'Custom command not found' });
    await expect(visitor.markAsRead('')).rejects.toThrow('markAsRead: commandId must be a non-empty string, got ""');
    const command = backend.sendCustomCommand(engagementId, { properties: {} });
    const response = await fetch(`${backend.baseUrl}/engagements/${engagementId}/custom_commands/${command.id}/read`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${engagement.operatorToken}` },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      message: "You don't have permissions to mark a custom command as read",
      debug_message: "Only the engagement's visitor can mark its custom commands as read",
    });
    visitor.close();
    await expect(visitor.markAsRead(command.id)).rejects.toBeInstanceOf(ClosedError);
  });
});

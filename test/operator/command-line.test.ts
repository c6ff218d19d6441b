import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngagementMeta, Visitor } from '../../src/index.js';
import { createOperator, formatCommandLineError, isCommandLineError, sendCommandLine } from '../../src/operator.js';
import { useReferenceServer } from '../support/server.js';
import { startVisitor, waitForConnection } from '../support/visitor.js';

// ChatShipper's command messages typed in an operator console, end to end:
// sendCommandLine → operator client → reference server → visitor.
const { backend, requests } = useReferenceServer();
const open: Visitor[] = [];
afterEach(() => {
  for (const visitor of open.splice(0)) visitor.close();
});

async function start(options: Parameters<typeof startVisitor>[1] = {}) {
  const started = startVisitor(backend, options);
  open.push(started.visitor);
  const metas: EngagementMeta[] = [];
  started.visitor.on('meta', (state) => metas.push(state));
  const operator = createOperator({ baseUrl: backend.baseUrl, token: started.engagement.operatorToken });
  const type = (line: string) => sendCommandLine(operator, started.engagement.engagementId, line);
  await waitForConnection(started.visitor, { status: 'open' });
  return { ...started, operator, type, metas };
}

describe('>name key=value: a bot command', () => {
  it("is sent as a custom command with typed properties and runs the visitor's handler of that name", async () => {
    const highlight = vi.fn();
    const { type, engagement } = await start({ handlers: { highlight } });
    const result = await type(String.raw`>highlight selector="#pricing .plan" times=3 ratio=0.5 flash=true note='it\'s' empty="" none=null big=12345678901234567890`);
    expect(result.kind).toBe('bot');
    const properties = {
      name: 'highlight',
      selector: '#pricing .plan',
      times: 3,
      ratio: 0.5,
      flash: true,
      note: "it's",
      empty: '',
      none: null,
      big: '12345678901234567890',
    };
    expect(result).toMatchObject({ parsed: { kind: 'bot', name: 'highlight', properties }, command: { properties } });
    await vi.waitFor(() => expect(highlight).toHaveBeenCalledTimes(1));
    expect(highlight).toHaveBeenCalledWith(properties, expect.objectContaining({ name: 'highlight' }));
    expect(backend.getCommands(engagement.engagementId).map((c) => c.command.properties)).toEqual([properties]);
  });

  it("seed: '>onboard' alone is a command named onboard", async () => {
    const onboard = vi.fn();
    const { type } = await start({ handlers: { onboard } });
    await type('>onboard');
    await vi.waitFor(() => expect(onboard).toHaveBeenCalledWith({ name: 'onboard' }, expect.anything()));
  });

  it('a bot command can carry a schedule (SendCommand): the visitor reports it scheduled', async () => {
    const { type, engagement } = await start({ handlers: { remind: () => {} } });
    const { command } = (await type('>remind timerName=later interval=3600')) as { command: { id: string } };
    await vi.waitFor(() => expect(backend.getCommandResult(engagement.engagementId, command.id)).toMatchObject({ status: 'scheduled' }));
  });
});

describe('/set: metadata and engagement properties', () => {
  it('seed: /set engagement high merges into meta; the visitor gets visitor.meta and a meta event', async () => {
    const { visitor, type, metas, engagement } = await start();
    expect(visitor.meta).toEqual({ meta: {}, properties: {} });
    const result = await type('/set engagement high');
    expect(result).toEqual({ kind: 'set-meta', parsed: { kind: 'set-meta', meta: { engagement: 'high' } }, state: { meta: { engagement: 'high' }, properties: {} } });
    await vi.waitFor(() => expect(visitor.meta).toEqual({ meta: { engagement: 'high' }, properties: {} }));
    expect(metas).toEqual([{ meta: { engagement: 'high' }, properties: {} }]);
    expect(Object.isFrozen(visitor.meta)).toBe(true);
    expect(backend.getMeta(engagement.engagementId)).toEqual({ meta: { engagement: 'high' }, properties: {} });
  });

  it('seed: /set with a JSON object merges key by key; later keys replace, others stay', async () => {
    const { visitor, type } = await start();
    await type('/set engagement low');
    await type('/set {"engagement": "high", "scores": [8, 7, 6.5]}');
    await type('/set tier 2');
    await vi.waitFor(() => expect(visitor.meta.meta).toEqual({ engagement: 'high', scores: [8, 7, 6.5], tier: 2 }));
  });

  it.each([
    ['/set @name Account Review', { name: 'Account Review' }],
    ['/set @category Used Car', { category: 'Used Car' }],
    ['/set @category 1', { category: 1 }],
    ['/set @touchpoint email', { touchpoint: 'email' }],
    ['/set @language de', { language: 'de' }],
  ])('seed: %s changes the engagement property', async (line, properties) => {
    const { visitor, type, metas } = await start();
    const result = await type(line);
    expect(result).toMatchObject({ kind: 'set-property', state: { meta: {}, properties } });
    await vi.waitFor(() => expect(visitor.meta.properties).toEqual(properties));
    expect(metas).toHaveLength(1);
  });

  it('a visitor that connects later gets the current state right after ready, over the socket and over polling', async () => {
    const engagement = backend.createEngagement();
    const operator = createOperator({ baseUrl: backend.baseUrl, token: engagement.operatorToken });
    await sendCommandLine(operator, engagement.engagementId, '/set @language fr');
    await sendCommandLine(operator, engagement.engagementId, '/set vip true');
    const expected = { meta: { vip: true }, properties: { language: 'fr' } };

    const socket = await start({ engagement });
    await vi.waitFor(() => expect(socket.visitor.meta).toEqual(expected));

    const polling = await start({ engagement, realtime: { transport: 'polling' } });
    await vi.waitFor(() => expect(polling.visitor.meta).toEqual(expected));
    // Every poll repeats the state; the event fires once per change only.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(polling.metas).toHaveLength(1);
    await sendCommandLine(operator, engagement.engagementId, '/set vip false');
    await vi.waitFor(() => expect(polling.visitor.meta.meta).toEqual({ vip: false }));
    expect(polling.metas).toHaveLength(2);
  });
});

describe('a line that does not parse', () => {
  it.each([
    ['>highlight selector = x', 20, `'=' after key "selector"`],
    ['/set @colour red', 6, 'one of @name, @category, @touchpoint, @language'],
    ['/notify', 1, "'>name' or '/set'"],
    ['highlight', 1, "'>name' or '/set'"],
    ['/set {"a": 1,}', 14, 'a "quoted" key in the JSON object'],
  ])('%s rejects with what was expected and at which column; nothing is sent', async (line, column, expected) => {
    const { type } = await start();
    requests.length = 0;
    const error = await type(line).catch((caught: unknown) => caught);
    expect(isCommandLineError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'InvalidArgumentError', code: 'ERR_INVALID_ARGUMENT', argument: 'line', column, expected });
    expect((error as Error).message).toContain(`column ${column}: expected ${expected}`);
    expect(formatCommandLineError(line, error).split('\n').at(-1)).toBe(`${' '.repeat(column - 1)}^`);
    expect(requests).toEqual([]);
  });

  it('a valid line the server refuses rejects with the HTTP error (ChatShipper allows nothing else for @touchpoint)', async () => {
    const { operator, engagement } = await start();
    await expect(operator.setMeta(engagement.engagementId, { properties: { touchpoint: 'fax' as never } })).rejects.toMatchObject({
      name: 'InvalidRequestError',
      status: 400,
      serverMessage: "Property 'touchpoint' must be one of web, email, sms, facebook",
    });
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Visitor } from '../index.js';
import { useReferenceServer } from '../../test/support/server.js';
import { startVisitor, waitForConnection } from '../../test/support/visitor.js';
import { createOperator, type Operator } from './create-operator.js';
import { sendCommandLine } from './send-command-line.js';

describe('sendCommandLine: a bot command with -- content', () => {
  /** An operator client that only records what it was asked to send. */
  const recording = () => {
    const sendCustomCommand = vi.fn(async (input: { properties: object; content?: string }) => ({ id: 'c1', ...input }));
    return { operator: { sendCustomCommand } as unknown as Operator, sendCustomCommand };
  };

  it('sends the text after -- as the command content, next to the properties', async () => {
    const { operator, sendCustomCommand } = recording();
    const result = await sendCommandLine(operator, 'eng-1', '>showMessage message="hi" -- Your agent says hi.');
    expect(sendCustomCommand).toHaveBeenCalledExactlyOnceWith({
      engagementId: 'eng-1',
      properties: { name: 'showMessage', message: 'hi' },
      content: 'Your agent says hi.',
    });
    expect(result).toMatchObject({ kind: 'bot', parsed: { content: 'Your agent says hi.' } });
  });

  it('sends no content without --', async () => {
    const { operator, sendCustomCommand } = recording();
    await sendCommandLine(operator, 'eng-1', '>showMessage message="hi"');
    expect(sendCustomCommand.mock.calls[0]![0].content).toBeUndefined();
  });

  describe('through the reference server', () => {
    const { backend } = useReferenceServer();
    const open: Visitor[] = [];
    afterEach(() => {
      for (const visitor of open.splice(0)) visitor.close();
    });

    it("the visitor's transcript shows the content instead of the fallback text; the handler gets the properties", async () => {
      const showMessage = vi.fn();
      const { visitor, engagement } = startVisitor(backend, { handlers: { showMessage } });
      open.push(visitor);
      await waitForConnection(visitor, { status: 'open' });
      const operator = createOperator({ baseUrl: backend.baseUrl, token: engagement.operatorToken });
      await sendCommandLine(operator, engagement.engagementId, '>showMessage message="<b>hi</b>" -- Your agent: <b>hi</b>');
      await sendCommandLine(operator, engagement.engagementId, '>showMessage message=bye');
      await vi.waitFor(() => expect(visitor.transcript.entries).toHaveLength(2));
      expect(visitor.transcript.entries.map((e) => [e.text, e.kind === 'command' && e.fallback])).toEqual([
        ['Your agent: <b>hi</b>', false],
        ['The operator sent a command.', true],
      ]);
      await vi.waitFor(() => expect(showMessage).toHaveBeenCalledTimes(2));
      expect(showMessage.mock.calls[0]![0]).toEqual({ name: 'showMessage', message: '<b>hi</b>' });
    });
  });
});

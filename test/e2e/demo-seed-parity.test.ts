// @vitest-environment node
// Issue 6 in the demo, in headless Chromium: the console's command line
// (sendCommandLine: >name key=value, /set), a scheduled command firing, typing
// both ways and read receipts, between the visitor's page and the operator
// console. A file of its own, so that it runs beside demo.test.ts.
import { expect, it } from 'vitest';
import { describeInBrowser } from './browser.js';
import { eventListed, FALLBACK, outcome, ready, runLine, send, transcript, XSS, type Any } from './demo-page.js';

describeInBrowser('the demo in Chromium: command line, schedules, typing, read receipts', (browser) => {
  it("the command line: a typed >showMessage runs in the visitor's pane, and dismissing it is a read receipt", async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;

    expect(await runLine(page, '>showMessage message="Hi from the command line"')).toBe('Sent showMessage as command #1.');
    expect(await page.inputValue('#command-line-input')).toBe(''); // ready for the next line
    expect(await outcome(page, 1, 'executed')).toMatch(/^1 Command line >showMessage message="Hi from the command line" no content 200 accepted executed$/);
    expect(await page.locator('#agent-message').isVisible()).toBe(true);
    expect(await page.locator('#agent-message-title').textContent()).toBe('Message from your agent');
    expect(await page.locator('#agent-message-text').textContent()).toBe('Hi from the command line');
    expect(await transcript(page)).toEqual([FALLBACK]); // a typed command has no content
    expect(await page.locator('#commands tr[data-row="1"] [data-cell="read"]').textContent()).toBe('');

    // OK closes the dialog: visitor.markAsRead(command.id), and the console shows read_at.
    await page.click('#agent-message button');
    const row = page.locator('#commands tr[data-row="1"][data-read]');
    await row.waitFor();
    expect(await row.locator('[data-cell="read"]').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
    const readAt = await row.getAttribute('data-read');
    const commandId = await row.getAttribute('data-command-id');
    expect(await page.evaluate((id) => (window as Any).EngageKitDemo.backend.getCommands((window as Any).EngageKitDemo.credentials.engagementId).find((c: Any) => c.command.id === id)?.readAt, commandId)).toBe(readAt);
    await eventListed(page, 'Visitor closed the agent’s message');
    expect(problems).toEqual([]);
  });

  it('the command line: a malformed line shows the column and a caret, and sends nothing', async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;

    const line = '>showMessage message = "Hi"';
    await runLine(page, line);
    expect(await page.getAttribute('#command-line-output', 'data-state')).toBe('error');
    expect(await page.locator('#command-line-output pre').textContent()).toBe(
      `command line, column 21: expected '=' after key "message", got a space\n${line}\n${' '.repeat(20)}^`,
    );
    expect(await page.inputValue('#command-line-input')).toBe(line); // kept, to fix
    // ChatShipper's other system commands are named as unsupported.
    expect(await runLine(page, '/close')).toMatch(/^command line, column 1: expected '>name' or '\/set', got "\/close" \(a .+ command EngageKit does not support\)/);
    // Nothing was sent: no row, no command on the server, nothing in the visitor's pane.
    expect(await page.locator('#commands tbody tr').count()).toBe(0);
    expect(await page.evaluate(() => (window as Any).EngageKitDemo.backend.getCommands((window as Any).EngageKitDemo.credentials.engagementId).length)).toBe(0);
    expect(await transcript(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("the command line: /set reaches the visitor's page through visitor.meta, as text", async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;
    expect(await page.locator('#engagement-name').textContent()).toBe('Nothing set yet');

    expect(await runLine(page, '/set @name Account Review')).toBe(
      '@name set; the engagement is now {"meta":{},"properties":{"name":"Account Review"}}',
    );
    await page.waitForFunction(() => document.getElementById('engagement-name')!.textContent === 'Account Review');
    expect(await page.getAttribute('#engagement', 'data-empty')).toBe('false');

    expect(await runLine(page, '/set @language de')).toMatch(/^@language set; /);
    await page.locator('#engagement-details [data-property="language"]').waitFor();
    expect(await runLine(page, '/set priority high')).toBe(
      'Metadata merged; the engagement is now {"meta":{"priority":"high"},"properties":{"name":"Account Review","language":"de"}}',
    );
    await page.locator('#engagement-details [data-meta="priority"]').waitFor();
    expect(await runLine(page, `/set note "${XSS}"`)).toMatch(/^Metadata merged; /);
    await page.locator('#engagement-details [data-meta="note"]').waitFor();

    expect(await page.locator('#engagement-details').evaluate((dl) => [...dl.children].map((c) => c.textContent))).toEqual([
      'Language', 'de', 'priority', 'high', 'note', XSS,
    ]);
    expect(await page.evaluate(() => (window as Any).visitor.meta)).toEqual({
      meta: { priority: 'high', note: XSS },
      properties: { name: 'Account Review', language: 'de' },
    });
    expect(await page.locator('#engagement img, #command-line-output img').count()).toBe(0);
    // /set sends no command.
    expect(await page.locator('#commands tbody tr').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("a scheduled command fires in the visitor's pane, and the firing reaches the console", async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;
    // When the visitor reported it scheduled, and when its timer fired.
    const firing = page.evaluate(
      () =>
        new Promise((resolve) => {
          const visitor = (window as Any).visitor;
          let scheduledAt = 0;
          visitor.on('command:result', (outcome: Any) => outcome.status === 'scheduled' && (scheduledAt = Date.now()));
          visitor.once('timer', (e: Any) => resolve({ timerName: e.timerName, name: e.name, status: e.status, missed: e.missed, after: Date.now() - scheduledAt }));
        }),
    );

    await runLine(page, '>showMessage message="Still there?" timerName=reminder interval=1');
    expect(await outcome(page, 1, 'scheduled')).toMatch(/200 accepted scheduled$/);
    expect(await page.locator('#commands tr[data-row="1"] .result-scheduled').count()).toBe(1);
    const fired = (await firing) as { after: number };
    expect(fired).toEqual({ timerName: 'reminder', name: 'showMessage', status: 'executed', missed: 1, after: expect.any(Number) });
    expect(fired.after).toBeGreaterThanOrEqual(900); // not at once: a second after it was scheduled

    await page.locator('#agent-message').waitFor();
    expect(await page.locator('#agent-message-title').textContent()).toBe('Reminder from your agent');
    expect(await page.locator('#agent-message-text').textContent()).toBe('Still there?');
    await eventListed(page, 'Timer “reminder” fired: showMessage executed');
    expect(await transcript(page)).toEqual([FALLBACK, 'Timer “reminder” fired: showMessage executed']);
    // A firing is not reported to the server: the command stays "scheduled".
    expect(await page.getAttribute('#commands tr[data-row="1"]', 'data-result')).toBe('scheduled');

    // The preset sets a 5 s reminder the same way.
    await send(page, 'reminder');
    expect(await outcome(page, 2, 'scheduled')).toMatch(/^2 Set a reminder showMessage Your agent set a reminder\. 200 accepted scheduled$/);
    expect(problems).toEqual([]);
    await opened.context.close(); // before that reminder fires
  });

  it("typing shows both ways: the visitor's in the console, the operator's under the visitor's transcript", async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;
    const operatorToken: string = await page.evaluate(() => (window as Any).EngageKitDemo.credentials.operatorToken);
    const typingRequests: string[] = [];
    page.on('request', (request) => {
      if (request.method() !== 'POST' || !request.url().endsWith('/typing')) return;
      const who = request.headers().authorization === `Bearer ${operatorToken}` ? 'operator' : 'visitor';
      typingRequests.push(`${who} ${(JSON.parse(request.postData()!) as { action: string }).action}`);
    });

    // The visitor types a message in the contact form: visitor.typing.start(text).
    await page.fill('#contact-form textarea[name="message"]', 'Does Gold cover my bike?');
    await page.locator('#visitor-typing[data-active="true"]').waitFor();
    expect(await page.locator('#visitor-typing').textContent()).toBe('Visitor is typing: “Does Gold cover my bike?”');
    // Sending the form (and leaving the field) stops it.
    await page.click('#contact-form button[type="submit"]');
    await page.locator('#visitor-typing[data-active="false"]').waitFor();
    expect(await page.locator('#visitor-typing').textContent()).toBe('Visitor: not typing');

    // The operator types: the visitor's transcript says so, text only.
    const indicator = page.locator('#transcript .engagekit-typing');
    const typedAt = Date.now();
    await page.fill('#operator-message', 'Let me check <b>that</b>');
    await indicator.waitFor();
    expect(await indicator.textContent()).toBe('The operator is typing: Let me check <b>that</b>');
    await page.locator('#operator-typing[data-active="true"]').waitFor();
    // More keystrokes within 3 s: no new start now (the demo throttles the operator client).
    await page.type('#operator-message', ' for you', { delay: 5 });
    // Sending stops the typing and sends the text as a message.
    await page.click('#operator-chat button[type="submit"]');
    const typingFor = Date.now() - typedAt;
    await indicator.waitFor({ state: 'hidden' });
    expect(await outcome(page, 1, 'executed')).toMatch(/^1 Message showMessage Let me check <b>that<\/b> for you 200 accepted executed/);
    expect(await page.locator('#agent-message-text').textContent()).toBe('Let me check <b>that</b> for you');
    expect(await page.locator('#transcript b, #agent-message b').count()).toBe(0);
    await page.locator('#operator-typing[data-active="false"]').waitFor();

    expect(typingRequests.filter((r) => r.startsWith('visitor'))).toEqual(['visitor typing.start', 'visitor typing.stop']);
    // 9 input events, one typing.start: at most one per 3 s (a second one only if this took over 3 s), one stop.
    const operator = typingRequests.filter((r) => r.startsWith('operator'));
    expect(operator[0]).toBe('operator typing.start');
    expect(operator.filter((r) => r === 'operator typing.start').length).toBeLessThanOrEqual(1 + Math.floor(typingFor / 3000));
    expect(operator.slice(-1)).toEqual(['operator typing.stop']);
    expect(operator.filter((r) => r === 'operator typing.stop')).toHaveLength(1);
    expect(problems).toEqual([]);
  });
});

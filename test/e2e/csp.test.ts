// @vitest-environment node
// The demo page served with a strict Content-Security-Policy and Trusted
// Types enforced (/csp.html): the script-tag bundle, the transcript renderer
// and the handlers work with no eval, no inline script or style, no HTML.
import { expect, it } from 'vitest';
import { STRICT_CSP } from '../../demo/serve.mjs';
import { describeInBrowser, screenshot } from './browser.js';
import { runLine, XSS } from './demo-page.js';

describeInBrowser('the demo under a strict CSP with Trusted Types, in Chromium', (browser) => {
  it('is served with the policy', async () => {
    const response = await fetch(`${browser.origin}/csp.html`);
    expect(response.headers.get('content-security-policy')).toBe(STRICT_CSP);
    for (const directive of ["script-src 'self'", "object-src 'none'", "base-uri 'none'", "require-trusted-types-for 'script'", "style-src 'self'"]) {
      expect(STRICT_CSP.split('; ')).toContain(directive);
    }
    expect(STRICT_CSP).not.toMatch(/unsafe-(inline|eval)/);
    expect((await fetch(`${browser.origin}/`)).headers.get('content-security-policy')).toBeNull();
  });

  it('a command runs, events are recorded, the transcript renders: no violation, no error', async () => {
    const { page, problems } = await browser.open('/csp.html');
    await page.waitForSelector('#connection[data-status="open"]');
    await page.waitForSelector('.preset:not([disabled])');
    expect(await page.locator('#policy code').textContent()).toBe(`Content-Security-Policy: ${STRICT_CSP}`);

    await page.click('[data-preset="highlight"]');
    await page.waitForSelector('#commands tr[data-row="1"][data-result="executed"]');
    expect(await page.locator('#pricing').getAttribute('class')).toMatch(/\bhighlighted\b/);
    await page.click('[data-preset="scroll"]');
    await page.waitForSelector('#commands tr[data-row="2"][data-result="executed"]');
    await page.click('#quote');
    await page.waitForSelector('#operator-events li');
    expect(await page.locator('#transcript li').allTextContents()).toEqual([
      'Your agent highlighted the pricing table.',
      'The operator sent a command.',
      'Visitor clicked “Get a quote”',
    ]);
    await screenshot(page, 'csp');
    expect(problems).toEqual([]);
  });

  it('an XSS payload in content is literal text there too', async () => {
    const { page, problems } = await browser.open('/csp.html');
    await page.waitForSelector('.preset:not([disabled])');
    await page.waitForSelector('#connection[data-status="open"]');
    await page.click('[data-preset="xss"]');
    await page.waitForSelector('#commands tr[data-row="1"][data-result="executed"]');
    expect(await page.locator('#transcript li').last().textContent()).toBe(XSS);
    expect(await page.locator('#transcript img, #agent-message img').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('the command line, /set, a scheduled command and typing both ways: text only, no violation', async () => {
    const { page, problems } = await browser.open('/csp.html');
    await page.waitForSelector('#connection[data-status="open"]');
    await page.waitForSelector('.preset:not([disabled])');

    expect(await runLine(page, `/set @name ${XSS}`)).toMatch(/^@name set; /);
    await page.waitForFunction((text) => document.getElementById('engagement-name')!.textContent === text, XSS);
    await runLine(page, '>showMessage message="<b>Still there?</b>" timerName=csp interval=0.3');
    await page.waitForSelector('#commands tr[data-row="1"][data-result="scheduled"]');
    await page.waitForFunction(() => document.getElementById('agent-message-title')!.textContent === 'Reminder from your agent');
    expect(await page.locator('#agent-message-text').textContent()).toBe('<b>Still there?</b>');
    await runLine(page, '>fill field = email');
    expect(await page.locator('#command-line-output pre').textContent()).toMatch(/^command line, column 12: expected '=' after key "field", got a space\n/);

    await page.fill('#operator-message', XSS);
    await page.locator('#transcript .engagekit-typing').waitFor();
    expect(await page.locator('#transcript .engagekit-typing').textContent()).toBe(`The operator is typing: ${XSS}`);
    await page.fill('#contact-form textarea[name="message"]', XSS);
    await page.locator('#visitor-typing[data-active="true"]').waitFor();
    expect(await page.locator('#visitor-typing').textContent()).toBe(`Visitor is typing: “${XSS}”`);

    expect(await page.locator('img, b').count()).toBe(0);
    await screenshot(page, 'csp-seed-parity');
    expect(problems).toEqual([]);
  });

  it('the policy is really enforced: HTML, eval and other script URLs are refused', async () => {
    const { page, problems } = await browser.open('/csp.html');
    await page.waitForSelector('#connection[data-status="open"]');
    expect(problems).toEqual([]);
    // In a task of the page's own, not in the evaluation: DevTools lets code it evaluates use eval.
    const attempts = await page.evaluate(
      () =>
        new Promise((resolve) =>
          setTimeout(() => {
            const attempt = (what: () => unknown) => {
              try {
                what();
                return 'allowed';
              } catch (error) {
                return (error as Error).name;
              }
            };
            resolve({
              innerHTML: attempt(() => (document.createElement('div').innerHTML = '<b>x</b>')),
              eval: attempt(() => (0, eval)('1')),
              newFunction: attempt(() => new Function('return 1')),
              scriptSrc: attempt(() => (document.createElement('script').src = '/dist/engagekit.global.js')),
            });
          }),
        ),
    );
    expect(attempts).toMatchObject({ innerHTML: 'TypeError', eval: 'EvalError', newFunction: 'EvalError', scriptSrc: 'TypeError' });
    // Each refusal was reported.
    await expect.poll(() => problems.length).toBeGreaterThanOrEqual(4);
    expect(problems.join('\n')).toMatch(/TrustedHTML/);
    expect(problems.join('\n')).toMatch(/TrustedScriptURL/);
  });
});

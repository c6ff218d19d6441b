// @vitest-environment node
// The demo holds up at 1280×720, 1440×900 and 390×844 after 20 commands and
// 20 events: what the operator needs stays in view and can be clicked, the
// lists scroll inside their own boxes, numbers never wrap, empty lists say
// what will show there, and the outline of highlight and fill fades.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInBrowser, screenshot } from './browser.js';
import { actMany, outcome, reach, ready, runLine, send, sendMany } from './demo-page.js';

/** What must be in view and clickable: the console's title and controls, the visitor's connection and transcript. */
const CONTROLS = [
  '#operator-title',
  '.preset',
  '#command-line-input',
  '#command-line button[type="submit"]',
  '#custom-details summary',
  '#operator-message',
  '#operator-chat button[type="submit"]',
  '#drop-connection',
  '#block-websockets',
  '#reset',
  '#connection',
  '#transcript',
];

/** Rows of a list box that are whole inside it (under its sticky header) and inside the viewport. */
function rowsInView(page: Page, box: string, rows: string): Promise<number> {
  return page.evaluate(
    ({ box, rows }) => {
      const scroller = document.querySelector(box)!;
      const b = scroller.getBoundingClientRect();
      const top = b.top + (scroller.querySelector('thead')?.getBoundingClientRect().height ?? 0);
      return [...scroller.querySelectorAll(rows)].filter((row) => {
        const r = row.getBoundingClientRect();
        return r.height > 0 && r.top >= top - 1 && r.bottom <= b.bottom + 1 && r.top >= 0 && r.bottom <= innerHeight;
      }).length;
    },
    { box, rows },
  );
}

/** Cells holding a number or a time whose text does not fit on one line. */
const wrappedNumbers = (page: Page) =>
  page.evaluate(() => [
    ...[...document.querySelectorAll<HTMLElement>('#commands .num, #commands td.read')]
      .filter((cell) => cell.scrollWidth > cell.clientWidth)
      .map((cell) => `${cell.tagName} ${cell.textContent}: ${cell.scrollWidth} > ${cell.clientWidth}`),
    ...[...document.querySelectorAll('#operator-events time, #commands td.read time')]
      .filter((time) => time.getClientRects().length !== 1)
      .map((time) => `time ${time.textContent} on ${time.getClientRects().length} lines`),
  ]);

/** The preset buttons' labels and hints whose text does not fit (an ellipsis shows instead of their end). */
const cutShort = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.preset-label, .preset-hint')]
      .filter((text) => text.scrollWidth > text.clientWidth)
      .map((text) => `${text.textContent}: ${text.scrollWidth} > ${text.clientWidth}`),
  );

/** `events`: whole lines of the visitor's events in view, with the command line's error shown (at 1280×720 the events box gives way to it). */
const SIZES = [
  { width: 1280, height: 720, narrow: false, events: 1 },
  { width: 1440, height: 900, narrow: false, events: 3 },
  { width: 390, height: 844, narrow: true, events: 5 },
];

describeInBrowser('the demo at three sizes, in Chromium', (browser) => {
  it('empty lists say what will show there, and say nothing once something does', async () => {
    const opened = await browser.open('/', { viewport: { width: 1280, height: 720 } });
    await ready(opened);
    const { page, problems } = opened;
    const texts = () =>
      page.evaluate(() =>
        ['#commands-empty', '#operator-events-empty', '#transcript-empty'].map((id) => {
          const element = document.querySelector<HTMLElement>(id)!;
          return element.checkVisibility() ? element.textContent : null;
        }),
      );
    expect(await texts()).toEqual([
      'No commands yet: send one above. Each gets a row here, with the server’s answer and what the visitor’s page did with it.',
      'No events yet: act on the visitor’s page (click, choose a plan, open the FAQ) and each shows here.',
      'Nothing yet: your agent’s messages and what you do on this page show here.',
    ]);
    expect(await page.locator('#commands').isVisible()).toBe(false);

    await send(page, 'highlight');
    await outcome(page, 1, 'executed');
    expect((await texts())[0]).toBeNull();
    expect((await texts())[2]).toBeNull(); // the command's content is in the transcript
    expect(await page.locator('#commands').isVisible()).toBe(true);
    await page.click('#quote');
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#operator-events-empty')!.checkVisibility());
    expect(await texts()).toEqual([null, null, null]);
    expect(problems).toEqual([]);
  });

  it("the outline of highlight and fill fades, and its class goes, after a few seconds", async () => {
    const opened = await browser.open('/', { viewport: { width: 1280, height: 720 } });
    await ready(opened);
    const { page, problems } = opened;
    const has = (selector: string) => page.evaluate((s) => document.querySelector(s)!.classList.contains('highlighted'), selector);

    // When the class comes and goes, timed on the page: the operator's row shows the result later,
    // by over a second on a loaded machine, so a clock started there undercounts.
    await page.evaluate(() => {
      const pricing = document.getElementById('pricing')!;
      const times: number[] = [];
      (window as unknown as { outlineTimes: number[] }).outlineTimes = times;
      new MutationObserver(() => times.push(performance.now())).observe(pricing, { attributes: true, attributeFilter: ['class'] });
    });
    await send(page, 'highlight');
    await outcome(page, 1, 'executed');
    expect(await has('#pricing')).toBe(true);
    expect(await page.evaluate(() => getComputedStyle(document.getElementById('pricing')!).outlineColor)).not.toBe('rgba(0, 0, 0, 0)');
    await send(page, 'fill');
    await outcome(page, 2, 'executed');
    expect(await has('#contact-form input[name="email"]')).toBe(true);

    await page.waitForFunction(() => !document.getElementById('pricing')!.classList.contains('highlighted'), undefined, { timeout: 8_000 });
    // Seen for a few seconds first: from the class added (the last change but one) to its removal (the last).
    const times = await page.evaluate(() => (window as unknown as { outlineTimes: number[] }).outlineTimes);
    expect(times.at(-1)! - times.at(-2)!).toBeGreaterThanOrEqual(3_000);
    await page.waitForFunction(() => !document.querySelector('#contact-form input[name="email"]')!.classList.contains('highlighted'), undefined, { timeout: 8_000 });
    expect(await page.locator('.highlighted').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('after 20 commands and 20 events, at 1280×720, 1440×900 and 390×844: the controls, 5 rows and more, and the transcript can be reached', { timeout: 90_000 }, async () => {
    const opened = await browser.open('/', { viewport: { width: 1440, height: 900 } });
    await ready(opened);
    const { page, problems } = opened;
    await sendMany(page, 19);
    await send(page, 'message'); // the 20th: the visitor dismisses it, so a read time shows
    await outcome(page, 20, 'executed');
    await page.click('#agent-message button');
    await page.locator('#commands tr[data-row="20"][data-read]').waitFor();
    await actMany(page, 19); // and the dismissal: 20 events
    await page.waitForFunction(() => document.querySelectorAll('#transcript li').length >= 40);
    // A line that does not parse: its error (three lines) under the command line.
    await runLine(page, '>fill field = email');
    expect(await page.locator('#command-line-output pre').isVisible()).toBe(true);

    for (const { width, height, narrow, events } of SIZES) {
      const size = `${width}×${height}`;
      await page.setViewportSize({ width, height });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(200); // layout and the boxes' own scrolling settle

      if (!narrow) {
        // The window is the page: nothing below the fold, everything in view at once.
        expect(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight), size).toBe(true);
      } else {
        // The visitor's page, its transcript, then the console.
        const tops = await page.evaluate(() => ['#site', '#transcript', '#operator-title'].map((s) => document.querySelector(s)!.getBoundingClientRect().top));
        expect(tops[0]! < tops[1]! && tops[1]! < tops[2]!, `${size}: ${tops}`).toBe(true);
        expect(tops[1]!, `${size}: the transcript starts on the first screen`).toBeLessThan(height);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${size}: no sideways scrolling`).toBe(true);
      }
      const unreachable = (await reach(page, [...CONTROLS, '#command-line-output'], narrow)).filter((seen) => !seen.ok);
      expect(unreachable, size).toEqual([]);

      // At least 5 whole rows of results in their box, the newest among them.
      if (narrow) await page.locator('.commands-scroll').evaluate((box) => box.scrollIntoView({ block: 'nearest' }));
      expect(await rowsInView(page, '.commands-scroll', 'tbody tr'), size).toBeGreaterThanOrEqual(5);
      expect((await reach(page, ['#commands tr[data-row="20"] td.num', '#commands tr[data-row="20"] [data-cell="result"]'], false)).filter((seen) => !seen.ok), `${size}: the newest row`).toEqual([]);
      if (narrow) await page.locator('.events-scroll').evaluate((box) => box.scrollIntoView({ block: 'nearest' }));
      expect(await rowsInView(page, '.events-scroll', 'li'), size).toBeGreaterThanOrEqual(events);
      expect(await wrappedNumbers(page), size).toEqual([]);
      expect(await cutShort(page), `${size}: preset buttons whose text is cut`).toEqual([]);
      await screenshot(page, `demo-${width}x${height}`);
    }
    expect(problems).toEqual([]);
  });

  it('on a phone, highlight brings a section taller than the site box in from its top: its heading below the sticky menu', async () => {
    const opened = await browser.open('/', { viewport: { width: 390, height: 844 } });
    await ready(opened);
    const { page, problems } = opened;
    await send(page, 'highlight');
    await outcome(page, 1, 'executed');
    // The smooth scroll has ended when the position stops changing.
    await page.waitForFunction(
      () => {
        const site = document.querySelector('#site')!;
        const last = Number(site.getAttribute('data-last-top') ?? -1);
        site.setAttribute('data-last-top', String(site.scrollTop));
        return site.scrollTop > 0 && site.scrollTop === last;
      },
      undefined,
      { polling: 200 },
    );
    const { heading, menu, box } = await page.evaluate(() => ({
      heading: document.querySelector('#pricing h2')!.getBoundingClientRect().top,
      menu: document.querySelector('.site-nav')!.getBoundingClientRect().bottom,
      box: document.querySelector('#site')!.getBoundingClientRect().bottom,
    }));
    expect(heading, 'the heading is below the menu').toBeGreaterThanOrEqual(menu);
    expect(heading, "the heading is inside the site's box").toBeLessThan(box);
    expect(problems).toEqual([]);
  });

  it("the operator's typing line follows the transcript: scrolled up, the reader's entries are not covered", async () => {
    const opened = await browser.open('/', { viewport: { width: 1280, height: 720 } });
    await ready(opened);
    const { page, problems } = opened;
    await actMany(page, 16);
    await page.locator('#transcript').evaluate((box) => (box.scrollTop = 0));
    await page.fill('#operator-message', 'Let me look that up');
    const indicator = page.locator('#transcript .engagekit-typing');
    await indicator.waitFor();
    const overlap = await page.evaluate(() => {
      const box = document.getElementById('transcript')!.getBoundingClientRect();
      const typing = document.querySelector('#transcript .engagekit-typing')!.getBoundingClientRect();
      // In the flow after the list: below the box's visible part while the reader is at the top.
      return { typingTop: typing.top, boxBottom: box.bottom };
    });
    expect(overlap.typingTop).toBeGreaterThanOrEqual(overlap.boxBottom);
    expect(problems).toEqual([]);
  });
});

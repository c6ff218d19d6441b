// The demo page as the browser tests drive it: what to wait for, what to read.
import type { Page } from 'playwright-core';
import type { OpenPage } from './browser.js';

export const FALLBACK = 'The operator sent a command.';
export const XSS = '<img src=x onerror=alert(1)>';

 
export type Any = any;

/** Waits until the visitor is connected and the console can send. */
export async function ready({ page }: OpenPage): Promise<void> {
  await page.waitForSelector('#connection[data-status="open"]');
  await page.waitForSelector('.preset:not([disabled])');
}

/** Clicks one of the console's presets. */
export const send = (page: Page, preset: string) => page.click(`[data-preset="${preset}"]`);

/** Waits for the n-th command's row (1-based, in sending order) to reach `status`; returns its text. */
export async function outcome(page: Page, n: number, status: string): Promise<string> {
  const row = page.locator(`#commands tr[data-row="${n}"][data-result="${status}"]`);
  await row.waitFor();
  return (await row.innerText()).replace(/\s+/g, ' ').trim();
}

/** The visitor's transcript, as text. */
export const transcript = (page: Page) => page.locator('#transcript li').allTextContents();

/** Types a line into the console's command line and runs it; resolves with the console's answer (text). */
export async function runLine(page: Page, line: string): Promise<string> {
  await page.fill('#command-line-input', line);
  await page.click('#command-line button[type="submit"]'); // sets data-state="sending" at once
  const output = page.locator('#command-line-output:is([data-state="ok"], [data-state="error"])');
  await output.waitFor();
  return (await output.textContent()) ?? '';
}

/** Waits until the console's list of recorded events has a line containing `text`. */
export const eventListed = (page: Page, text: string) =>
  page.waitForFunction((t) => [...document.querySelectorAll('#operator-events li')].some((li) => li.textContent!.includes(t)), text);

/** Presets that run at once and leave nothing open (no dialog, no timer): for filling the console. */
export const QUIET_PRESETS = ['highlight', 'fill', 'scroll', 'unknown', 'failing'] as const;

/** Sends `count` commands from the console's presets, one after the other, and waits for every result. */
export async function sendMany(page: Page, count: number, from = 1): Promise<void> {
  for (let n = from; n < from + count; n++) {
    await send(page, QUIET_PRESETS[(n - 1) % QUIET_PRESETS.length]!);
    await page.locator(`#commands tr[data-row="${n}"]`).waitFor();
  }
  await page.waitForFunction(
    (last) => [...document.querySelectorAll('#commands tbody tr')].filter((row) => !/^(sending|pending)$/.test(row.getAttribute('data-result')!)).length >= last,
    from + count - 1,
  );
}

/** The visitor acts `count` times on their page (each an event); waits until the console lists them all. */
export async function actMany(page: Page, count: number): Promise<void> {
  const before = await page.locator('#operator-events li').count();
  const targets = ['#quote', '#pricing button >> nth=0', '#pricing button >> nth=1', '#pricing button >> nth=2'];
  for (let i = 0; i < count; i++) await page.click(targets[i % targets.length]!);
  await page.waitForFunction((n) => document.querySelectorAll('#operator-events li').length >= n, before + count);
}

/** The engagement the page's header names (its full id is the title). */
export const engagementOf = (page: Page) => page.locator('#demo-engagement').getAttribute('title');

export interface Seen {
  selector: string;
  /** The element's box lies in the viewport and the point at its centre hits it (nothing covers it). */
  ok: boolean;
  box: string;
}

/**
 * Whether each element can be seen and clicked where it is now: inside the
 * viewport, inside every scroll box around it, and on top at its centre.
 * `scroll`: first scroll it into view the way a reader would (the page, not the boxes).
 */
export function reach(page: Page, selectors: string[], scroll: boolean): Promise<Seen[]> {
  return page.evaluate(
    ({ selectors, scroll }) =>
      selectors.flatMap((selector) =>
        [...document.querySelectorAll(selector)].map((element) => {
          if (scroll) element.scrollIntoView({ block: 'nearest', inline: 'nearest' });
          const r = element.getBoundingClientRect();
          // A pixel of slack: boxes at fractional positions.
          let inside = r.width > 0 && r.height > 0 && r.top >= -1 && r.left >= -1 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1;
          let clippedBy = inside ? '' : ' (outside the viewport)';
          for (let box = element.parentElement; box && inside; box = box.parentElement) {
            const style = getComputedStyle(box);
            if (!/(auto|scroll|hidden)/.test(style.overflowY + style.overflowX)) continue;
            const b = box.getBoundingClientRect();
            inside = r.top >= b.top - 1 && r.bottom <= b.bottom + 1 && r.left >= b.left - 1 && r.right <= b.right + 1;
            if (!inside) clippedBy = ` (clipped by ${box.tagName}.${box.className})`;
          }
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          const ok = inside && !!hit && (element === hit || element.contains(hit) || (element as HTMLInputElement).labels?.[0]?.contains(hit) === true);
          const covered = hit === element || element.contains(hit) ? '' : ` (on top: ${hit?.tagName}.${hit?.className})`;
          return { selector, ok, box: `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}${clippedBy}${covered}` };
        }),
      ),
    { selectors, scroll },
  );
}


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

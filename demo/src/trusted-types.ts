/**
 * The one Trusted Types exception the demo needs, on the page served with
 * `require-trusted-types-for 'script'` (/csp.html), and why it does not
 * weaken what that page proves about the SDK.
 *
 * MSW registers its service worker with `navigator.serviceWorker.register(url)`,
 * a TrustedScriptURL sink. msw 2.15 turns the URL it is given into a string
 * (`serviceWorker.url.toString()`) before registering, so a TrustedScriptURL
 * from a named policy cannot get through; only the `default` policy is
 * consulted for a plain string. This default policy:
 *
 * - lets through exactly one script URL: this origin's /mockServiceWorker.js.
 *   Any other string gets `null`, which Chromium blocks as if there were no
 *   policy;
 * - has no `createHTML` and no `createScript`, so `innerHTML`,
 *   `insertAdjacentHTML`, `eval`, `new Function`, string timers and script
 *   text still throw: the SDK, the demo and MSW remain held to the policy.
 *
 * It comes from an external same-origin script (this bundle), as
 * `script-src 'self'` requires. A site using the SDK needs no policy at all:
 * this exists only for the demo's in-page reference server.
 */
export const WORKER_PATH = '/mockServiceWorker.js';

interface TrustedTypePolicyFactory {
  readonly defaultPolicy: unknown;
  createPolicy(name: string, rules: { createScriptURL?: (input: string) => string | null }): unknown;
}

export function allowMockServiceWorker(): void {
  const factory = (globalThis as { trustedTypes?: TrustedTypePolicyFactory }).trustedTypes;
  if (!factory || factory.defaultPolicy) return;
  const allowed = new URL(WORKER_PATH, location.origin).href;
  factory.createPolicy('default', {
    createScriptURL: (input) => (new URL(input, location.href).href === allowed ? input : null),
  });
}

/* global EngageKit, URLSearchParams, addEventListener */
// One tab of a visitor, for test/e2e/guarantees.test.ts. Configured by the
// query string; tells the test server what happened with keepalive requests,
// which outlive the page.
(() => {
  const params = new URLSearchParams(location.search);
  const tab = `${params.get('name') || 'tab'}-${Math.random().toString(36).slice(2, 8)}`;
  let left = false;
  const report = (kind, data) =>
    fetch('/report', { method: 'POST', keepalive: true, body: JSON.stringify({ kind, tab, ...data }) }).catch(() => {});
  // Registered before the SDK's: a handler that runs after this is a run after pagehide.
  addEventListener('pagehide', () => {
    left = true;
    report('pagehide', {});
  });
  const warnings = [];
  const log = (level) => (...args) => {
    const text = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' ');
    warnings.push(`${level}: ${text}`);
    report('log', { level, text });
  };
  const visitor = EngageKit.createVisitor({
    baseUrl: params.get('api'),
    engagementId: params.get('engagement'),
    token: params.get('token'),
    logger: { debug() {}, warn: log('warn'), error: log('error') },
    realtime: { backoff: { initialDelay: 50, maxDelay: 500 } },
    queue: { backoff: { initialDelay: 50, maxDelay: 500 } },
    handlers: {
      '*': (properties, { command }) => report('run', { id: command.id, i: properties.i, afterPagehide: left }),
    },
  });
  const show = (state) => (document.getElementById('state').textContent = state.status);
  show(visitor.connection);
  visitor.on('connection:changed', ({ current }) => show(current));
  Object.assign(window, { visitor, tab, warnings });
})();

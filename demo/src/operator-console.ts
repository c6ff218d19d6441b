import type { EngagementCredentials, MockBackend } from '../../src/mock/index.js';
import { createOperator } from '../../src/operator/index.js';
import { isEngageKitError, isHttpError } from '../../src/index.js';
import { append, byId, h, replace } from './dom.js';
import type { ReferenceServer } from './reference-server.js';

/**
 * The operator console: the right-hand pane. It sends custom commands the way
 * an operator's tool does (`engagekit/operator`, the PUT of seed 000), or as
 * a raw PUT for bodies the client would refuse to send, so that the server's
 * own error shows; it lists each command's answer and the visitor's result,
 * and the events the visitor recorded.
 */

interface Preset {
  id: string;
  label: string;
  hint: string;
  /** Sent as is with fetch: the operator client checks its input and would not send it. */
  raw?: boolean;
  body: { content?: unknown; properties: unknown };
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'message',
    label: 'Show a message',
    hint: 'showMessage · with content',
    body: {
      content: 'Your agent sent you a message.',
      properties: { name: 'showMessage', message: 'Hi! I can help you choose a plan. Gold covers travel, too.' },
    },
  },
  {
    id: 'highlight',
    label: 'Highlight the pricing',
    hint: 'highlight · with content',
    body: { content: 'Your agent highlighted the pricing table.', properties: { name: 'highlight', selector: '#pricing' } },
  },
  {
    id: 'fill',
    label: 'Fill in the email',
    hint: 'fill · with content',
    body: {
      content: 'Your agent filled in your email address.',
      properties: { name: 'fill', field: 'email', value: 'jane.doe@example.com' },
    },
  },
  {
    id: 'scroll',
    label: 'Scroll to the FAQ',
    hint: 'scrollTo · no content: generic text',
    body: { properties: { name: 'scrollTo', section: 'faq' } },
  },
  {
    id: 'failing',
    label: 'Highlight a missing element',
    hint: 'the handler throws: failed',
    body: { properties: { name: 'highlight', selector: '#no-such-element' } },
  },
  {
    id: 'unknown',
    label: 'Unknown command',
    hint: 'no handler: unhandled',
    body: { content: 'Your agent tried something this page cannot do.', properties: { name: 'launchRocket' } },
  },
  {
    id: 'malformed',
    label: 'Malformed properties',
    hint: 'an array · the server answers 400',
    raw: true,
    body: { content: 'Never delivered', properties: ['not', 'an', 'object'] },
  },
  {
    id: 'xss',
    label: 'HTML in content',
    hint: 'shown as text, never run',
    body: {
      content: '<img src=x onerror=alert(1)>',
      properties: { name: 'showMessage', message: '<b>Not bold</b> <img src=x onerror=alert(1)>' },
    },
  },
];

const DEFAULT_CUSTOM_BODY = JSON.stringify(
  { content: 'Your agent highlighted the contact form.', properties: { name: 'highlight', selector: '#contact' } },
  null,
  2,
);

interface Row {
  element: HTMLTableRowElement;
  result: HTMLTableCellElement;
}

export function mountOperatorConsole(options: {
  root: HTMLElement;
  backend: MockBackend;
  baseUrl: string;
  credentials: EngagementCredentials;
  ready: Promise<ReferenceServer>;
}): void {
  const { root, backend, baseUrl, credentials, ready } = options;
  const { engagementId, operatorToken } = credentials;
  const operator = createOperator({ baseUrl, token: operatorToken, retries: 0 });
  const rows = new Map<string, Row>();
  let sent = 0;

  const presetButtons = PRESETS.map((preset) => {
    const button = h(
      'button',
      { type: 'button', class: 'preset', 'data-preset': preset.id, disabled: true },
      h('span', { class: 'preset-label' }, preset.label),
      h('span', { class: 'preset-hint' }, preset.hint),
    );
    button.addEventListener('click', () => void send(preset.label, preset.body, preset.raw ?? false));
    return button;
  });

  const customBody = h('textarea', { id: 'custom-body', rows: '3', spellcheck: 'false', 'aria-label': 'Request body (JSON)' });
  customBody.value = DEFAULT_CUSTOM_BODY;
  const customSend = h('button', { type: 'submit', disabled: true }, 'Send as is');
  const customForm = h(
    'form',
    { id: 'custom-command', class: 'custom' },
    h('label', { for: 'custom-body' }, 'Any body, sent as a raw PUT: the server checks it'),
    customBody,
    customSend,
  );
  customForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void send('Custom', customBody.value, true);
  });

  const commandsBody = h('tbody');
  const commandsScroll = h(
    'div',
    { class: 'commands-scroll' },
    h(
      'table',
      { id: 'commands', class: 'commands' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, '#'), h('th', {}, 'Command'), h('th', {}, 'Content'), h('th', {}, 'Server'), h('th', {}, 'Visitor')),
      ),
      commandsBody,
    ),
  );
  const eventsList = h('ol', { id: 'operator-events', class: 'events' });
  const eventsEmpty = h('p', { class: 'empty', id: 'operator-events-empty' }, 'No events yet: act on the visitor’s page.');
  const dropButton = h('button', { type: 'button', disabled: true }, 'Drop the connection');
  const blockToggle = h('input', { type: 'checkbox', id: 'block-websockets', disabled: true });
  dropButton.addEventListener('click', () => backend.dropConnections(engagementId));
  blockToggle.addEventListener('change', () => {
    backend.blockWebSockets(blockToggle.checked);
    if (blockToggle.checked) backend.dropConnections(engagementId);
  });
  const serverState = h('span', { id: 'server-state', class: 'state', 'data-status': 'connecting' }, 'starting…');

  replace(
    root,
    h(
      'div',
      { class: 'pane-bar' },
      h('h2', { id: 'operator-title' }, 'Operator console'),
      h('span', { class: 'bar-note' }, 'reference server: ', serverState),
    ),
    h(
      'div',
      { class: 'console' },
      h(
        'section',
        { class: 'console-send', 'aria-labelledby': 'send-title' },
        h('h3', { id: 'send-title' }, 'Send a custom command ', h('span', { class: 'note' }, 'to engagement ', h('code', {}, engagementId))),
        h('div', { class: 'presets' }, ...presetButtons),
        customForm,
      ),
      h(
        'section',
        { class: 'console-log', 'aria-labelledby': 'commands-title' },
        h('h3', { id: 'commands-title' }, 'Commands and the visitor’s results'),
        commandsScroll,
      ),
      h(
        'section',
        { class: 'console-events', 'aria-labelledby': 'events-title' },
        h('h3', { id: 'events-title' }, 'Events the visitor recorded'),
        eventsEmpty,
        eventsList,
      ),
      h(
        'section',
        { class: 'network', 'aria-label': 'Network' },
        dropButton,
        h('label', { class: 'toggle' }, blockToggle, ' Block WebSockets (the SDK falls back to polling)'),
      ),
    ),
  );

  async function send(label: string, body: Preset['body'] | string, raw: boolean): Promise<void> {
    const n = ++sent;
    const id = crypto.randomUUID();
    const parsed = typeof body === 'string' ? tryParse(body) : body;
    const properties = parsed && typeof parsed === 'object' ? (parsed as { properties?: unknown }).properties : undefined;
    const content = parsed && typeof parsed === 'object' ? (parsed as { content?: unknown }).content : undefined;
    const name =
      properties && typeof properties === 'object' && !Array.isArray(properties)
        ? String((properties as { name?: unknown }).name ?? '(no name)')
        : '(malformed)';
    const server = h('td', { class: 'server', 'data-cell': 'server' }, 'sending…');
    const result = h('td', { class: 'result', 'data-cell': 'result' }, '…');
    const element = h(
      'tr',
      { 'data-row': String(n), 'data-result': 'sending', 'data-command-id': id },
      h('td', {}, String(n)),
      h('td', { 'data-cell': 'command' }, h('strong', {}, label), h('br'), h('code', {}, name)),
      h('td', { 'data-cell': 'content' }, typeof content === 'string' ? content : h('em', {}, content === undefined ? 'no content' : JSON.stringify(content))),
      server,
      result,
    );
    commandsBody.appendChild(element);
    commandsScroll.scrollTop = commandsScroll.scrollHeight; // the newest in view
    rows.set(id, { element, result });

    const refused = (status: number | string, message: string) => {
      element.setAttribute('data-result', 'refused');
      element.classList.add('is-refused');
      replace(server, h('span', { class: 'status-error' }, String(status)), ' ', message);
      replace(result, h('em', {}, 'not delivered'));
    };
    const accepted = () => {
      element.setAttribute('data-result', 'pending');
      replace(server, h('span', { class: 'status-ok' }, '200'), ' accepted');
      replace(result, h('span', { class: 'pending' }, 'waiting…'));
      void refresh(id); // The result may already be in.
    };

    try {
      if (raw) {
        const response = await fetch(`${baseUrl}/engagements/${engagementId}/custom_commands/${id}`, {
          method: 'PUT',
          headers: {
            Authorization: `Bearer ${operatorToken}`,
            Accept: 'application/vnd.salemove.v1+json',
            'Content-Type': 'application/json',
          },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
        const answer = (await response.json().catch(() => ({}))) as { message?: string };
        if (response.ok) accepted();
        else refused(response.status, answer.message ?? response.statusText);
      } else {
        await operator.sendCustomCommand({ engagementId, id, ...(body as { properties: Record<string, unknown>; content?: string }) });
        accepted();
      }
    } catch (error) {
      if (isHttpError(error)) refused(error.status, error.serverMessage ?? error.message);
      else refused(isEngageKitError(error) ? error.code : 'error', error instanceof Error ? error.message : String(error));
    }
  }

  async function refresh(commandId: string): Promise<void> {
    const row = rows.get(commandId);
    if (!row) return;
    const command = await operator.getCustomCommand(engagementId, commandId);
    if (!command.result) return;
    const { status, error } = command.result;
    row.element.setAttribute('data-result', status);
    replace(row.result, h('span', { class: `result-${status}` }, status), error ? `: ${error}` : '');
  }

  function renderEvents(): void {
    const events = backend.getEvents(engagementId);
    eventsEmpty.hidden = events.length > 0;
    replace(
      eventsList,
      ...events.map((event) =>
        h('li', { 'data-event-id': event.id }, h('time', { datetime: event.timestamp }, event.timestamp.slice(11, 19)), ' ', event.content),
      ),
    );
  }

  renderEvents();
  ready.then(
    ({ worker }) => {
      serverState.setAttribute('data-status', 'open');
      replace(serverState, 'running in this page');
      for (const button of [...presetButtons, customSend, dropButton, blockToggle]) button.disabled = false;
      // The visitor's requests reach the reference server in this page: update as they land.
      worker.events.on('response:mocked', ({ request }) => {
        if (request.method !== 'POST') return;
        const path = new URL(request.url).pathname;
        if (path.endsWith('/events')) renderEvents();
        const result = /\/custom_commands\/([^/]+)\/result$/.exec(path);
        if (result) void refresh(decodeURIComponent(result[1]!)).catch((error: unknown) => console.warn('demo: could not read the result', error));
      });
    },
    (error: unknown) => {
      serverState.setAttribute('data-status', 'closed');
      replace(serverState, 'failed to start');
      append(root, h('p', { class: 'status-error', role: 'alert' }, `The reference server did not start: ${error instanceof Error ? error.message : String(error)}`));
    },
  );
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

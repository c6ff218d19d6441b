import type { AdminCommandEntry } from '../../src/mock.js';
import {
  createOperator,
  formatCommandLineError,
  isCommandLineError,
  sendCommandLine,
  type Operator,
} from '../../src/operator.js';
import { isEngageKitError, isHttpError } from '../../src/index.js';
import { uuidv4 } from '../../src/shared/uuid.js';
import { append, h, replace } from './dom.js';
import { DEMO_PREFIX, type ServerLink } from './server-link.js';

/**
 * The operator console: the right-hand pane of `/`, the whole of
 * `/operator.html`. It sends custom commands the way
 * an operator's tool does (`engagekit/operator`, the PUT of seed 000), or as
 * a raw PUT for bodies the client would refuse to send, so that the server's
 * own error shows; it runs typed command lines (`sendCommandLine`: `>name
 * key=value`, `/set`); it lists each command's answer, the visitor's result
 * and when the visitor read it, the events the visitor recorded, and whether
 * the visitor is typing; and the operator's own typing reaches the visitor.
 *
 * Everything that came from an operator or a visitor is shown as text
 * (`h`/`replace` make text nodes): never parsed as HTML.
 *
 * The reference server behind it is the page's own or the local one
 * (`ServerLink`): it learns what the visitor did from the requests that
 * server answered, and after a reload it lists the commands the server has.
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
    hint: 'no content: generic text',
    body: { properties: { name: 'scrollTo', section: 'faq' } },
  },
  {
    id: 'failing',
    label: 'Highlight nothing',
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
    id: 'reminder',
    label: 'Set a reminder',
    hint: 'fires in 5 s · scheduled',
    body: {
      content: 'Your agent set a reminder.',
      properties: { name: 'showMessage', message: 'Still there? Ask me anything about the plans.', timerName: 'reminder', interval: '5' },
    },
  },
  {
    id: 'malformed',
    label: 'Malformed properties',
    hint: 'an array: the server’s 400',
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

/** Lines the console offers to try: one click puts one in the command line. */
export const EXAMPLE_LINES: readonly { line: string; hint: string }[] = [
  { line: '>showMessage message="Still there?" timerName=reminder interval=5', hint: 'a custom command { name: "showMessage", message, timerName, interval }: scheduled, fires once in 5 s' },
  { line: '/set @name Account Review', hint: "an engagement property: shows on the visitor's page" },
  { line: '/set priority high', hint: "merged into the engagement's metadata" },
  { line: '>fill field = email', hint: 'malformed: the error names the column' },
];

const DEFAULT_CUSTOM_BODY = JSON.stringify(
  { content: 'Your agent highlighted the contact form.', properties: { name: 'highlight', selector: '#contact' } },
  null,
  2,
);

/** The operator's typing, throttled here: the operator client sends what it is asked to, and the server allows 10 per 10 s. */
const TYPING_THROTTLE_MS = 3_000;
/** A stop after this long without a keystroke. */
const TYPING_IDLE_MS = 5_000;
/** The server lets a start run out after 10 s: look again a little after that. */
const TYPING_RECHECK_MS = 10_500;

/**
 * What the console keeps per engagement for its rows after a reload: an object of command ids, read once at
 * mount and written whole on each change. Full or blocked storage keeps nothing: the rows are then what the
 * server has, named by the command's name.
 */
const readRecord = <T>(key: string): Record<string, T> => {
  try {
    const record: unknown = JSON.parse(localStorage.getItem(key) ?? '{}');
    return record && typeof record === 'object' ? (record as Record<string, T>) : {};
  } catch {
    return {};
  }
};
const writeRecord = (key: string, record: Record<string, unknown>) => {
  try {
    localStorage.setItem(key, JSON.stringify(record));
  } catch {
    // Full or blocked: see readRecord.
  }
};

/** The console's own names for what it sent ("Highlight the pricing"), in sending order. */
const labelsKey = (engagementId: string) => `${DEMO_PREFIX}labels:${engagementId}`;

/**
 * The commands the server refused (a 400, a network error), which it never stored, with what their row
 * showed: after a reload they are back in their place, between the commands around them.
 */
interface RefusedRow {
  content: unknown;
  status: number | string;
  message: string;
}
const refusedKey = (engagementId: string) => `${DEMO_PREFIX}refused:${engagementId}`;

interface Row {
  element: HTMLTableRowElement;
  server: HTMLTableCellElement;
  result: HTMLTableCellElement;
  read: HTMLTableCellElement;
}

/** Mounts the console into `root` once its server is up: every control is usable from the start. */
export function mountOperatorConsole(options: { root: HTMLElement; link: ServerLink }): void {
  const { root, link } = options;
  const { baseUrl, credentials } = link;
  const { engagementId, operatorToken } = credentials;
  const operator = createOperator({ baseUrl, token: operatorToken, retries: 0 });
  const rows = new Map<string, Row>();
  const labels = readRecord<[string, string]>(labelsKey(engagementId));
  const refusedRows = readRecord<RefusedRow>(refusedKey(engagementId));
  let sent = 0;

  // ---- sending: presets, the command line, a raw body
  const presetButtons = PRESETS.map((preset) => {
    const button = h(
      'button',
      { type: 'button', class: 'preset', 'data-preset': preset.id },
      h('span', { class: 'preset-label' }, preset.label),
      h('span', { class: 'preset-hint' }, preset.hint),
    );
    button.title = preset.hint;
    button.addEventListener('click', () => void send(preset.label, preset.body, preset.raw ?? false));
    return button;
  });

  const lineInput = h('input', {
    id: 'command-line-input',
    type: 'text',
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: '>name key=value  ·  /set @name …',
    'aria-describedby': 'command-line-output',
  });
  const lineRun = h('button', { type: 'submit' }, 'Run');
  const lineOutput = h('div', { id: 'command-line-output', class: 'cli-output', 'aria-live': 'polite', hidden: true });
  const exampleButtons = EXAMPLE_LINES.map(({ line, hint }) => {
    const button = h('button', { type: 'button', class: 'example', 'data-line': line, title: hint }, line);
    button.addEventListener('click', () => {
      lineInput.value = line;
      lineInput.focus();
    });
    return button;
  });
  const lineForm = h(
    'form',
    { id: 'command-line', class: 'cli' },
    h(
      'label',
      // Said by the placeholder and the examples under it; the full sentence for screen readers.
      { for: 'command-line-input', class: 'visually-hidden' },
      'Command line: ',
      h('code', {}, '>name key=value'),
      ' sends a command, ',
      h('code', {}, '/set'),
      ' changes the engagement',
    ),
    h('div', { class: 'cli-row' }, h('span', { class: 'cli-prompt', 'aria-hidden': 'true' }, '❯'), lineInput, lineRun),
    h('div', { class: 'examples' }, ...exampleButtons),
    lineOutput,
  );
  lineForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void runLine(lineInput.value);
  });

  const customBody = h('textarea', { id: 'custom-body', rows: '3', spellcheck: 'false' });
  customBody.value = DEFAULT_CUSTOM_BODY;
  const customSend = h('button', { type: 'submit' }, 'Send as is');
  // Folded: the command line is the everyday way in; this is for bodies the client would refuse.
  const customForm = h(
    'form',
    { id: 'custom-command', class: 'custom' },
    h('label', { for: 'custom-body', class: 'visually-hidden' }, 'Request body (JSON)'),
    customBody,
    customSend,
  );
  const customDetails = h(
    'details',
    { id: 'custom-details', class: 'custom-details' },
    h('summary', {}, 'Any body, sent as a raw PUT: the server checks it'),
    customForm,
  );
  customForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void send('Custom', customBody.value, true);
  });

  // ---- what happened: commands, events, typing
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
        h(
          'tr',
          {},
          h('th', { class: 'num' }, '#'),
          h('th', {}, 'Command'),
          h('th', {}, 'Content'),
          h('th', {}, 'Server'),
          h('th', {}, 'Visitor'),
          h('th', { class: 'read', title: 'When the visitor dismissed it (visitor.markAsRead)' }, 'Read'),
        ),
      ),
      commandsBody,
    ),
  );
  const commandsEmpty = h(
    'p',
    { class: 'empty', id: 'commands-empty' },
    'No commands yet: send one above. Each gets a row here, with the server’s answer and what the visitor’s page did with it.',
  );
  const eventsList = h('ol', { id: 'operator-events', class: 'events' });
  const eventsEmpty = h(
    'p',
    { class: 'empty', id: 'operator-events-empty' },
    'No events yet: act on the visitor’s page (click, choose a plan, open the FAQ) and each shows here.',
  );
  const eventsScroll = h('div', { class: 'events-scroll' }, eventsEmpty, eventsList);
  const visitorTyping = h('span', { id: 'visitor-typing', class: 'typing-state', 'data-active': 'false' }, 'Visitor: not typing');

  const messageInput = h('input', {
    id: 'operator-message',
    type: 'text',
    autocomplete: 'off',
    placeholder: 'Write to the visitor: they see you typing',
    'aria-label': 'Message to the visitor',
  });
  const messageSend = h('button', { type: 'submit' }, 'Send');
  const operatorTyping = h('span', { id: 'operator-typing', class: 'typing-state', 'data-active': 'false' }, 'You: not typing');
  const messageForm = h('form', { id: 'operator-chat', class: 'chat-form' }, messageInput, messageSend, operatorTyping);
  const typing = createOperatorTyping(operator, engagementId);
  messageInput.addEventListener('input', () => typing.input(messageInput.value));
  messageForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = messageInput.value.trim();
    typing.stop();
    if (!text) return;
    messageInput.value = '';
    void send('Message', { content: text, properties: { name: 'showMessage', message: text } }, false);
  });

  const dropButton = h('button', { type: 'button', id: 'drop-connection' }, 'Drop the connection');
  const blockToggle = h('input', { type: 'checkbox', id: 'block-websockets' });
  const failed = (what: string) => (error: unknown) => console.error(`demo: ${what} failed`, error);
  dropButton.addEventListener('click', () => void link.dropConnections().catch(failed('dropping the connection')));
  blockToggle.addEventListener('change', () => void link.blockWebSockets(blockToggle.checked).catch(failed('blocking WebSockets')));
  const serverState = h(
    'span',
    { id: 'server-state', class: 'state', 'data-status': 'open' },
    link.kind === 'in-page' ? 'running in this page' : 'local server, /api',
  );

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
        h('h3', { id: 'send-title' }, 'Send a custom command'),
        h('div', { class: 'presets' }, ...presetButtons),
        lineForm,
        customDetails,
      ),
      h(
        'section',
        { class: 'console-log', 'aria-labelledby': 'commands-title' },
        h('h3', { id: 'commands-title' }, 'Commands and the visitor’s results'),
        commandsEmpty,
        commandsScroll,
      ),
      h(
        'section',
        { class: 'console-events', 'aria-labelledby': 'events-title' },
        h('div', { class: 'events-bar' }, h('h3', { id: 'events-title' }, 'Events the visitor recorded'), visitorTyping),
        eventsScroll,
      ),
      h('section', { class: 'console-chat', 'aria-label': 'Write to the visitor' }, messageForm),
      h(
        'section',
        { class: 'network', 'aria-label': 'Network' },
        dropButton,
        h('label', { class: 'toggle', title: 'New stream sockets are refused: the SDK falls back to polling' }, blockToggle, ' Block WebSockets (the SDK polls)'),
      ),
    ),
  );

  /** A row of the commands table, in sending order; `id` is the command's. */
  function addRow(id: string, label: string, detail: string, content: unknown) {
    const n = ++sent;
    commandsEmpty.hidden = true;
    commandsScroll.hidden = false;
    if (!labels[id]) {
      labels[id] = [label, detail];
      writeRecord(labelsKey(engagementId), labels);
    }
    const server = h('td', { class: 'server', 'data-cell': 'server' }, 'sending…');
    const result = h('td', { class: 'result', 'data-cell': 'result' }, '…');
    const read = h('td', { class: 'read', 'data-cell': 'read' }, '');
    const element = h(
      'tr',
      { 'data-row': String(n), 'data-result': 'sending', 'data-command-id': id },
      h('td', { class: 'num', 'data-cell': 'n' }, String(n)),
      // One line per row, the whole text in the title: more rows in view.
      h('td', { 'data-cell': 'command', title: `${label}\n${detail}` }, h('strong', {}, label), ' ', h('code', {}, detail)),
      h(
        'td',
        { 'data-cell': 'content', ...(typeof content === 'string' && { title: content }) },
        typeof content === 'string' ? content : h('em', {}, content === undefined || content === null ? 'no content' : JSON.stringify(content)),
      ),
      server,
      result,
      read,
    );
    commandsBody.appendChild(element);
    // The newest row in view. The box is bottom-anchored (demo.css): 0 is its end, and it stays
    // there as rows come and grow, and as the sections below it grow.
    commandsScroll.scrollTop = 0;
    rows.set(id, { element, server, result, read });
    return {
      accepted(ask = true) {
        element.setAttribute('data-result', 'pending');
        replace(server, h('span', { class: 'status-ok' }, '200'), ' accepted');
        replace(result, h('span', { class: 'pending' }, 'waiting…'));
        if (ask) void refresh(id).catch(warn('the command')); // The result may already be in.
      },
      refused(status: number | string, message: string) {
        if (!refusedRows[id]) {
          refusedRows[id] = { content, status, message };
          writeRecord(refusedKey(engagementId), refusedRows);
        }
        element.setAttribute('data-result', 'refused');
        element.classList.add('is-refused');
        replace(server, h('span', { class: 'status-error' }, String(status)), ' ', message);
        server.title = `${status} ${message}`; // the cell shows one line of it
        replace(result, h('em', {}, 'not delivered'));
      },
    };
  }

  async function send(label: string, body: Preset['body'] | string, raw: boolean): Promise<void> {
    // Not crypto.randomUUID: a phone on the LAN opens the demo over plain http, which is no secure context.
    const id = uuidv4();
    const parsed = typeof body === 'string' ? tryParse(body) : body;
    const properties = parsed && typeof parsed === 'object' ? (parsed as { properties?: unknown }).properties : undefined;
    const content = parsed && typeof parsed === 'object' ? (parsed as { content?: unknown }).content : undefined;
    const name =
      properties && typeof properties === 'object' && !Array.isArray(properties)
        ? String((properties as { name?: unknown }).name ?? '(no name)')
        : '(malformed)';
    const row = addRow(id, label, name, content);
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
        if (response.ok) row.accepted();
        else row.refused(response.status, answer.message ?? response.statusText);
      } else {
        await operator.sendCustomCommand({ engagementId, id, ...(body as { properties: Record<string, unknown>; content?: string }) });
        row.accepted();
      }
    } catch (error) {
      if (isHttpError(error)) row.refused(error.status, error.serverMessage ?? error.message);
      else row.refused(isEngageKitError(error) ? error.code : 'error', error instanceof Error ? error.message : String(error));
    }
  }

  /** One typed line, through `sendCommandLine`: a command gets its row; `/set` shows the engagement's new state. */
  async function runLine(line: string): Promise<void> {
    if (line.trim() === '') return;
    const show = (state: 'sending' | 'ok' | 'error', ...children: Parameters<typeof replace>[1][]) => {
      lineOutput.hidden = false;
      lineOutput.setAttribute('data-state', state);
      replace(lineOutput, ...children);
      // In view where the sending box scrolls (a small window); the panes themselves never scroll.
      lineOutput.scrollIntoView({ block: 'nearest' });
    };
    show('sending', 'sending…');
    try {
      const result = await sendCommandLine(operator, engagementId, line);
      if (result.kind === 'bot') {
        addRow(result.command.id, 'Command line', line, result.command.content).accepted();
        show('ok', 'Sent ', h('code', {}, result.parsed.name), ` as command #${sent}.`);
      } else {
        const what = result.parsed.kind === 'set-property' ? `@${result.parsed.property} set` : 'Metadata merged';
        show('ok', `${what}; the engagement is now `, h('code', { 'data-state': 'engagement' }, JSON.stringify(result.state)));
      }
      lineInput.value = '';
    } catch (error) {
      // A line that does not parse: nothing was sent; the message says which column, the caret points at it.
      if (isCommandLineError(error)) show('error', h('pre', { class: 'cli-error' }, formatCommandLineError(line, error)));
      else if (isHttpError(error)) show('error', h('span', { class: 'status-error' }, String(error.status)), ' ', error.serverMessage ?? error.message);
      else show('error', h('span', { class: 'status-error' }, isEngageKitError(error) ? error.code : 'error'), ' ', error instanceof Error ? error.message : String(error));
    }
  }

  async function refresh(commandId: string): Promise<void> {
    const row = rows.get(commandId);
    if (!row) return;
    const command = await operator.getCustomCommand(engagementId, commandId);
    showOutcome(row, command.result, command.read_at);
  }

  function showOutcome(row: Row, result: AdminCommandEntry['result'], readAt: string | null | undefined): void {
    if (readAt) {
      row.element.setAttribute('data-read', readAt);
      replace(row.read, h('time', { datetime: readAt, title: readAt }, readAt.slice(11, 19)));
    }
    if (!result) return;
    const { status, error } = result;
    row.element.setAttribute('data-result', status);
    replace(row.result, h('span', { class: `result-${status}` }, status), error ? `: ${error}` : '');
    if (error) row.result.title = error;
  }

  /**
   * After a reload: the commands the server has, in its order, named as this console named them when it
   * sent them, and the ones it refused back where they were: after the command this console sent before them.
   */
  async function restoreRows(): Promise<void> {
    const refusedAfter = new Map<string | null, string[]>(); // the id sent before them (null: none) → refused ids
    let previous: string | null = null;
    for (const id of Object.keys(labels)) {
      // Labels are kept in sending order: their keys are ids, never integer-like, so objects keep that order.
      if (refusedRows[id] === undefined) previous = id;
      else refusedAfter.set(previous, [...(refusedAfter.get(previous) ?? []), id]);
    }
    const showRefused = (after: string | null) => {
      for (const id of refusedAfter.get(after) ?? []) {
        const { content, status, message } = refusedRows[id]!;
        const [label, detail] = labels[id]!;
        if (!rows.has(id)) addRow(id, label, detail, content).refused(status, message);
      }
      refusedAfter.delete(after);
    };
    showRefused(null);
    for (const entry of await link.commands()) {
      const { command } = entry;
      if (!rows.has(command.id)) {
        const name = typeof command.properties.name === 'string' ? command.properties.name : '(no name)';
        const [label, detail] = labels[command.id] ?? ['Sent earlier', name];
        addRow(command.id, label, detail, command.content).accepted(false);
        showOutcome(rows.get(command.id)!, entry.result, entry.read_at);
      }
      showRefused(command.id);
    }
    for (const after of [...refusedAfter.keys()]) showRefused(after); // after a command the server no longer has
  }

  /** After a batch of results: every row still waiting for one. */
  function refreshPending(): void {
    for (const [id, row] of rows) {
      if (row.element.getAttribute('data-result') === 'pending') {
        void refresh(id).catch((error: unknown) => console.warn('demo: could not read the result', error));
      }
    }
  }

  // Read again on every event the visitor records; answers that come out of order are dropped.
  let eventsAsked = 0;
  async function renderEvents(): Promise<void> {
    const asked = ++eventsAsked;
    const events = await link.events();
    if (asked !== eventsAsked) return;
    eventsEmpty.hidden = events.length > 0;
    eventsList.hidden = events.length === 0;
    const atEnd = eventsScroll.scrollHeight - eventsScroll.scrollTop - eventsScroll.clientHeight < 8;
    replace(
      eventsList,
      ...events.map((event) =>
        h('li', { 'data-event-id': event.id }, h('time', { datetime: event.timestamp }, event.timestamp.slice(11, 19)), ' ', event.content),
      ),
    );
    // The newest in view, unless the operator scrolled up to read.
    if (atEnd) eventsScroll.scrollTop = eventsScroll.scrollHeight;
  }

  // Who is typing, as the operator reads it (GET .../typing). Asked again on
  // every typing request, and once more after a start has had time to run out.
  let typingAsked = 0;
  let typingRecheck: ReturnType<typeof setTimeout> | undefined;
  async function refreshTyping(): Promise<void> {
    const asked = ++typingAsked;
    const now = await operator.getTyping(engagementId);
    if (asked !== typingAsked) return; // a later answer is on its way
    const { visitor } = now;
    visitorTyping.setAttribute('data-active', String(visitor.active));
    replace(
      visitorTyping,
      !visitor.active ? 'Visitor: not typing' : visitor.preview ? `Visitor is typing: “${visitor.preview}”` : 'Visitor is typing…',
    );
    operatorTyping.setAttribute('data-active', String(now.operator.active));
    replace(operatorTyping, now.operator.active ? 'You: typing' : 'You: not typing');
    clearTimeout(typingRecheck);
    if (visitor.active || now.operator.active) typingRecheck = setTimeout(() => void refreshTyping().catch(() => {}), TYPING_RECHECK_MS);
  }

  commandsScroll.hidden = true;
  eventsList.hidden = true;
  void renderEvents().catch(warn('the events'));
  void restoreRows().catch(warn('the commands'));
  // The visitor's requests reach the reference server: update as they land.
  link.onRequest((method, path) => {
    if (method !== 'POST') return;
    if (path.endsWith('/events') || path.endsWith('/events/batch')) void renderEvents().catch(warn('the events'));
    else if (path.endsWith('/custom_commands/results')) refreshPending();
    else if (path.endsWith('/typing')) void refreshTyping().catch(warn('the typing state'));
    else {
      // One result, or a read receipt (visitor.markAsRead).
      const match = /\/custom_commands\/([^/]+)\/(?:result|read)$/.exec(path);
      if (match) void refresh(decodeURIComponent(match[1]!)).catch(warn('the command'));
    }
  });
}

const warn = (what: string) => (error: unknown) => console.warn(`demo: could not read ${what}`, error);

/** The console's place before its server is up, or when it did not start. */
export function showConsoleProblem(root: HTMLElement, error: unknown): void {
  append(
    root,
    h(
      'p',
      { class: 'console-problem status-error', role: 'alert' },
      `The reference server did not start: ${error instanceof Error ? error.message : String(error)}`,
      // A phone on the LAN, over plain http: browsers give service workers to localhost and https only.
      ...(isSecureContext
        ? []
        : [' · Service workers need localhost or https: on another device, open ', h('a', { href: '/visitor.html' }, '/visitor.html'), ' and /operator.html, on the local reference server.']),
    ),
  );
}

/**
 * The operator's typing indicator: `input(text)` on every keystroke, `stop()`
 * on send. At most one `typing.start` per 3 s (the latest text follows at the
 * end of the window when it changed), one `typing.stop` per start, and a stop
 * by itself after 5 s without a keystroke: at most 4 + 4 requests in any 10 s,
 * under the server's limit of 10. The operator client itself does not
 * throttle: it sends what it is asked to.
 */
function createOperatorTyping(operator: Operator, engagementId: string) {
  let wanted: string | undefined;
  let shown: string | undefined;
  let lastStart = -Infinity;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const post = (action: 'start' | 'stop', preview?: string) =>
    (action === 'start' ? operator.typing.start(engagementId, preview) : operator.typing.stop(engagementId)).catch((error: unknown) =>
      console.warn(`demo: typing.${action} not sent`, error),
    );
  const sync = () => {
    clearTimeout(trailing);
    trailing = undefined;
    if (wanted === undefined) {
      if (shown !== undefined) void post('stop', (shown = undefined));
      return;
    }
    const wait = lastStart + TYPING_THROTTLE_MS - Date.now();
    if (wait <= 0) {
      lastStart = Date.now();
      void post('start', (shown = wanted));
    } else if (wanted !== shown) trailing = setTimeout(sync, wait);
  };
  const stop = () => {
    clearTimeout(idle);
    wanted = undefined;
    sync();
  };
  return {
    input(text: string) {
      clearTimeout(idle);
      if (text.trim() === '') return stop();
      wanted = text;
      idle = setTimeout(stop, TYPING_IDLE_MS);
      sync();
    },
    stop,
  };
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

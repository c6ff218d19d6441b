// The visitor's site: what a page with the script-tag bundle writes. Plain
// JavaScript on window.EngageKit; no build step. Four real handlers, events
// recorded as the visitor acts, the transcript and the connection state; the
// engagement's details as the operator set them (visitor.meta), scheduled
// commands firing (the 'timer:fired' event), the visitor's typing
// (visitor.typing) and read receipts (visitor.markAsRead). Whatever the
// operator sent is written with textContent: never parsed as HTML.
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var dialog = $('agent-message');
  var form = $('contact-form');
  /** Ids of the commands whose message is in the dialog: marked read when the visitor dismisses it. */
  var unread = [];
  /** Every handler run on this page load, "<name> <command id>": for poking around, and to see that a reload runs nothing again. */
  var handlerRuns = window.handlerRuns = [];

  // Handlers run operator commands. They get the command's properties; what
  // they return or throw is reported back to the operator as the result.
  var handlers = {
    // context.command is the command; context.timer is there when a scheduled command's timer fired.
    showMessage: function (properties, context) {
      $('agent-message-title').textContent = context.timer ? 'Reminder from your agent' : 'Message from your agent';
      $('agent-message-text').textContent = String(properties.message || '');
      if (unread.indexOf(context.command.id) < 0) unread.push(context.command.id);
      if (!dialog.open) dialog.show(); // not showModal(): the console stays usable
    },
    highlight: function (properties) {
      var element = document.querySelector(String(properties.selector));
      if (!element) throw new Error('nothing on this page matches ' + properties.selector);
      flash(element);
      // Centred when it fits in the site's box; a taller one (the pricing table on a phone) from its
      // top, below the sticky menu (scroll-margin-top, demo.css), so its heading is not hidden.
      var box = element.closest('.site');
      var fits = !box || element.getBoundingClientRect().height <= box.clientHeight * 0.8;
      element.scrollIntoView({ behavior: 'smooth', block: fits ? 'center' : 'start' });
    },
    fill: function (properties) {
      var field = form.elements.namedItem(String(properties.field));
      if (!field || !('value' in field)) throw new Error('the form has no field ' + properties.field);
      field.value = String(properties.value || '');
      flash(field);
    },
    scrollTo: function (properties) {
      var section = document.getElementById(String(properties.section));
      if (!section) throw new Error('no section ' + properties.section);
      section.scrollIntoView({ behavior: 'smooth', block: 'start' });
    },
  };

  // Highlight and fill outline what they touched; the outline fades (demo.css) and the class
  // goes when the animation ends, or after 5 s where animations do not run (a hidden element).
  var flashes = new WeakMap();
  function flash(element) {
    clearTimeout(flashes.get(element));
    element.classList.remove('highlighted');
    void element.offsetWidth; // restart the animation
    element.classList.add('highlighted');
    var done = function () {
      clearTimeout(flashes.get(element));
      element.removeEventListener('animationend', ended);
      element.classList.remove('highlighted');
    };
    var ended = function (event) { if (event.target === element && event.animationName === 'highlight') done(); };
    element.addEventListener('animationend', ended);
    flashes.set(element, setTimeout(done, 5000));
  }

  Object.keys(handlers).forEach(function (name) {
    var handler = handlers[name];
    handlers[name] = function (properties, context) {
      handlerRuns.push(name + ' ' + context.command.id);
      return handler(properties, context);
    };
  });

  // What the transcript showed before this page loaded (the reference server
  // still has it: see demo/src/history.ts), above the live transcript, and
  // what the box says while both are empty.
  function showTranscript(visitor, earlier) {
    var list = $('transcript-earlier');
    earlier.forEach(function (entry) {
      var item = document.createElement('li');
      item.className = 'engagekit-entry engagekit-entry--' + entry.kind + (entry.fallback ? ' engagekit-entry--fallback' : '');
      item.textContent = entry.text;
      list.append(item);
    });
    list.hidden = earlier.length === 0;
    // Also shows the operator's typing: a <p class="engagekit-typing"> after the list, hidden when nobody types.
    EngageKit.mountTranscript($('transcript'), visitor.transcript);
    visitor.transcript.subscribe(function (entries) {
      $('transcript-empty').hidden = earlier.length + entries.length > 0;
    });
  }

  function showConnection(state) {
    var status = $('connection');
    status.setAttribute('data-status', state.status);
    status.textContent = state.status + (state.transport ? ' · ' + state.transport : '') +
      (state.status === 'reconnecting' ? ' in ' + Math.round(state.delay / 100) / 10 + ' s' : '');
  }

  // The engagement's name, properties and metadata, as the operator's /set left them.
  var PROPERTY_LABELS = { category: 'Category', touchpoint: 'Touchpoint', language: 'Language' };
  function showEngagement(state) {
    var properties = state.properties || {};
    var meta = state.meta || {};
    var details = $('engagement-details');
    details.replaceChildren();
    function add(label, value, attribute, key) {
      var term = document.createElement('dt');
      var description = document.createElement('dd');
      term.textContent = label;
      description.textContent = typeof value === 'string' ? value : JSON.stringify(value);
      description.setAttribute(attribute, key);
      details.append(term, description);
    }
    Object.keys(PROPERTY_LABELS).forEach(function (key) {
      if (properties[key] !== undefined) add(PROPERTY_LABELS[key], properties[key], 'data-property', key);
    });
    Object.keys(meta).forEach(function (key) { add(key, meta[key], 'data-meta', key); });
    var name = properties.name !== undefined ? String(properties.name) : '';
    $('engagement-name').textContent = name || (details.children.length ? 'Your conversation' : 'Nothing set yet');
    $('engagement').setAttribute('data-empty', String(!name && !details.children.length));
  }

  // The reference server runs in this page and must be up before the visitor
  // connects; on a real site you would create the visitor straight away.
  window.EngageKitDemo.ready.then(function (session) {
    var visitor = EngageKit.createVisitor({
      baseUrl: session.baseUrl,
      engagementId: session.engagementId,
      token: session.visitorToken,
      handlers: handlers,
    });
    window.visitor = visitor; // for poking around in the console

    showConnection(visitor.connection);
    visitor.on('connection:changed', function (change) { showConnection(change.current); });
    showTranscript(visitor, session.earlier);
    session.rememberOrder(visitor.transcript);
    showEngagement(visitor.meta);
    visitor.on('meta:changed', showEngagement);

    function record(message) {
      visitor.recordEvent(message).catch(function (error) { console.warn('could not record', message, error); });
    }
    document.addEventListener('click', function (event) {
      var target = event.target.closest('[data-event]');
      if (target && target.tagName !== 'DETAILS') record(target.getAttribute('data-event'));
    });
    document.querySelectorAll('details[data-event]').forEach(function (details) {
      details.addEventListener('toggle', function () { if (details.open) record(details.getAttribute('data-event')); });
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      visitor.typing.stop();
      record('Visitor sent the contact form (' + form.elements.namedItem('plan').value + ')');
    });
    // The operator sees the visitor typing, with the text so far. start() on every
    // keystroke is fine: the SDK sends at most one per 3 s, and a stop after 5 s idle.
    var message = form.elements.namedItem('message');
    message.addEventListener('input', function () {
      if (message.value.trim()) visitor.typing.start(message.value);
      else visitor.typing.stop();
    });
    message.addEventListener('blur', function () { visitor.typing.stop(); });

    // Dismissing the agent's message is the read receipt: the operator sees read_at.
    dialog.addEventListener('close', function () {
      record('Visitor closed the agent’s message');
      unread.splice(0).forEach(function (id) {
        visitor.markAsRead(id).catch(function (error) { console.warn('could not mark as read', id, error); });
      });
    });

    // A scheduled command's timer fired and its handler ran. The firing is not
    // reported to the server (the command's result stays "scheduled"): this page
    // records it as an event, so the operator sees it too.
    visitor.on('timer:fired', function (firing) {
      record('Timer “' + firing.timerName + '” fired: ' + (firing.name || 'command') + ' ' + firing.status);
    });
  }, function () {
    showConnection({ status: 'closed' }); // demo-app.js has logged why
  });
})();

// The visitor's site: what a page with the script-tag bundle writes. Plain
// JavaScript on window.EngageKit; no build step. Four real handlers, events
// recorded as the visitor acts, the transcript and the connection state.
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var dialog = $('agent-message');
  var form = $('contact-form');

  // Handlers run operator commands. They get the command's properties; what
  // they return or throw is reported back to the operator as the result.
  var handlers = {
    showMessage: function (properties) {
      $('agent-message-text').textContent = String(properties.message || '');
      if (!dialog.open) dialog.show(); // not showModal(): the console stays usable
    },
    highlight: function (properties) {
      var element = document.querySelector(String(properties.selector));
      if (!element) throw new Error('nothing on this page matches ' + properties.selector);
      flash(element);
      element.scrollIntoView({ behavior: 'smooth', block: 'center' });
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

  function flash(element) {
    element.classList.remove('highlighted');
    void element.offsetWidth; // restart the animation
    element.classList.add('highlighted');
  }

  function showConnection(state) {
    var status = $('connection');
    status.setAttribute('data-status', state.status);
    status.textContent = state.status + (state.transport ? ' · ' + state.transport : '') +
      (state.status === 'reconnecting' ? ' in ' + Math.round(state.delay / 100) / 10 + ' s' : '');
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
    visitor.on('connection', function (change) { showConnection(change.current); });
    EngageKit.mountTranscript($('transcript'), visitor.transcript);

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
      record('Visitor sent the contact form (' + form.elements.namedItem('plan').value + ')');
    });
    dialog.addEventListener('close', function () { record('Visitor closed the agent’s message'); });
  }, function () {
    showConnection({ status: 'closed' }); // demo-app.js has logged why
  });
})();

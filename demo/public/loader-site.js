// The site's code on /loader.html: it runs before the bundle has loaded, on
// the stub EngageKit that /dist/engagekit.loader.js defined.
(function () {
  'use strict';
  var list = document.getElementById('log');
  var log = (window.loaderLog = []);
  function note(text) {
    log.push(text);
    var item = document.createElement('li');
    item.textContent = text;
    list.appendChild(item);
  }

  // What a site knows from its own server; random here, so every load is a new engagement.
  var session = (window.loaderSession = {
    baseUrl: location.origin + '/api',
    engagementId: crypto.randomUUID(),
    visitorToken: 'visitor-' + crypto.randomUUID(),
  });

  note('EngageKit is ' + (Array.isArray(EngageKit._q) ? 'the stub' : 'the bundle') + '; the bundle’s script tag is ' +
    (document.querySelector('script[src*="engagekit.global"]') ? 'there' : 'not there yet'));

  var visitor = (window.visitor = EngageKit.createVisitor({
    baseUrl: session.baseUrl,
    engagementId: session.engagementId,
    token: session.visitorToken,
    handlers: {
      greet: function (properties) { note('handler greet ran: ' + properties.text); },
    },
  }));
  visitor.on('connection', function (change) {
    var status = document.getElementById('connection');
    status.textContent = change.current.status;
    status.setAttribute('data-status', change.current.status);
    if (change.current.status === 'open') note('connection open');
  });
  visitor.commands.register('highlight', function () { note('handler highlight ran'); });
  visitor.recordEvent('Visitor opened the page').then(function (event) { note('event 1 recorded: ' + event.content); });
  visitor.recordEvent('Visitor is reading').then(function (event) { note('event 2 recorded: ' + event.content); });
  EngageKit.ready(function (api) {
    note('ready: EngageKit is ' + (Array.isArray(api._q) ? 'the stub' : 'the bundle'));
    api.mountTranscript(document.getElementById('transcript'), visitor.transcript);
  });
  note('queued ' + EngageKit._q.length + ' calls');
})();

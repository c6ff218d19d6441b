// The layers of src/ (docs/architecture.md). Each layer may import only the
// layers below it; `npm run lint` runs this, and CI runs `npm run lint`.
//
//   entries      src/*.ts (index, operator, mock, global, ...)   anything
//   roots        visitor/  operator/  mock/                       features, http, protocol, shared (never each other)
//   node         mock-node/                                       mock, protocol, shared (and node built-ins, ws: the
//                                                                 local server; test/package/bundles.test.ts checks that no
//                                                                 browser bundle has them, as includeOnly hides them here)
//   features     events/  commands/  realtime/  transcript/       http, protocol, shared (never each other)
//   http         http/                                            protocol, shared
//   protocol     protocol/                                        shared
//   shared       shared/                                          nothing of ours
//   loader       loader/                                          nothing of ours (the stub is a standalone script)
const layer = (name, folders, allowed) => ({
  name: `layer-${name}`,
  comment: `src/${folders.join(', src/')} may import only ${allowed.length ? allowed.map((f) => f + '/').join(', ') : 'nothing else of src/'}`,
  severity: 'error',
  from: { path: `^src/(${folders.join('|')})/` },
  to: { path: '^src/', pathNot: `^src/(${[...folders, ...allowed].join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No file may reach itself through its imports.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layer('shared', ['shared'], []),
    layer('protocol', ['protocol'], ['shared']),
    layer('http', ['http'], ['protocol', 'shared']),
    layer('events', ['events'], ['http', 'protocol', 'shared']),
    layer('commands', ['commands'], ['http', 'protocol', 'shared']),
    layer('realtime', ['realtime'], ['http', 'protocol', 'shared']),
    layer('transcript', ['transcript'], ['protocol', 'shared']),
    layer('visitor', ['visitor'], ['events', 'commands', 'realtime', 'transcript', 'http', 'protocol', 'shared']),
    layer('operator', ['operator'], ['http', 'protocol', 'shared']),
    layer('mock', ['mock'], ['protocol', 'shared']),
    layer('mock-node', ['mock-node'], ['mock', 'protocol', 'shared']),
    layer('loader', ['loader'], []),
    {
      name: 'no-entry-imports',
      comment: 'The entries (src/*.ts) sit on top: nothing imports them but other entries.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
  ],
  options: {
    includeOnly: '^src/',
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

#!/usr/bin/env node
// `npx engagekit-mock`: the EngageKit reference server on this machine.
// The code is the built Node entry (dist/mock-node.js); this only wires the process to it.
let entry;
try {
  entry = await import('../dist/mock-node.js');
} catch (error) {
  // The entry loads msw and ws only when the server starts; this is a missing or unbuilt dist/.
  console.error(`engagekit-mock: cannot load the reference server (${error?.message ?? error})`);
  process.exit(1);
}
const stopped = new Promise((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
const code = await entry.runCommandLine(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  stopped,
});
process.exit(code);

// Placeholder until the demo issue: proves the script-tag bundle loads and exposes EngageKit.
document.getElementById('status').textContent =
  typeof window.EngageKit?.createVisitor === 'function'
    ? 'EngageKit loaded: window.EngageKit.createVisitor is ready. The visitor site and operator console come next.'
    : 'EngageKit did not load: run npm run build first.';

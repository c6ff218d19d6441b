// ESLint (flat config): typescript-eslint's recommended rules, and the few
// style rules this codebase holds to (strict equality, only Errors thrown).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', '.build/', 'coverage/', 'test-results/', 'demo/public/', 'node_modules/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        // Browser and Node globals the code reads through `globalThis` or guards.
        window: 'readonly', document: 'readonly', navigator: 'readonly', location: 'readonly', console: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', queueMicrotask: 'readonly',
        crypto: 'readonly', fetch: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly', URL: 'readonly',
        TextEncoder: 'readonly', TextDecoder: 'readonly', AbortController: 'readonly', DOMException: 'readonly', Blob: 'readonly',
        WebSocket: 'readonly', Event: 'readonly', structuredClone: 'readonly', process: 'readonly', Buffer: 'readonly',
        localStorage: 'readonly', sessionStorage: 'readonly', performance: 'readonly', globalThis: 'readonly', setImmediate: 'readonly',
      },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-throw-literal': 'error',
      'prefer-const': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The SDK's public WebSocket type takes `any` events on purpose (each implementation types them differently).
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // Tests, scripts and the demo read loosely typed data (frames, JSON) and use `any` for it.
    files: ['test/**', 'src/**/*.test.ts', 'scripts/**', 'demo/**', '*.config.*'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);

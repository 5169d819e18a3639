// Lint rules, including the layering of ../shared/DESIGN.md: nothing below server/src/lsp may
// import the LSP connection library (protocol *types* from vscode-languageserver-types are fine),
// and the pure layers may not reach up into the ones above them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const lspRuntime = {
  group: ['vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-protocol', 'vscode-languageclient', 'vscode-languageclient/*', 'vscode'],
  message: 'Layering: only server/src/server.ts, server/src/lsp/ and client/ talk LSP; use plain types or vscode-languageserver-types here.',
};

const up = (...dirs) => dirs.map((d) => ({ group: [`**/${d}/*`, `../${d}/*`, `../../${d}/*`], message: `Layering: data flows down; this layer may not import from ${d}/.` }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.cache/**', 'test-results/**', 'bench/.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['server/src/knowledge/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [lspRuntime, ...up('parser', 'model', 'analysis', 'service', 'lsp', 'log')] }] },
  },
  {
    files: ['server/src/parser/**/*.ts', 'server/src/model/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [lspRuntime, ...up('analysis', 'service', 'lsp')] }] },
  },
  {
    files: ['server/src/analysis/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [lspRuntime, ...up('service', 'lsp')] }] },
  },
  {
    files: ['server/src/service/**/*.ts', 'cli/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [lspRuntime, ...up('lsp')] }] },
  },
  {
    // the server never prints: stdout belongs to the protocol
    files: ['server/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);

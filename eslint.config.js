// Lint rules whose main job is the folder layering of DESIGN.md: a folder is a runtime.
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'url', 'stream', 'events', 'util', 'worker_threads', 'zlib'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', '.tools/**', 'coverage/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      // Only main/app/ may import electron.
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only main/app/ imports electron (DESIGN.md, Layout).' }] }],
    },
  },
  {
    files: ['main/app/**/*.ts', 'preload/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // shared/ is runtime-neutral: no Node, no Electron, no DOM, nothing from the other folders.
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'shared/ imports no electron.' }],
        patterns: [
          { group: nodeBuiltins, message: 'shared/ imports nothing from node.' },
          { group: ['**/main/**', '**/renderer/**', '**/preload/**', 'react', 'react-dom', 'react-dom/*'], message: 'shared/ imports only shared/ and pure libraries.' },
        ],
      }],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'window', 'document', 'require', '__dirname'],
    },
  },
  {
    // renderer/ reaches the daemon only through the preload contract (window.switchboard) or /api.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'renderer/ reaches Electron only through the preload contract.' }],
        patterns: [
          { group: nodeBuiltins, message: 'renderer/ imports no Node modules.' },
          { group: ['**/main/**', '**/preload/*', '!**/preload/api'], message: 'renderer/ imports only shared/ and the preload types.' },
        ],
      }],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', '__dirname'],
    },
  },
);

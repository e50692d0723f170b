// Lint rules whose main job is the folder layering of docs/ARCHITECTURE.md: a folder is a runtime
// (shared/, renderer/, main/app/), and inside main/ a folder is a layer.
import tseslint from 'typescript-eslint';
import globals from 'globals';

const electronOnlyInApp = { name: 'electron', message: 'Only main/app/ imports electron (docs/ARCHITECTURE.md).' };
const DOMAIN_FOLDERS = ['policy', 'lifecycle', 'audit', 'approvals', 'servers', 'clients', 'secrets', 'forwarder', 'orgsync', 'config', 'oauth', 'autostart', 'updates', 'sandbox', 'registry', 'observability', 'guardrails', 'profiles'];
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
      'no-restricted-imports': ['error', { paths: [electronOnlyInApp] }],
    },
  },
  {
    files: ['main/app/**/*.ts', 'preload/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  // Layers inside main/ (docs/ARCHITECTURE.md): base/ imports no other folder; relay/ imports only
  // base/; domain folders never import the front ends (api/, endpoints/, cli/) or the composition
  // root. Each override repeats the electron rule: a later rule setting replaces an earlier one.
  {
    files: ['main/base/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnlyInApp],
        patterns: [{ regex: '^\\.\\./(?!\\.\\./shared/)', message: 'main/base/ imports no other folder of main/ (it is what every folder uses).' }],
      }],
    },
  },
  {
    files: ['main/relay/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnlyInApp],
        patterns: [{ regex: '^\\.\\./(?!base/|\\.\\./shared/)', message: 'main/relay/ imports only main/base/ (and shared/): the relay knows no domain.' }],
      }],
    },
  },
  {
    // Guardrails on the data path: interceptors over the relay contract, reading the policy engine.
    files: ['main/guardrails/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnlyInApp],
        patterns: [{ regex: '^\\.\\./(?!base/|relay/|policy/|guardrails/|\\.\\./shared/)', message: 'main/guardrails/ imports only main/base/, main/relay/, main/policy/ (and shared/).' }],
      }],
    },
  },
  {
    // federation/ is the relay over many servers: it drives relay/ sessions and uses the profiles'
    // tool surface; it knows no other domain and no front end.
    files: ['main/federation/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnlyInApp],
        patterns: [{ regex: '^\\.\\./(?!base/|relay/|profiles/tool-surface\\.ts$|\\.\\./shared/)', message: 'main/federation/ imports only main/base/, main/relay/ and the tool surface of main/profiles/ (and shared/).' }],
      }],
    },
  },
  {
    files: DOMAIN_FOLDERS.map((folder) => `main/${folder}/**/*.ts`),
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnlyInApp],
        patterns: [
          { regex: '^(\\.\\./)+(api|endpoints|cli)/', message: 'Domain folders never import api/, endpoints/ or cli/: those are built on the domains, not the other way round.' },
          { regex: '^(\\.\\./)+(switchboard|cli)\\.ts$', message: 'Domain folders never import the composition root or the CLI entry point.' },
        ],
      }],
    },
  },
  {
    // Type-aware: a promise nobody awaits or handles is a bug (an unhandled rejection, or work
    // that races the next step). `void` marks the ones that are meant to run on their own.
    files: ['main/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
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

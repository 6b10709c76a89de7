// Lint rules that keep the architecture visible (STYLE.md): a pure domain, small public surfaces, no cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';
import prettier from 'eslint-config-prettier';

const areas = [
  'auth',
  'cli',
  'config',
  'connector',
  'contracts',
  'devstack',
  'domain',
  'gateway',
  'kafka',
  'observability',
  'processor',
  'readmodel',
  'state',
  'client',
  'errors',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.stack/**',
      '.tools/**',
      '.soak/**',
      'coverage/**',
      'bench/results/**',
      'data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    plugins: { import: importPlugin },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
      'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import/extensions': ['.ts', '.js'],
    },
    rules: {
      'import/no-cycle': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Outside an area, import it only through its public surface (src/<area>/index.ts).
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: areas.map((area) => ({
            group: [`**/src/${area}/*`, `!**/src/${area}/index`],
            message: `Import ${area} through its public surface (src/${area}/index.ts).`,
          })),
        },
      ],
    },
  },
  {
    // The Kafka client stays behind the adapter in src/kafka, so a client switch touches one folder.
    files: ['src/**/*.ts'],
    ignores: ['src/kafka/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@confluentinc/kafka-javascript',
              message: 'Use the adapter in src/kafka instead of the Kafka client directly.',
            },
          ],
          patterns: areas.map((area) => ({
            group: [`../${area}/*`, `!../${area}/index`],
            message: `Import ${area} through its public surface (src/${area}/index.ts).`,
          })),
        },
      ],
    },
  },
  {
    // Inside an area, relative imports of siblings are fine.
    files: areas.map((area) => `src/${area}/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: areas.map((area) => ({
            group: [`../${area}/*`, `!../${area}/index`],
            message: `Import ${area} through its public surface (src/${area}/index.ts).`,
          })),
        },
      ],
    },
  },
  {
    // The planner console runs in the browser: browser globals come from its tsconfig's DOM lib (TypeScript
    // checks every name, so no-undef stays off as for all .ts), and nothing of Node or the server is bundled.
    files: ['console/**/*.ts', 'console/**/*.mts'],
    ignores: ['console/vite.config.mts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'console/ runs in the browser: no Node built-ins.' },
            { group: ['**/src/*', '../../src/**'], message: 'console/ talks to the gateway over HTTP only.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require'],
    },
  },
  {
    // The domain is pure: no infrastructure, no Node built-ins (checked here, not by good intentions).
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'src/domain is pure: no Node built-ins.' },
            { group: ['../*'], message: 'src/domain imports nothing from other areas.' },
          ],
          paths: [
            '@confluentinc/kafka-javascript',
            'rocksdb',
            'express',
            'pg',
            '@duckdb/node-api',
            '@kafkajs/confluent-schema-registry',
            'avsc',
            'pino',
            'prom-client',
            'fs',
            'path',
            'net',
            'http',
            'crypto',
            'os',
            'child_process',
          ].map((name) => ({
            name,
            message: 'src/domain is pure: no infrastructure imports.',
          })),
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'setTimeout', 'setInterval'],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pass time in; the domain is deterministic.' },
        { object: 'Math', property: 'random', message: 'The domain is deterministic.' },
      ],
    },
  },
);

/**
 * Layer rules (checked by `npm test`): the domain — workflows/ and the domain libs — never
 * imports NestJS, the EventStoreDB client or SQLite; those belong to adapters and apps.
 */
const DOMAIN = '^(workflows|libs/(engine|reference-catalog|auth|runtime)/src)/';
/** Application libs may use SQLite in their adapter files, but never NestJS. */
const FRAMEWORK_FREE_LIBS = '^libs/(distribution|audit|personal-data|read-models|event-store)/src/';
const INFRA = '^node_modules/(@nestjs|@eventstore|better-sqlite3|@grpc)/';

module.exports = {
  forbidden: [
    {
      name: 'domain-stays-framework-free',
      comment: 'workflows/ and domain libs must not depend on NestJS, EventStoreDB or SQLite',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: INFRA },
    },
    {
      name: 'libs-stay-nest-free',
      comment: 'libraries are usable from the CLI, the worker and tests: NestJS lives in apps/ only',
      severity: 'error',
      from: { path: FRAMEWORK_FREE_LIBS },
      to: { path: '^node_modules/@nestjs/' },
    },
    {
      name: 'event-store-port-is-pure',
      comment: 'the event-store port and its errors are what the domain sees: no adapter code in them',
      severity: 'error',
      from: { path: '^libs/event-store/src/(event-store\\.port|event-store\\.errors|index)\\.ts$' },
      to: { path: [INFRA, '^libs/event-store/src/(sqlite|esdb)/'] },
    },
    {
      name: 'domain-does-not-reach-adapters',
      comment: 'the domain talks to the store through the port only',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: ['^libs/event-store/src/(sqlite|esdb)/', '^libs/read-models/', '^apps/'] },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^(libs|workflows)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(\\.spec|\\.int-spec|\\.e2e-spec)\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};

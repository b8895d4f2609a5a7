export * from './connection-application.workflow';
export * from './connection-application.events';
export * from './connection-application.machine';
export * from '../shared/organizations';
export { SYSTEM_ACTOR } from './connection-application.policy';
export { connectionApplicationForms } from './forms';
export * from './master-data/master-data.content';
export * from './master-data/delegation-matching';
export { readCodeVersions, readCounterpartFilings, readLatestVersion, type OrganVersions } from './master-data/master-data.reader';

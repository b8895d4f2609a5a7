import type { WorkflowDefinition } from '@nws/engine';
import { accountRequestV1 } from './account-request';
import { connectionApplicationV1 } from './connection-application';

/** Every deployed workflow version, oldest first per workflow (the last one is where new applications start). */
export const ALL_WORKFLOWS: readonly WorkflowDefinition[] = [connectionApplicationV1, accountRequestV1];
export { listScope, narrowScope, type ListFilter, type ListScope } from './shared/list-scope.policy';
export { APPLICATION_NUMBER_PATTERN } from './shared/application-number';

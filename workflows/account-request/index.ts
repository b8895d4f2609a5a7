export * from './account-request.workflow';

export * from './projection';
export * from './projection-runner';
export * from './applications.projection';
export * from './master-data.projection';
export * from './read-model.queries';

import { applicationsProjection } from './applications.projection';
import { masterDataProjection } from './master-data.projection';
export const ALL_PROJECTIONS = [applicationsProjection, masterDataProjection] as const;

import type { PipeTransform } from '@nestjs/common';
import { applicationIdOf } from '@nws/engine';

/** `:id` of an application as people quote it (applicationIdOf): one in upper case is the same id, as on the command line. */
export const APPLICATION_ID: PipeTransform<string, string> = { transform: applicationIdOf };

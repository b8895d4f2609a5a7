import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'nws:public';
/** Routes reachable without a token (health, OpenAPI). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

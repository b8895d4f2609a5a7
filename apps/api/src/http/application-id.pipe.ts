import type { PipeTransform } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `:id` of an application, as people quote it: ids are UUIDs written in lower case, and one copied
 * in upper case (a spreadsheet, a letter) is the same id (the CLI takes it so too). Anything else
 * is left as it is, to be answered 404 by name.
 */
export const APPLICATION_ID: PipeTransform<string, string> = {
  transform: (value: string) => (UUID.test(value) ? value.toLowerCase() : value),
};

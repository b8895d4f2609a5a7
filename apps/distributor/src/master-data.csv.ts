import { csvField } from '@nws/audit/export/csv-row';
import type { Json, JsonObject } from '@nws/event-store';

export interface VersionData extends JsonObject {
  organizationCode: string;
  version: number;
  contentHash: string;
  content: JsonObject;
}

const HEADER = ['organizationCode', 'version', 'contentHash', 'path', 'value'];

/**
 * One row per leaf of the published content (`contacts[0].phone` → `0426207200`): lossless and
 * flat, so a receiving system can load it without knowing the JSON shape. RFC 4180 quoting and
 * CRLF line ends; UTF-8 without a byte-order mark. A value a spreadsheet would run as a formula
 * (first character = + - @, tab or CR: a 部署名 of `=HYPERLINK(…)` filed in a form) is written
 * with a leading apostrophe, as OWASP advises for CSV injection; the JSON beside it holds every
 * value as registered (the audit export's csvField, the same rule).
 */
export function masterDataCsv(version: VersionData): string {
  const rows: string[][] = [HEADER];
  const walk = (value: Json, path: string) => {
    if (Array.isArray(value)) {
      if (value.length === 0) rows.push([version.organizationCode, String(version.version), version.contentHash, path, '[]']);
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value).sort();
      if (keys.length === 0) rows.push([version.organizationCode, String(version.version), version.contentHash, path, '{}']);
      for (const key of keys) walk(value[key]!, path ? `${path}.${key}` : key);
    } else {
      rows.push([version.organizationCode, String(version.version), version.contentHash, path, value === null ? '' : String(value)]);
    }
  };
  walk(version.content, '');
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

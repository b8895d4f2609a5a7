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
 * CRLF line ends; UTF-8 without a byte-order mark.
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
  return rows.map((row) => row.map(quote).join(',')).join('\r\n') + '\r\n';
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

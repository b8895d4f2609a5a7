import type { JsonObject, RecordedEvent } from '@nws/event-store';
import type { SealRecord } from '../integrity/seal';

export const EXPORT_FORMAT = 'nws-audit-export';
export const EXPORT_FORMAT_VERSION = 1;

/**
 * First line of a JSON Lines export. Every other line but the last is one stored event exactly
 * as stored (integrity block included); the last line is the trailer.
 */
export interface ExportHeader {
  readonly exportRecord: 'header';
  readonly format: typeof EXPORT_FORMAT;
  readonly formatVersion: number;
  readonly exportedAt: string;
  readonly scope: 'store' | 'application';
  readonly applicationId: string | null;
  readonly streamId: string | null;
  readonly source: {
    readonly eventStore: string;
    /** Head of the store when the export began; nothing after it is exported. */
    readonly headPosition: number;
    /** Largest position the store ever handed out (SQLite), null where there is none. */
    readonly highWaterMark: number | null;
    /** Positions are gap-free in this store, so a missing one in the file is a removal. */
    readonly contiguousPositions: boolean;
    /** The witness file's newest seal, read before the head: every seal up to it must be in a store-wide export. */
    readonly witness: SealRecord | null;
  };
  readonly hashing: {
    readonly event: string;
    readonly rolling: string;
    readonly linesDigest: string;
  };
}

export interface ExportTrailer {
  readonly exportRecord: 'trailer';
  readonly events: number;
  readonly firstPosition: number | null;
  readonly lastPosition: number | null;
  /** Store scope: the rolling hash over every exported non-seal event (equal to the store's). */
  readonly rollingHash: string | null;
  /** The hash at the head of each exported stream's chain (application scope). */
  readonly lastHashes: { readonly [streamId: string]: string } | null;
  /** The store's newest seal within the export, to compare with a witness held elsewhere. */
  readonly seal: SealRecord | null;
  /** sha256 over every line before this one, each with its newline: any edited byte shows. */
  readonly linesDigest: string;
}

export const HASHING_DESCRIPTION: ExportHeader['hashing'] = {
  event: 'metadata.integrity.hash = sha256 over RFC 8785 canonical JSON of { prevHash, id, streamId, revision, type, data, metadata without integrity }; prevHash = hash of the previous event of the same stream (64 zeros for revision 0)',
  rolling: 'rolling = sha256(previous rolling + "\\n" + position + "\\n" + recordedAt + "\\n" + integrity.hash) over every event outside stream store-seals in position order, starting from 64 zeros; each StoreSealed event records it at its toPosition',
  linesDigest: 'sha256 over the UTF-8 bytes of every line before the trailer, each followed by "\\n"',
};

/** An event as one export line: the stored fields, in a fixed order. */
export function eventLine(event: RecordedEvent): string {
  const { id, streamId, revision, position, type, data, metadata, recordedAt } = event;
  return JSON.stringify({ id, streamId, revision, position, type, data, metadata, recordedAt });
}

/** Reads an event line back; undefined when the line does not have an event's shape. */
export function parseEventLine(value: unknown): RecordedEvent | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const object = (x: unknown): x is JsonObject => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (typeof v['id'] !== 'string' || typeof v['streamId'] !== 'string' || typeof v['type'] !== 'string' || typeof v['recordedAt'] !== 'string') return undefined;
  if (!Number.isInteger(v['revision']) || !Number.isInteger(v['position']) || !object(v['data']) || !object(v['metadata'])) return undefined;
  return {
    id: v['id'],
    streamId: v['streamId'],
    revision: v['revision'] as number,
    position: v['position'] as number,
    type: v['type'],
    data: v['data'],
    metadata: v['metadata'],
    recordedAt: v['recordedAt'],
  };
}

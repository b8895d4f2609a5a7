import type { JsonObject } from '@nws/event-store';
export type { Json, JsonObject } from '@nws/event-store';

/**
 * `operator` (運用担当) runs the service itself — replays parked projection events — and takes no
 * part in any workflow: every workflow policy denies it by default.
 */
export const ROLES = ['applicant', 'first-reviewer', 'second-reviewer', 'auditor', 'distributor', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Who sends a command: from a verified token, never from the request body. */
export interface Actor {
  /** The person (token subject). */
  readonly sub: string;
  /** The body: a 6-digit 全国地方公共団体コード, 'J-LIS' or 'MIC'. */
  readonly org: string;
  readonly role: Role;
  /**
   * 機関種類 within the body, where one local-government code holds several organs (the head's
   * department and the board of education of 八王子市 are both 132012). Absent: the default organ
   * of the code (知事部局 for a prefecture, 首長部局 for a municipality).
   */
  readonly organ?: string;
  readonly name?: string;
  readonly department?: string;
}

/**
 * Everything non-deterministic a command needs comes in here, so that decide/evolve stay pure:
 * time, ids, the actor.
 */
export interface CommandMetadata {
  readonly actor: Actor;
  /** ISO-8601 time of the command, from the caller's clock port. */
  readonly now: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId?: string;
  /**
   * The command id was made for this one request (no Idempotency-Key) and never comes again:
   * no request hash is computed or stored, since there is nothing to compare it with (an
   * ambiguous append retried under the same id is the same request by construction). Absent:
   * the id may come again — an Idempotency-Key, an id derived from what triggered the command —
   * and the hash of its first request refuses a different request under it.
   */
  readonly freshCommandId?: boolean;
}

/** An event as a workflow decides it: type and data; the engine adds ids and metadata. */
export interface DecidedEvent<TType extends string = string, TData extends JsonObject = JsonObject> {
  readonly type: TType;
  readonly data: TData;
}

/** Metadata the engine stamps on every stored event. */
export interface EventMetadata extends JsonObject {
  workflow: string;
  machineVersion: string;
  actor: JsonObject;
  occurredAt: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  /** The machine's state after this event, so auditors and read models need not re-run the machine. */
  state: string;
  /** Where the application waits for a review after this event, so queues need no workflow logic. */
  waitingAt: { stage: string; org: string } | null;
}

/** The event as the machine sees it while folding: type, data and the engine's metadata. */
export interface MachineEvent<TType extends string = string, TData = JsonObject> {
  readonly type: TType;
  readonly data: TData;
  readonly meta: EventMetadata;
}

export interface LocalizedMessage {
  readonly ja: string;
  readonly en: string;
}

export interface FieldViolation {
  /** JSON path of the field, e.g. `contacts[0].phone`. */
  readonly field: string;
  /** Machine-readable rule name, e.g. `isNotEmpty`, `jpPhoneNumber`. */
  readonly rule: string;
  readonly message: LocalizedMessage;
}

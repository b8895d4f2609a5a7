import type { ArgumentsHost } from '@nestjs/common';
import { ChangedMeanwhileError } from '@nws/engine';
import { StorageUnavailableError } from '@nws/event-store';
import { DomainExceptionFilter } from './domain-exception.filter';

function answer(exception: unknown, method: string): { status: number; headers: Record<string, string>; body: any } {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as any };
  // What the filter uses of Fastify's reply.
  const response = {
    header(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
      return this;
    },
    status(code: number) {
      sent.status = code;
      return this;
    },
    send(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response, getRequest: () => ({ method, url: '/applications/x/actions/submit' }) }) } as unknown as ArgumentsHost;
  new DomainExceptionFilter().catch(exception, host);
  return sent;
}

const sqliteError = (code: string) => Object.assign(new Error('disk I/O error'), { code });

describe('DomainExceptionFilter, storage problems', () => {
  it('a write the disk refused: 503 STORAGE_UNAVAILABLE, Retry-After, nothing recorded', () => {
    const sent = answer(new StorageUnavailableError('full', 'events.sqlite', { cause: sqliteError('SQLITE_FULL') }), 'POST');
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('30');
    expect(sent.body).toMatchObject({ code: 'STORAGE_UNAVAILABLE', storage: 'full', outcome: 'not-recorded' });
    expect(sent.body.messages.ja).toMatch(/ディスクの空き容量が不足.*操作は記録されていません/);
    expect(sent.body.messages.en).toMatch(/disk is full, so writes are refused; nothing was recorded/);
  });

  it('a write whose fsync failed: the outcome is unknown — never "nothing was recorded" — and the same key tells it', () => {
    // SQLite wrote the transaction's frames, commit frame included, then fsync failed: recovery of the log may bring it back.
    const sent = answer(new StorageUnavailableError('read-only', 'events.sqlite', { cause: sqliteError('SQLITE_IOERR_FSYNC') }), 'PUT');
    expect(sent.status).toBe(503);
    expect(sent.body).toMatchObject({ code: 'STORAGE_UNAVAILABLE', storage: 'read-only', outcome: 'unknown' });
    expect(sent.body.messages.en).toMatch(/may or may not have been recorded.*same Idempotency-Key/);
    expect(sent.body.messages.en).not.toMatch(/nothing was recorded/);
    expect(sent.body.messages.ja).toMatch(/記録されたかどうかは不明.*同じ Idempotency-Key/);
    expect(sent.body.messages.ja).not.toMatch(/操作は記録されていません/);
  });

  it('a write the SQLite writer thread had in hand when it stopped: the outcome is unknown', () => {
    // As the store reports it (sqlite-writer.thread.int-spec.ts checks the store side).
    const cause = Object.assign(new Error("the event store's writer thread stopped: exited with code 1"), { code: 'SQLITE_IOERR', outcomeUnknown: true });
    const sent = answer(new StorageUnavailableError('io-error', 'events.sqlite', { cause }), 'POST');
    expect(sent.status).toBe(503);
    expect(sent.body).toMatchObject({ code: 'STORAGE_UNAVAILABLE', storage: 'io-error', outcome: 'unknown' });
    // The same thread failure for a write it never received: nothing was recorded.
    const refused = answer(new StorageUnavailableError('io-error', 'events.sqlite', { cause: Object.assign(new Error('stopped'), { code: 'SQLITE_IOERR', outcomeUnknown: false }) }), 'POST');
    expect(refused.body).toMatchObject({ outcome: 'not-recorded' });
  });

  it('other I/O errors (the write itself failed: no commit frame) are still "nothing was recorded"', () => {
    const sent = answer(new StorageUnavailableError('read-only', 'events.sqlite', { cause: sqliteError('SQLITE_IOERR_WRITE') }), 'POST');
    expect(sent.body).toMatchObject({ outcome: 'not-recorded' });
  });

  it('a read the disk cannot serve: 503 saying this data cannot be read now, not that writes are refused', () => {
    const sent = answer(sqliteError('SQLITE_CANTOPEN'), 'GET');
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('10');
    expect(sent.body).toMatchObject({ code: 'STORAGE_UNAVAILABLE', storage: 'cannot-open' });
    expect(sent.body).not.toHaveProperty('outcome');
    expect(sent.body.messages.en).toMatch(/cannot be read now/);
    expect(sent.body.messages.en).not.toMatch(/writes are refused|recorded/);
    expect(sent.body.messages.ja).toMatch(/読み出せません/);
  });
});

describe('DomainExceptionFilter, a decision that lost a race in flight', () => {
  it('409 CHANGED_MEANWHILE with the state and revision the application is at now, in both languages', () => {
    const sent = answer(new ChangedMeanwhileError('app-1', 'secondReview', 5), 'POST');
    expect(sent.status).toBe(409);
    expect(sent.body).toMatchObject({ code: 'CHANGED_MEANWHILE', state: 'secondReview', currentRevision: 5 });
    expect(sent.body.messages.ja).toMatch(/別の操作で更新されました.*secondReview/);
    expect(sent.body.messages.en).toMatch(/changed by another request.*secondReview/);
  });
});

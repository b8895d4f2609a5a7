import { PLACEHOLDER } from '@nws/personal-data';
import type { ConnectionApplicationContext } from '../connection-application.machine';
import { ORGANIZATION_KINDS } from '../../shared/organizations';
import { masterDataContent, masterDataStream, organOfMasterDataStream } from './master-data.content';

describe('master-data streams: one per organ (機関), not per code', () => {
  it('the default organ keeps master-data-{code}, so what was registered before stays where it is', () => {
    expect(masterDataStream('130001', '都道府県知事部局')).toBe('master-data-130001');
    expect(masterDataStream('132012', '市町村長部局')).toBe('master-data-132012');
  });

  it('a board of education sharing its governor’s or mayor’s code has a stream of its own', () => {
    expect(masterDataStream('130001', '都道府県教育委員会')).toBe('master-data-130001.prefectural-board-of-education');
    expect(masterDataStream('132012', '市町村教育委員会')).toBe('master-data-132012.municipal-board-of-education');
    expect(masterDataStream('130001', '都道府県教育委員会')).not.toBe(masterDataStream('130001', '都道府県知事部局'));
    expect(masterDataStream('132012', '市町村教育委員会')).not.toBe(masterDataStream('132012', '市町村長部局'));
  });

  it('every organ of a code gets a distinct stream that names the organ back, and a valid EventStoreDB stream name', () => {
    for (const code of ['130001', '132012']) {
      const streams = ORGANIZATION_KINDS.map((kind) => masterDataStream(code, kind));
      expect(new Set(streams).size).toBe(ORGANIZATION_KINDS.length);
      ORGANIZATION_KINDS.forEach((kind, i) => {
        expect(organOfMasterDataStream(streams[i]!)).toEqual({ code, kind });
        // `$` starts the server's own streams; ASCII letters, digits, dots and dashes are ordinary names.
        expect(streams[i]).toMatch(/^master-data-[0-9]{6}(\.[a-z-]+)?$/);
      });
    }
    expect(organOfMasterDataStream('application-130001')).toBeUndefined();
  });

  it('refuses a kind that is not an organ rather than fall back to the code’s stream', () => {
    expect(() => masterDataStream('130001', '')).toThrow(/not an organ/);
  });
});

describe('master-data content: the contacts it publishes', () => {
  const contact = (priority: number, name: string) => ({ priority, department: '情報管理課', name, phone: '0426207200', email: 'renkei@city.hachioji.tokyo.jp' });
  const ctx = (contacts: object[]) =>
    ({
      applicationId: 'app-1',
      applicationNumber: '20261207-132012-ABCDEF',
      category: '変更',
      organization: { code: '132012', name: '八王子市', kind: '市町村長部局', prefectureCode: '130001' },
      forms: { '02-02': { data: { normalContacts: contacts } } },
    }) as unknown as ConnectionApplicationContext;

  it('a contact erased while the application was in review (read back as ［消去済み］) is not registered, as one carried over is not', () => {
    const content = masterDataContent(ctx([contact(1, PLACEHOLDER.erased), contact(2, '鈴木 一郎')]), { delegations: [] });
    expect(content['contacts']).toEqual([contact(2, '鈴木 一郎')]);
    expect(JSON.stringify(content)).not.toContain(PLACEHOLDER.erased);
  });
});

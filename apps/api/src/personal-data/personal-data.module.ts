import { Module, type DynamicModule } from '@nestjs/common';
import type { EventStore } from '@nws/event-store';
import type { RuntimeConfig } from '@nws/runtime';
import { SqliteAccessLog, findEncryptingStore } from '@nws/personal-data';
import { PersonalDataErasureWatcher } from './personal-data-erasure.watcher';
import { PersonalDataController } from './personal-data.controller';
import { PersonalDataService } from './personal-data.service';
import { PublishedNoticesCatchUp } from './published-notices.catch-up';
import { ACCESS_LOG, PERSONAL_DATA_STORE } from './personal-data.tokens';

/**
 * Personal data: redaction and access logging of every response (AccessPurposeGuard, among the
 * guards of app.module.ts, and the hook create-app.ts puts on the adapter), 開示・消去・利用停止 endpoints,
 * and the aftercare of erasures. Uses the engine, read models and clock AppModule exports; needs
 * the store as opened (createEventStore puts the encryption in it).
 */
@Module({})
export class PersonalDataModule {
  static forRoot(config: RuntimeConfig, store: EventStore): DynamicModule {
    const encrypting = findEncryptingStore(store);
    if (!encrypting) throw new Error('personal data: the event store must come from createEventStore (EncryptingEventStore)');
    const accessLog = new SqliteAccessLog(config.personalData.accessLogFile);
    return {
      module: PersonalDataModule,
      // create-app.ts hands the store and the log to the answers' hook; distribution's SSE stream
      // applies the same redaction itself.
      global: true,
      exports: [PERSONAL_DATA_STORE, ACCESS_LOG, PersonalDataService],
      controllers: config.role === 'worker' ? [] : [PersonalDataController],
      providers: [
        { provide: PERSONAL_DATA_STORE, useValue: encrypting },
        { provide: ACCESS_LOG, useValue: accessLog },
        PersonalDataService,
        PersonalDataErasureWatcher,
        PublishedNoticesCatchUp,
      ],
    };
  }
}

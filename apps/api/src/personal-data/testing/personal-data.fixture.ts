import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import type { Driver } from '../../testing/drive';

/**
 * The contact the erasure tests follow: 通常連絡先 #1 and 緊急連絡先 #1 of the 様02-02 example.
 * Numbers as stored (digits) and as application views show them, so that "not in this answer"
 * checks cover both.
 */
export const TANAKA = {
  name: '田中 三郎',
  phone: '0426207200',
  phoneShown: '042-620-7200',
  mobile: '09012345678',
  mobileShown: '090-1234-5678',
  email: 'renkei@city.hachioji.tokyo.jp',
  emergencyEmail: 'renkei-kinkyu@city.hachioji.tokyo.jp',
} as const;
export const TANAKA_VALUES = Object.values(TANAKA);

/** A draft with the three contact forms (the published examples: 02-01, 02-02, 02-06), and its id. */
export function draftWithContactForms(driver: Driver): Promise<string> {
  return driver.draftWithForms('applicant');
}

/** Through both reviews to registered master data (and distributed, when the state offers it). */
export async function registeredApplication(driver: Driver): Promise<string> {
  const id = await driver.registerOrgan('applicant');
  await driver.act('distributor', id, 'confirm-distribution');
  return id;
}

/** Folds the events WAL into events.sqlite through a connection of its own, as an operator would. */
export function checkpointEvents(dataDir: string): void {
  const db = new Database(join(dataDir, EVENTS_FILE));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Every file under the data directory (WAL, journals and all) that holds any of these values, byte for byte. */
export function filesHolding(dataDir: string, values: readonly string[]): Array<{ file: string; value: string }> {
  const found: Array<{ file: string; value: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const bytes = readFileSync(path);
        for (const value of values) if (bytes.includes(Buffer.from(value, 'utf8'))) found.push({ file: entry, value });
      }
    }
  };
  walk(dataDir);
  return found;
}

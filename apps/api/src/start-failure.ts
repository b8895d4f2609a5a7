import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigurationError } from '@nws/runtime';
import { EventStoreUnavailableError } from '@nws/event-store';
import { DataDirectoryInUseError } from '@nws/event-store/sqlite';
import { closeApp } from './create-app';

/** PORT is taken: another process listens there (the previous one still stopping, or another server). */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/**
 * Listens on HOST:PORT, or says which setting stops it: a HOST that is no address of this machine
 * (or no name at all) and a privileged PORT are configuration errors, a PORT in use is temporary.
 * The app is closed first (its store, its hold on DATA_DIR), so the exit leaves nothing half open.
 */
export async function listenOrExplain(app: NestFastifyApplication, port: number, host: string): Promise<void> {
  try {
    await app.listen(port, host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    await closeApp(app).catch(() => undefined);
    if (code === 'EADDRINUSE') throw new PortInUseError(`PORT ${port} on ${host} is in use by another process`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new ConfigurationError(`HOST must be an address of this machine (0.0.0.0 for all), got "${host}" (${code})`);
    if (code === 'EACCES') throw new ConfigurationError(`PORT ${port} needs privileges this process does not have; choose a port from 1024`);
    throw error;
  }
}

/**
 * What a server that cannot start prints and exits with: one line naming why, and a sysexits
 * code a supervisor can act on: 78 EX_CONFIG (fix the settings), 75 EX_TEMPFAIL (DATA_DIR or PORT
 * held by another process: start again later), 69 EX_UNAVAILABLE (EventStoreDB does not answer).
 */
export function startFailure(error: unknown): { readonly line: string; readonly exitCode: number } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ConfigurationError) return { line: `Configuration error: ${message}`, exitCode: 78 };
  if (error instanceof DataDirectoryInUseError || error instanceof PortInUseError) return { line: `Not started: ${message}`, exitCode: 75 };
  if (error instanceof EventStoreUnavailableError) return { line: `Not started: the event store is unavailable: ${message}`, exitCode: 69 };
  return { line: `Failed to start: ${error instanceof Error ? (error.stack ?? message) : message}`, exitCode: 1 };
}

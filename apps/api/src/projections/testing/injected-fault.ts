import type { ProjectionRunner } from '@nws/read-models';
import { PROJECTION_RUNNER } from '../../infrastructure/tokens';
import type { TestServer } from '../../testing/test-server';

/**
 * A real fault in the real `applications` projection, as a bug in its handler would be: a trigger
 * in the read-model database fails the UPDATE that moves this application's state (its
 * submission). Returns the fix: the trigger dropped.
 */
export function failStateChangesOf(server: TestServer, applicationId: string): () => void {
  const runner = server.app.get<ProjectionRunner>(PROJECTION_RUNNER);
  runner.db.exec(`CREATE TRIGGER injected_fault BEFORE UPDATE OF state ON applications WHEN NEW.id = '${applicationId}' AND NEW.state <> OLD.state
                  BEGIN SELECT RAISE(ABORT, 'injected projection fault'); END`);
  return () => runner.db.exec('DROP TRIGGER injected_fault');
}

import type { Actor, CommandMetadata, WorkflowEngine } from '@nws/engine';
import { connectionApplicationForms } from '../forms';
import { hachiojiApplicant, micReviewer, tokyoReviewer } from './fixtures';

export type MetaFor = (actor: Actor, commandId: string) => CommandMetadata;

/**
 * Drives a Hachioji application through the engine in-process: created, the 登録 forms saved from
 * their examples, submitted, and (by default) approved by the prefecture, ready for the second
 * review. `tag` keeps command ids apart when a spec drives several applications.
 */
export async function driveApplication(engine: WorkflowEngine, meta: MetaFor, options: { until?: 'submitted' | 'firstApproved'; tag?: string } = {}): Promise<string> {
  const tag = options.tag ?? '';
  const { id } = await engine.create('connection-application', { organizationCode: '132012', category: '登録' }, meta(hachiojiApplicant, `create${tag}`));
  for (const code of ['02-01', '02-02', '02-06']) {
    const form = connectionApplicationForms.get(code)!;
    await engine.execute(id, 'save-form', { formCode: code, form: form.example }, meta(hachiojiApplicant, `save-${code}${tag}`), { internal: true });
  }
  await engine.execute(id, 'submit', {}, meta(hachiojiApplicant, `submit${tag}`));
  if ((options.until ?? 'firstApproved') === 'firstApproved') await engine.execute(id, 'approve', {}, meta(tokyoReviewer, `first${tag}`));
  return id;
}

/**
 * Hachioji's head department with registered master data (a 登録 approved by both reviews and
 * registered by the engine's reaction): what a 変更 application changes, and must find.
 */
export async function registeredHachioji(engine: WorkflowEngine, meta: MetaFor, tag = '-registered'): Promise<string> {
  const id = await driveApplication(engine, meta, { tag });
  const approved = await engine.execute(id, 'approve', {}, meta(micReviewer, `second${tag}`));
  if (approved['state'] !== 'masterDataRegistered') throw new Error(`not registered: ${String(approved['state'])}`);
  return id;
}

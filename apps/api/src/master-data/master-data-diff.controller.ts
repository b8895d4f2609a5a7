import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { diffJson } from '@nws/audit';
import type { Actor, JsonObject, WorkflowEngine } from '@nws/engine';
import type { EventStore } from '@nws/event-store';
import type { ProjectionRunner, ReadModelQueries } from '@nws/read-models';
import { CONNECTION_APPLICATION, masterDataContent, type ConnectionApplicationContext } from '@nws/workflows/connection-application';
import { CurrentActor } from '../auth/current-actor.decorator';
import { EVENT_STORE, PROJECTION_RUNNER, READ_MODEL_QUERIES, WORKFLOW_ENGINE } from '../infrastructure/tokens';

/** Bookkeeping of a version, not its content: left out of the comparison. */
const NOT_CONTENT = ['applicationNumber', 'category'];
const contentOnly = (content: JsonObject): JsonObject => Object.fromEntries(Object.entries(content).filter(([key]) => !NOT_CONTENT.includes(key)));

/**
 * What an application (a 変更 above all) would change in its body's published master data: the
 * reviewers' view of the difference against the version current today, field by field.
 */
@ApiTags('master-data')
@ApiBearerAuth()
@Controller('applications')
export class MasterDataDiffController {
  constructor(
    @Inject(WORKFLOW_ENGINE) private readonly engine: WorkflowEngine,
    @Inject(READ_MODEL_QUERIES) private readonly queries: ReadModelQueries,
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get(':id/master-data-diff')
  @ApiOperation({ summary: "Field-by-field difference between the body's current master data and what this application registers" })
  async diff(@Param('id') id: string, @CurrentActor() actor: Actor) {
    const { folded } = await this.engine.current(id);
    this.engine.assertReadable(folded, actor);
    if (folded.definition.name !== CONNECTION_APPLICATION) {
      throw new NotFoundException({ ja: 'この申請はマスタデータを登録しません。', en: 'this workflow does not register master data' });
    }
    const ctx = folded.snapshot.context as ConnectionApplicationContext;
    await this.projections.waitFor(await this.store.headPosition());
    const baseline = this.queries.masterDataVersions(ctx.organization.code).filter((v) => v.applicationId !== id).at(-1);
    const proposed = contentOnly(masterDataContent(ctx));
    const current = baseline ? contentOnly(baseline.content as JsonObject) : undefined;
    return {
      organizationCode: ctx.organization.code,
      againstVersion: baseline?.version ?? null,
      changes: diffJson(current, proposed),
    };
  }
}

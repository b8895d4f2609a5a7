import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { APPLICATION_ID } from '../http/application-id.pipe';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { diffJson } from '@nws/audit';
import type { Actor, JsonObject, WorkflowEngine } from '@nws/engine';
import type { EventStore } from '@nws/event-store';
import type { ProjectionRunner, ReadModelQueries } from '@nws/read-models';
import {
  CONNECTION_APPLICATION,
  SIDE_LABEL,
  counterpartCodes,
  delegationEntriesOf,
  delegationOutcome,
  filingOfVersion,
  masterDataContent,
  masterDataStream,
  matchedWith,
  organizationName,
  readCounterpartFilings,
  settleProvidedInformation,
  type ConnectionApplicationContext,
} from '@nws/workflows/connection-application';
import { CurrentActor } from '../auth/current-actor.decorator';
import { EVENT_STORE, PROJECTION_RUNNER, READ_MODEL_QUERIES, WORKFLOW_ENGINE } from '../infrastructure/tokens';
import { MasterDataDiffDto } from './master-data-diff.dto';
import { refuseWhileErasing, refuseWhileParked, refuseWhileRebuilding } from '../http/read-model-freshness';
import { PersonalDataService } from '../personal-data/personal-data.service';
import type { FastifyReply } from 'fastify';

/** Bookkeeping of a version, not its content: left out of the comparison. */
const NOT_CONTENT = ['applicationNumber', 'category'];
const contentOnly = (content: JsonObject): JsonObject => Object.fromEntries(Object.entries(content).filter(([key]) => !NOT_CONTENT.includes(key)));

/**
 * What an application (a 変更 above all) would change in its body's published master data: the
 * reviewers' view of the difference against the version current today, field by field (once it
 * registered a version: what that version changed from the one before), and the
 * 委任・受任の突合 of its 様03-08 against the other bodies' current master data (read from their
 * master-data streams, as the registrar reads them): `delegations.unmatched` are the rows that stay
 * out of the master data until the other side's application is approved.
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
    private readonly personalData: PersonalDataService,
  ) {}

  @Get(':id/master-data-diff')
  @ApiOperation({ summary: "Field-by-field difference between the body's current master data and what this application registers (once registered: its version against the one before it)" })
  @ApiOkResponse({ type: MasterDataDiffDto, description: 'the difference, and the 委任・受任の突合 of its 様03-08' })
  async diff(@Param('id', APPLICATION_ID) id: string, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: FastifyReply) {
    const { folded } = await this.engine.current(id);
    this.engine.assertReadable(folded, actor);
    if (folded.definition.name !== CONNECTION_APPLICATION) {
      throw new NotFoundException({ ja: 'この申請はマスタデータを登録しません。', en: 'this workflow does not register master data' });
    }
    const ctx = folded.snapshot.context as ConnectionApplicationContext;
    // Not degraded to a stale answer as the lists are: the diff reads the store itself (the
    // application above, the counterparts' master data below), so an outage is a 503 here anyway.
    await this.projections.waitFor(await this.store.headPosition());
    refuseWhileRebuilding(this.projections, 'master-data', { ja: 'マスタデータ', en: 'master data' }, res);
    refuseWhileErasing(this.personalData, { ja: 'マスタデータ', en: 'master data' }, res);
    // Its baseline is the organ's version list: not whole while one of its versions is parked.
    refuseWhileParked(this.projections, 'master-data', masterDataStream(ctx.organization.code, ctx.organization.kind), { ja: 'マスタデータ', en: 'master data' }, res);
    // Its own organ's versions (a 首長部局 and its 教育委員会 share a code, not master data). Before
    // its registration the application is compared with the version current today; once it has
    // registered one, that version is compared with the one it replaced, not with later ones.
    const versions = this.queries.masterDataVersions(ctx.organization.code, ctx.organization.kind);
    const registered = versions.find((v) => v.applicationId === id);
    const baseline = registered ? versions.filter((v) => v.version < registered.version).at(-1) : versions.at(-1);
    const self = { code: ctx.organization.code, kind: ctx.organization.kind };
    const previous = baseline ? filingOfVersion({ ...(baseline as unknown as JsonObject), pendingDelegations: baseline.pendingDelegations as unknown as JsonObject[] }) : null;
    const form0308 = ctx.forms['03-08']?.data;
    const codes = counterpartCodes(form0308 ? delegationEntriesOf(form0308, self.code) : (previous?.entries ?? []));
    const { filings } = await readCounterpartFilings(this.store, codes);
    const outcome = delegationOutcome(self, form0308, previous, filings);
    // As the registrar would register it: a provided row whose delegation waits for its other side is withheld.
    const proposed = contentOnly(
      registered
        ? (registered.content as JsonObject)
        : settleProvidedInformation(masterDataContent(ctx, { base: baseline?.content as JsonObject | undefined, delegations: outcome.registered }), undefined, outcome.registered, outcome.pending, ctx.organization).content,
    );
    const current = baseline ? contentOnly(baseline.content as JsonObject) : undefined;
    return {
      organizationCode: ctx.organization.code,
      organizationKind: ctx.organization.kind,
      againstVersion: baseline?.version ?? null,
      registeredVersion: registered?.version ?? null,
      changes: diffJson(current, proposed),
      delegations: {
        label: '委任・受任の突合',
        matched: outcome.filed
          .filter((e) => e.status === 'registered')
          .map(({ status: _status, ...e }) => {
            const other = matchedWith(e, self, filings.filings);
            return {
              ...e,
              label: SIDE_LABEL[e.kind][e.side],
              statusLabel: other ? '突合済み' : '受任のみで登録（情報照会）',
              matchedWith: other
                ? {
                    organizationCode: other.organizationCode,
                    organizationKind: other.organizationKind,
                    organizationName: organizationName(other.organizationCode),
                    version: other.version,
                    applicationId: other.applicationId,
                    applicationNumber: other.applicationNumber,
                  }
                : null,
            };
          }),
        unmatched: outcome.pending.map((e) => ({ ...e, label: SIDE_LABEL[e.kind][e.side], statusLabel: '突合待ち' })),
      },
    };
  }
}

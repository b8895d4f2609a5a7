import { ConflictException, Controller, Get, Inject, NotAcceptableException, NotFoundException, Optional, Param, Query, Req, Res } from '@nestjs/common';
import { APPLICATION_ID } from '../http/application-id.pipe';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import accepts from 'accepts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RoundDiffError, applicationPath, diffRounds, finalStatesOf, pathToMermaid, roundSnapshots, verifyStream, type PathStep } from '@nws/audit';
import type { EncryptingEventStore, SqliteAccessLog } from '@nws/personal-data';
import { applicationStream, type Actor, type WorkflowEngine } from '@nws/engine';
import type { EventStore } from '@nws/event-store';
import { CurrentActor } from '../auth/current-actor.decorator';
import { CLOCK, EVENT_STORE, WORKFLOW_ENGINE, type Clock } from '../infrastructure/tokens';
import type { DisclosingRequest } from '../personal-data/access-purpose.guard';
import { WITHHELD_HEADER } from '../personal-data/access-entries';
import { ACCESS_LOG, PERSONAL_DATA_STORE } from '../personal-data/personal-data.tokens';
import { disclose, type DisclosureDeps } from '../personal-data/response-disclosure.hook';
import { PathQueryDto, RoundDiffQueryDto } from './audit-query.dto';
import { ApplicationPathDto, ApplicationVerificationDto, RoundDiffDto } from './audit-view.dto';
import { SealerHost } from './sealer.host';
import { loadReadable } from '../applications/readable-past';

export const NO_SVG = {
  ja: '(format): SVG はサーバーで描画していません（保守されている描画エンジンが導入されていません）。Mermaid テキスト（format=mermaid）を Mermaid 対応のビューアで表示してください。',
  en: '(format): SVG is not rendered server-side (no maintained renderer is installed); ask for the Mermaid text (format=mermaid) and render it with any Mermaid viewer',
};

/** An Accept naming neither type served: said as such (every 406 said "SVG is not rendered", asked for SVG or not). */
const NOT_SERVED = (accept: string) => ({
  ja: `(Accept): 「${accept}」には応答できません。application/json（JSON）か text/plain（Mermaid テキスト）を指定してください。`,
  en: `(Accept): "${accept}" names no type this answer comes in: ask for application/json (JSON) or text/plain (the Mermaid text)`,
});

/** Mermaid as `text/plain` when asked for (query, or Accept), otherwise JSON; SVG is refused with the reason. */
export function wantsMermaid(req: FastifyRequest, format: string | undefined, preferText: boolean): boolean {
  const best = accepts(req.raw).type(preferText ? ['text/plain', 'application/json'] : ['application/json', 'text/plain']);
  if (format === 'svg') throw new NotAcceptableException(NO_SVG);
  if (format === undefined && best === false) throw new NotAcceptableException(/image\/svg/i.test(req.headers.accept ?? '') ? NO_SVG : NOT_SERVED(req.headers.accept ?? ''));
  return format !== undefined ? format === 'mermaid' : best === 'text/plain';
}

/**
 * What auditors (and anyone who may read the application) ask of its history: is the chain
 * intact, what changed between rounds, which states it went through. Read-only.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('applications')
export class AuditController {
  constructor(
    @Inject(WORKFLOW_ENGINE) private readonly engine: WorkflowEngine,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA_STORE) personalData: EncryptingEventStore,
    @Inject(ACCESS_LOG) accessLog: SqliteAccessLog,
    @Inject(CLOCK) clock: Clock,
    // Absent in API replicas (PROCESS_ROLE=api): the worker seals.
    @Optional() private readonly sealerHost?: SealerHost,
  ) {
    this.disclosure = { store: personalData, accessLog, clock };
  }

  private readonly disclosure: DisclosureDeps;

  @Get(':id/verify')
  @ApiOperation({ summary: "Verify the application's hash chain: the first broken link with stream, revision, position, expected and found hash; and the newest store seal" })
  @ApiOkResponse({ type: ApplicationVerificationDto, description: 'the verification (a broken chain is a 200 with `valid: false`)' })
  async verify(@Param('id', APPLICATION_ID) id: string, @CurrentActor() actor: Actor) {
    const { folded } = await this.engine.load(id);
    this.engine.assertReadable(folded, actor);
    const result = await verifyStream(this.store, applicationStream(id));
    return { applicationId: id, ...result, firstProblem: result.problems[0] ?? null, sealer: this.sealerHost?.sealer.status.state ?? 'in-another-process' };
  }

  @Get(':id/diff')
  @ApiOperation({ summary: 'What the applicant changed between two rounds, form by form and field by field (default: the last rejected round vs the resubmission)' })
  @ApiOkResponse({ type: RoundDiffDto, description: 'the two rounds and what differs between them' })
  async diff(@Param('id', APPLICATION_ID) id: string, @Query() query: RoundDiffQueryDto, @CurrentActor() actor: Actor) {
    const { folded, events } = await this.engine.load(id);
    this.engine.assertReadable(folded, actor);
    try {
      const rounds = roundSnapshots(folded.definition, id, events);
      // The body whose forms they are: its people's values are no disclosure to it, and are logged under it for anyone else.
      const { organization } = folded.snapshot.context as { organization: { code: string; kind: string } };
      const diff = diffRounds(rounds, { ...(query.from !== undefined ? { from: query.from } : {}), ...(query.to !== undefined ? { to: query.to } : {}) });
      return { applicationId: id, organizationCode: organization.code, organizationKind: organization.kind, ...diff };
    } catch (error) {
      if (!(error instanceof RoundDiffError)) throw error;
      throw error.reason === 'unknown-round' ? new NotFoundException(error.detail) : new ConflictException(error.detail);
    }
  }

  @Get(':id/path')
  @ApiProduces('application/json', 'text/plain')
  @ApiOperation({ summary: 'The states the application went through, with times and actors: JSON with Mermaid, or Mermaid text (Accept: text/plain or ?format=mermaid)' })
  // One schema per media type: `type` would give the text the JSON body's schema.
  @ApiExtraModels(ApplicationPathDto)
  @ApiOkResponse({
    description: 'the path as JSON (default), or as Mermaid text (Accept: text/plain or ?format=mermaid)',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ApplicationPathDto) } },
      'text/plain': { schema: { type: 'string', description: 'a Mermaid stateDiagram-v2' } },
    },
  })
  async path(@Param('id', APPLICATION_ID) id: string, @Query() query: PathQueryDto, @CurrentActor() actor: Actor, @Req() req: DisclosingRequest, @Res({ passthrough: true }) res: FastifyReply) {
    const text = wantsMermaid(req, query.format, false);
    const { folded, events } = await loadReadable(this.engine, id, query, actor);
    // The diagram names the people of the steps: drawn from the steps as this reader may see
    // them, once logged, for the text answer too (no hook redacts or logs a string).
    const { body, withheld } = await disclose({ steps: applicationPath(events) }, this.disclosure, req, actor, { publishedView: false, applicationId: id });
    if (withheld > 0) void res.header(WITHHELD_HEADER, String(withheld));
    const { steps } = body as { steps: PathStep[] };
    const mermaid = pathToMermaid(steps, { title: `${folded.definition.name} ${id}`, finalStates: finalStatesOf(folded.definition.machine) });
    if (text) {
      void res.type('text/plain; charset=utf-8');
      return mermaid;
    }
    return { applicationId: id, workflow: folded.definition.name, machineVersion: folded.definition.machineVersion, state: folded.state, revision: folded.revision, steps, mermaid };
  }
}

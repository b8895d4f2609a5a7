import { Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, Put, Query, Res } from '@nestjs/common';
import { APPLICATION_ID } from '../http/application-id.pipe';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UnknownActionError, ValidationFailedError, type Actor, type JsonObject, type WorkflowEngine } from '@nws/engine';
import type { EventStore } from '@nws/event-store';
import type { ProjectionRunner, ReadModelQueries } from '@nws/read-models';
import { listScope, narrowScope } from '@nws/workflows';
import { CurrentActor } from '../auth/current-actor.decorator';
import { Headers, commandMetadata, type CommandHeaders } from '../http/command-headers';
import { pageOf } from '../http/page-query.dto';
import { decodeCursor, encodeCursor } from '../http/page-cursor';
import { STALE_HEADER_DOC, caughtUpOrMarkedStale } from '../http/read-model-freshness';
import { CLOCK, EVENT_STORE, PROJECTION_RUNNER, READ_MODEL_QUERIES, WORKFLOW_ENGINE, type Clock } from '../infrastructure/tokens';
import { ActionBodyDto } from './action-body.dto';
import { ApplicationQueryDto, ListQueryDto } from './application-query.dto';
import { ApplicationHistoryDto, ApplicationRowDto, ApplicationViewDto, SavedFormDto } from './application-view.dto';
import { historyEntry } from './history-entry';
import { loadReadable } from './readable-past';

const IDEMPOTENCY_KEY = ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a repeated key returns the first result and records nothing' });
const COMMAND_HEADERS = [ApiHeader({ name: 'If-Match', required: false, description: 'revision from ETag: the command fails with 412 if the application moved on' }), IDEMPOTENCY_KEY];
const ETAG = { ETag: { description: 'the revision, for If-Match', schema: { type: 'string', example: '"3"' } } };
const VIEW = ApiOkResponse({ type: ApplicationViewDto, description: 'the application as the caller may read it now', headers: ETAG });
const applyAll = (decorators: MethodDecorator[]): MethodDecorator => (target, key, descriptor) => {
  for (const decorator of decorators) decorator(target, key, descriptor);
};

/** Thin: request in, command to the engine, view out; errors are mapped by DomainExceptionFilter. */
@ApiTags('applications')
@ApiBearerAuth()
@ApiExtraModels(SavedFormDto)
@Controller('applications')
export class ApplicationsController {
  constructor(
    @Inject(WORKFLOW_ENGINE) private readonly engine: WorkflowEngine,
    @Inject(READ_MODEL_QUERIES) private readonly queries: ReadModelQueries,
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an application (draft)' })
  @ApiCreatedResponse({ type: ApplicationViewDto, description: 'the draft', headers: { ...ETAG, Location: { description: '/applications/{id}', schema: { type: 'string' } } } })
  @ApiBody({ schema: { type: 'object', required: ['workflow'], properties: { workflow: { type: 'string', example: 'connection-application' }, organizationCode: { type: 'string', example: '132012' }, category: { type: 'string', example: '登録' } } } })
  // No If-Match: a new application has no revision to match (sent, it is a 400, never a 412).
  @IDEMPOTENCY_KEY
  async create(@Body() body: JsonObject, @CurrentActor() actor: Actor, @Headers() headers: CommandHeaders, @Res({ passthrough: true }) res: FastifyReply) {
    const { workflow, ...input } = body ?? {};
    if (typeof workflow !== 'string' || workflow === '') {
      throw new ValidationFailedError([
        { field: 'workflow', rule: 'isNotEmpty', message: { ja: `workflow: 必須です（${this.engine.workflows.names().join(', ')}）。`, en: `workflow: is required (${this.engine.workflows.names().join(', ')})` } },
      ]);
    }
    // A new application has no revision to match: a client that sends one expects a check that cannot be made.
    if (headers.expectedRevision !== undefined) {
      throw new ValidationFailedError([
        { field: 'If-Match', rule: 'noRevisionYet', message: { ja: 'If-Match: 作成する申請にはまだ改訂番号がありません（既存の申請への操作で指定してください）。', en: 'If-Match: an application being created has no revision yet (send it with commands on an existing application)' } },
      ]);
    }
    const view = await this.engine.create(workflow, input, commandMetadata(actor, headers, this.clock(), `applications/${workflow}`));
    res.header('ETag', `"${view.revision}"`);
    res.header('Location', `/applications/${view.id}`);
    return view;
  }

  @Get()
  @ApiOperation({ summary: 'Applications the caller may see (read model), newest first; X-Total-Count says how many match in all, X-Read-Model-Stale that the page may be stale' })
  @ApiOkResponse({
    type: [ApplicationRowDto],
    description: 'one page of rows',
    headers: {
      'X-Total-Count': { description: 'how many applications match in all (every page)', schema: { type: 'integer', minimum: 0 } },
      'X-Next-Cursor': { description: 'after a full page: `?cursor=` for the next one, which neither skips nor repeats a row while applications change (absent on the last page)', schema: { type: 'string' } },
      ...STALE_HEADER_DOC,
    },
  })
  async list(@CurrentActor() actor: Actor, @Query() query: ListQueryDto, @Res({ passthrough: true }) res: FastifyReply) {
    await caughtUpOrMarkedStale(this.store, this.projections, res);
    const scope = listScope(actor);
    const after = decodeCursor(query.cursor, query.offset);
    const filter = {
      ...(query.organizationCode !== undefined ? { organizationCode: query.organizationCode } : {}),
      ...(query.organizationKind !== undefined ? { organizationKind: query.organizationKind } : {}),
      ...(query.workflow !== undefined ? { workflow: query.workflow } : {}),
      ...(query.category !== undefined ? { category: query.category } : {}),
      ...(query.state !== undefined ? { states: query.state } : {}),
      ...(query.applicationNumber !== undefined ? { applicationNumber: query.applicationNumber } : {}),
    };
    const narrowed = scope && narrowScope(scope, filter);
    res.header('X-Total-Count', String(narrowed ? this.queries.countApplications(narrowed) : 0));
    const page = pageOf(query);
    const rows = narrowed ? this.queries.applications({ ...narrowed, ...page, ...(after ? { after: { createdAt: after.at, id: after.id } } : {}) }) : [];
    // A full page may have more after it: where it ended, for the next one (?cursor=).
    const last = rows.length === page.limit ? rows.at(-1) : undefined;
    if (last) res.header('X-Next-Cursor', encodeCursor({ at: last.createdAt, id: last.id }));
    return rows;
  }

  @Get(':id')
  @ApiOperation({
    summary: 'The application now, or as of a revision or a time, with the actions the caller may take',
    description: 'Forms read as people read them: phone numbers with their hyphens (042-620-7200, 090-1234-5678). The events hold digits (see /history); a form sent back as shown stores the same digits.',
  })
  @VIEW
  async get(@Param('id', APPLICATION_ID) id: string, @Query() query: ApplicationQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: FastifyReply) {
    const timeTravel = query.asOfRevision !== undefined || query.asOf !== undefined;
    if (!timeTravel) {
      const { folded } = await this.engine.current(id);
      this.engine.assertReadable(folded, actor);
      res.header('ETag', `"${folded.revision}"`);
      return this.engine.view(folded, actor);
    }
    const { folded, events } = await loadReadable(this.engine, id, query, actor);
    res.header('ETag', `"${folded.revision}"`);
    // Other streams (the body's master data) as they were then: at the instant asked for, or just
    // after the revision asked for, as the answer of that time saw them.
    return this.engine.view(folded, actor, {
      ...(query.asOfRevision !== undefined ? { position: events.at(-1)!.position } : {}),
      ...(query.asOf !== undefined ? { time: query.asOf } : {}),
    });
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of the application, with actor, time and machine version' })
  @ApiOkResponse({ type: ApplicationHistoryDto })
  async history(@Param('id', APPLICATION_ID) id: string, @CurrentActor() actor: Actor) {
    const { folded, events } = await this.engine.load(id);
    this.engine.assertReadable(folded, actor);
    return { id, workflow: folded.definition.name, state: folded.state, revision: folded.revision, events: events.map(historyEntry) };
  }

  @Put(':id/forms/:formCode')
  @ApiOperation({ summary: 'Save a form (申請様式) while the application is a draft', description: 'Phone numbers are accepted with or without hyphens (full-width digits too) and stored as digits.' })
  @ApiBody({ schema: { type: 'object', description: 'the form; see GET /workflows/{workflow} for its JSON Schema and example' } })
  @applyAll(COMMAND_HEADERS)
  @VIEW
  async saveForm(
    @Param('id', APPLICATION_ID) id: string,
    @Param('formCode') formCode: string,
    @Body() form: JsonObject,
    @CurrentActor() actor: Actor,
    @Headers() headers: CommandHeaders,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const view = await this.engine.execute(id, 'save-form', { formCode, form }, commandMetadata(actor, headers, this.clock(), id), {
      expectedRevision: headers.expectedRevision,
      internal: true,
    });
    res.header('ETag', `"${view.revision}"`);
    return view;
  }

  @Delete(':id/forms/:formCode')
  @ApiOperation({
    summary: 'Take a saved form out of the draft',
    description: 'e.g. a 様03-08 once the body has no delegation, a 様03-06 saved into a 変更: forms the submission would refuse. What the form said stays in the history.',
  })
  @applyAll(COMMAND_HEADERS)
  @VIEW
  async removeForm(@Param('id', APPLICATION_ID) id: string, @Param('formCode') formCode: string, @CurrentActor() actor: Actor, @Headers() headers: CommandHeaders, @Res({ passthrough: true }) res: FastifyReply) {
    const view = await notAnInternalCommand(this.engine.execute(id, 'remove-form', { formCode }, commandMetadata(actor, headers, this.clock(), id), { expectedRevision: headers.expectedRevision, internal: true }), {
      ja: `申請 ${id} の様式は削除できません（保存し直して置き換えます。削除は接続申請のみ）。`,
      en: `the forms of application ${id} are not removed (save one again to replace it; connection applications only)`,
    });
    res.header('ETag', `"${view.revision}"`);
    return view;
  }

  @Post(':id/selection')
  @HttpCode(200)
  @ApiOperation({ summary: "申請前情報選択: generate 様03-07 (03-08/03-09 when needed) from the applicant's choices into the draft, in one append, with 様03-06's checklist brought in line" })
  @ApiBody({ schema: { type: 'object', description: 'the choices of POST /reference/beppyo2/forms without body and applicationDate (they come from the application), plus extraChoices; JSON Schema and example: GET /workflows/connection-application, `selection`' } })
  @applyAll(COMMAND_HEADERS)
  @VIEW
  async generateSelectionForms(@Param('id', APPLICATION_ID) id: string, @Body() choices: JsonObject, @CurrentActor() actor: Actor, @Headers() headers: CommandHeaders, @Res({ passthrough: true }) res: FastifyReply) {
    const view = await notAnInternalCommand(this.engine.execute(id, 'generate-selection-forms', choices, commandMetadata(actor, headers, this.clock(), id), { expectedRevision: headers.expectedRevision, internal: true }), {
      ja: `申請 ${id} には申請前情報選択がありません（接続申請のみ）。`,
      en: `application ${id} has no selection screen (connection applications only)`,
    });
    res.header('ETag', `"${view.revision}"`);
    return view;
  }

  @Post(':id/actions/:action')
  @HttpCode(200)
  @ApiOperation({ summary: 'submit | approve | reject | revise | withdraw | confirm-distribution' })
  @applyAll(COMMAND_HEADERS)
  @VIEW
  async act(
    @Param('id', APPLICATION_ID) id: string,
    @Param('action') action: string,
    @Body() body: ActionBodyDto,
    @CurrentActor() actor: Actor,
    @Headers() headers: CommandHeaders,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const payload: JsonObject = body.comment !== undefined ? { comment: body.comment } : {};
    const view = await this.engine.execute(id, action, payload, commandMetadata(actor, headers, this.clock(), id), { expectedRevision: headers.expectedRevision });
    res.header('ETag', `"${view.revision}"`);
    return view;
  }
}

/** A route another workflow does not offer, said as what the caller asked for: a 404, not the name of an internal command it never sent. */
async function notAnInternalCommand<T>(work: Promise<T>, message: { ja: string; en: string }): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof UnknownActionError) throw new NotFoundException(message);
    throw error;
  }
}

import { Controller, Get, Inject, NotFoundException, Param, Query, Res, ServiceUnavailableException, type PipeTransform } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ValidationFailedError, type Actor } from '@nws/engine';
import { defaultOrganFor, firstReviewerFor, organOf, reviewingBodyOf, secondReviewerFor } from '@nws/workflows/shared/organizations';
import { masterDataStream } from '@nws/workflows/connection-application';
import { CurrentActor } from '../auth/current-actor.decorator';
import type { EventStore } from '@nws/event-store';
import { hasValidCheckDigit } from '@nws/reference-catalog';
import type { ProjectionRunner, ReadModelQueries } from '@nws/read-models';
import { STALE_HEADER_DOC, caughtUpOrMarkedStale, refuseWhileErasing, refuseWhileParked, refuseWhileRebuilding } from '../http/read-model-freshness';
import { EVENT_STORE, PROJECTION_RUNNER, READ_MODEL_QUERIES } from '../infrastructure/tokens';
import { MasterDataOrganQueryDto } from './master-data-query.dto';
import { PersonalDataService } from '../personal-data/personal-data.service';
import { MasterDataView } from './master-data.view';
import { CurrentMasterDataDto, MasterDataVersionDto, MasterDataVersionSummaryDto } from './master-data-view.dto';

const CODE = { name: 'code', description: '全国地方公共団体コード (6 digits), or a 一部事務組合・広域連合 code' };
/** `:version` as a number, refused by name in both languages (Nest's own says "numeric string is expected" in English only). */
/**
 * `:version` as written: digits only, from 1 (ParseIntPipe took `1.0`, `1e0`, `0x1` and ` 1` as
 * version 1, and `0`, `-1` and 10^20 as versions to look for). The parameter is declared a string:
 * the global pipe converts a `number` parameter itself (Number('1.0') is 1) before this one sees it.
 */
const VERSION: PipeTransform<string, string> = {
  transform: (value: string) => {
    if (/^[1-9]\d{0,8}$/.test(value)) return value;
    throw new ValidationFailedError([{ field: 'version', rule: 'isInt', message: { ja: 'version: 版番号は 1 以上の整数で指定してください。', en: 'version: must be a version number, an integer from 1' } }]);
  },
};

/**
 * `:code` refused by name when it cannot be a body's code: a mistyped code (a wrong check digit) is
 * not "no master data registered", and not a 一部事務組合 either.
 */
const BODY_CODE: PipeTransform<string, string> = {
  transform: (value: string) => {
    if (hasValidCheckDigit(value)) return value;
    throw new ValidationFailedError([
      {
        field: 'code',
        rule: 'localGovernmentCode',
        message: { ja: `code: 「${value}」は検査数字の正しい6桁の全国地方公共団体コードではありません。`, en: `code: "${value}" is not a 6-digit local government code with a correct check digit` },
      },
    ]);
  },
};
/** Retry-After is given for each: a store outage or a read model behind it or refilled (seconds), a parked version (an operator's replay). */
const NOT_WHOLE = {
  description:
    "the answer could be incomplete, so none is given (Retry-After): the event store is unavailable; the master data read model is behind the store (a version it has not reached), or an erasure it has passed is being applied to it, or it is refilled after one; or it parked a version of this organ (an operator replays it, `/projections/parked`)",
};
const BAD_ORGAN = { description: '`code` is not a 6-digit code with a right check digit, or `organ` is not an organ (機関種類): the violation names the field, in Japanese and English' };

/**
 * The published master data (本番用マスタデータ) of each body: never holds emergency contacts. A body
 * is an organ (機関): organs of one local government share its code, each with its own versions;
 * `?organ=` chooses one, the code's default organ otherwise.
 */
@ApiTags('master-data')
@ApiBearerAuth()
@Controller('master-data/organizations')
export class MasterDataController {
  private readonly view: MasterDataView;

  constructor(
    @Inject(READ_MODEL_QUERIES) queries: ReadModelQueries,
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly personalData: PersonalDataService,
  ) {
    this.view = new MasterDataView(queries);
  }

  /**
   * Read-your-writes, or stale; never from tables a rebuild is refilling. A version the read model
   * has not reached is not "not registered": behind the store (catching up from zero after a
   * schema change, a new replica or worker, an outage), a 404 is a 503 — the reference distributor
   * parks an erasure's notice on a 404 and keeps the person in its files. So is an organ whose
   * versions the projection parked: `whole` says whether a version found is answered anyway (one
   * before the parked one is whole; "the current one" or the list is not).
   */
  private async readable<T>(res: FastifyReply, organ: { code: string; organ: string | undefined }, whole: 'found' | 'organ', read: () => T): Promise<T> {
    refuseWhileRebuilding(this.projections, 'master-data', MASTER_DATA, res);
    const caughtUp = await caughtUpOrMarkedStale(this.store, this.projections, res);
    refuseWhileRebuilding(this.projections, 'master-data', MASTER_DATA, res);
    refuseWhileErasing(this.personalData, MASTER_DATA, res);
    const stream = masterDataStream(organ.code, organ.organ ?? defaultOrganFor(organ.code));
    if (whole === 'organ') refuseWhileParked(this.projections, 'master-data', stream, MASTER_DATA, res);
    try {
      return read();
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
      // A version not found may be one the projection parked ('organ' answers were asked before reading).
      if (whole === 'found') refuseWhileParked(this.projections, 'master-data', stream, MASTER_DATA, res);
      if (caughtUp) throw error;
      void res.header('Retry-After', '2');
      throw new ServiceUnavailableException({
        ja: 'マスタデータの読み取りモデルがイベントストアに追いついていないため、この版の有無はまだ分かりません。2秒後に再実行してください。',
        en: 'the master data read model has not caught up with the event store, so whether this version exists is not known yet; retry in 2 s',
      });
    }
  }

  @Get(':code')
  @ApiOperation({
    summary: 'Current published master data of a body (an organ of the code)',
    description: "`organs` lists the organs of the code that have master data, each with its current version and whether it is the code's default organ.",
  })
  @ApiParam(CODE)
  @ApiOkResponse({ type: CurrentMasterDataDto, description: 'the current version, with the organs of the code that have master data', headers: STALE_HEADER_DOC })
  @ApiBadRequestResponse(BAD_ORGAN)
  @ApiNotFoundResponse({ description: 'that organ of the code has no master data (the message names the organs that have)' })
  @ApiServiceUnavailableResponse(NOT_WHOLE)
  async current(@Param('code', BODY_CODE) code: string, @Query() query: MasterDataOrganQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: FastifyReply) {
    return withPendingFor(actor, await this.readable(res, { code, organ: query.organ }, 'organ', () => this.view.current(code, query.organ)));
  }

  @Get(':code/versions')
  @ApiOperation({ summary: 'Every registered version of a body (an organ of the code), without content' })
  @ApiParam(CODE)
  @ApiOkResponse({
    type: [MasterDataVersionSummaryDto],
    description: "the organ's versions, oldest first, without content (an empty list for a code without master data when `organ` is not given)",
    headers: STALE_HEADER_DOC,
  })
  @ApiBadRequestResponse(BAD_ORGAN)
  @ApiNotFoundResponse({ description: '`organ` given and that organ of the code has no master data' })
  @ApiServiceUnavailableResponse(NOT_WHOLE)
  async versions(@Param('code', BODY_CODE) code: string, @Query() query: MasterDataOrganQueryDto, @Res({ passthrough: true }) res: FastifyReply) {
    return this.readable(res, { code, organ: query.organ }, 'organ', () => this.view.versions(code, query.organ));
  }

  @Get(':code/versions/:version')
  @ApiOperation({ summary: 'One version of a body (an organ of the code)' })
  @ApiParam(CODE)
  @ApiOkResponse({ type: MasterDataVersionDto, description: 'that version of the organ, with content', headers: STALE_HEADER_DOC })
  @ApiBadRequestResponse(BAD_ORGAN)
  @ApiNotFoundResponse({ description: 'no such version of that organ' })
  @ApiServiceUnavailableResponse(NOT_WHOLE)
  async version(
    @Param('code', BODY_CODE) code: string,
    @Param('version', VERSION) version: string,
    @Query() query: MasterDataOrganQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return withPendingFor(actor, await this.readable(res, { code, organ: query.organ }, 'found', () => this.view.version(code, query.organ, Number(version))));
  }
}

const MASTER_DATA = { ja: 'マスタデータ', en: 'master data' } as const;

/**
 * 委任・受任 held for their other side (突合待ち) are not content and not published: the body itself,
 * its reviewers and auditors see them; other bodies, other bodies' reviewers and distributors get the
 * version without them.
 */
function withPendingFor<T extends { readonly organizationCode: string; readonly organizationKind: string; readonly pendingDelegations?: unknown }>(actor: Actor, version: T): T | Omit<T, 'pendingDelegations'> {
  const ownBody = actor.role === 'applicant' && actor.org === version.organizationCode && organOf(actor) === version.organizationKind;
  // Its reviewers: those its applications are routed to (its prefecture or J-LIS, and MIC), not every reviewing body.
  const routedTo = actor.role === 'first-reviewer' ? firstReviewerFor({ code: version.organizationCode, kind: version.organizationKind, name: '', prefectureCode: '' }) : actor.role === 'second-reviewer' ? secondReviewerFor() : undefined;
  const reviewer = routedTo !== undefined && reviewingBodyOf(actor) === routedTo;
  if (ownBody || reviewer || actor.role === 'auditor') return version;
  const { pendingDelegations: _withheld, ...published } = version;
  return published;
}

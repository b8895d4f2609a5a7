import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '@nws/engine';
import type { DisclosedValue } from '@nws/personal-data';
import { CurrentActor } from '../auth/current-actor.decorator';
import { organOf, organOrDefault } from '@nws/workflows/shared/organizations';
import { CLOCK, type Clock } from '../infrastructure/tokens';
import { statedPurpose } from './access-purpose';
import { AccessLogQueryDto, ErasureRequestDto, ResumptionRequestDto, SubjectListQueryDto, SuspensionRequestDto } from './personal-data.dto';
import { accessEntries, routeOf } from './access-entries';
import { PersonalDataService } from './personal-data.service';
import { AccessLogPageDto, DataSubjectDto, DataSubjectListDto, ErasureResultDto, SubjectDisclosureDto } from './personal-data-view.dto';

/**
 * 個人情報の開示等 by data subject (a person of a body, `ps-…`): list a body's subjects, disclose
 * everything held about one, erase (消去), suspend or resume use (利用停止), and the access log.
 * Correction (訂正・追加・削除 of a value) goes through a change application (申請区分 変更).
 */
@ApiTags('personal-data')
@ApiBearerAuth()
@Controller('personal-data')
export class PersonalDataController {
  constructor(
    private readonly service: PersonalDataService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('subjects')
  @ApiOperation({ summary: 'The data subjects of a body (applicants of the body, MIC second-reviewers)' })
  @ApiOkResponse({ type: DataSubjectListDto, description: 'the body and its data subjects, erased ones included' })
  async subjects(@Query() query: SubjectListQueryDto, @CurrentActor() actor: Actor, @Req() request: FastifyRequest) {
    const listed = await this.service.subjects(actor, query.organizationCode ?? actor.org, query.organ);
    const { organizationCode, organizationKind } = listed;
    if (!isOwnBody(actor, organizationCode, organizationKind)) {
      const disclosed = listed.subjects.filter((s) => s.label !== null).map((s) => ({ organizationCode, organizationKind, applicationId: null, subjectId: s.subjectId, field: 'subjects[].label' }));
      await this.log(disclosed, actor, request);
    }
    return listed;
  }

  @Get('subjects/:subjectId')
  @ApiHeader({ name: 'X-Access-Purpose', required: false, description: 'why (default for MIC: disclosure-request)' })
  @ApiOperation({ summary: '開示: everything held about one subject, the purposes of use and every place it appears' })
  @ApiOkResponse({ type: SubjectDisclosureDto, description: 'the disclosure: the subject, purposes, places, derived copies, requests and reads' })
  async disclose(@Param('subjectId') subjectId: string, @CurrentActor() actor: Actor, @Req() request: FastifyRequest) {
    statedPurpose(request.headers, actor);
    const disclosure = await this.service.disclose(actor, subjectId);
    const { organizationCode, organizationKind } = disclosure.subject;
    if (!isOwnBody(actor, organizationCode, organizationKind)) {
      const at = (place: (typeof disclosure.places)[number]) => `${place.streamId}#${place.revision}:${place.field}`;
      await this.log(disclosure.places.map((place) => ({ organizationCode, organizationKind, applicationId: place.applicationId, subjectId, field: at(place) })), actor, request);
    }
    return disclosure;
  }

  @Post('subjects/:subjectId/erasure')
  @HttpCode(200)
  @ApiOperation({ summary: '消去: destroys the subject’s key; every read then shows ［消去済み］, the chain still verifies' })
  @ApiOkResponse({ type: ErasureResultDto, description: 'erased (or erased before: `alreadyErased`)' })
  erase(@Param('subjectId') subjectId: string, @Body() body: ErasureRequestDto, @CurrentActor() actor: Actor) {
    return this.service.erase(actor, subjectId, body);
  }

  @Post('subjects/:subjectId/suspension')
  @HttpCode(200)
  @ApiOperation({ summary: '利用停止: published views and distribution show ［利用停止中］; the audit trail keeps the data' })
  @ApiOkResponse({ type: DataSubjectDto, description: 'the subject as it is now (unchanged when already suspended or erased)' })
  suspend(@Param('subjectId') subjectId: string, @Body() body: SuspensionRequestDto, @CurrentActor() actor: Actor) {
    return this.service.setSuspension(actor, subjectId, body, true);
  }

  @Post('subjects/:subjectId/resumption')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lifts a suspension (legal basis suspension-lifted)' })
  @ApiOkResponse({ type: DataSubjectDto, description: 'the subject as it is now (unchanged when not suspended, or erased)' })
  resume(@Param('subjectId') subjectId: string, @Body() body: ResumptionRequestDto, @CurrentActor() actor: Actor) {
    return this.service.setSuspension(actor, subjectId, body, false);
  }

  /** The operator reading a body's staff's data is logged like any other read; its default purpose is the request it handles. */
  private log(disclosed: DisclosedValue[], actor: Actor, request: FastifyRequest): Promise<void> {
    const stated = statedPurpose(request.headers, actor);
    const purpose = request.headers['x-access-purpose'] !== undefined && stated.purpose ? stated.purpose : 'disclosure-request';
    return this.service.accessLog.record(accessEntries(disclosed, { actor, purpose, reference: stated.reference, method: request.method, route: routeOf(request), at: this.clock(), requestId: null }));
  }

  @Get('access-log')
  @ApiOperation({ summary: 'Who outside the body read personal data: who, which application and fields, when, why (auditors; applicants for their own body)' })
  @ApiOkResponse({ type: AccessLogPageDto, description: 'one page of the access log, oldest first' })
  accessLog(@Query() query: AccessLogQueryDto, @CurrentActor() actor: Actor) {
    const { organ, ...rest } = query;
    return this.service.readAccessLog(actor, { ...rest, ...(organ !== undefined ? { organizationKind: organ } : {}) });
  }
}

/** Reading one's own organ's staff's data is no disclosure; another organ of one's code is another body. */
function isOwnBody(actor: Actor, organizationCode: string, organizationKind: string): boolean {
  return actor.org === organizationCode && organOrDefault(actor.org, organOf(actor)) === organizationKind;
}

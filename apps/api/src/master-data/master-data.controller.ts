import { Controller, Get, Inject, NotFoundException, Param, ParseIntPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@nws/event-store';
import type { ProjectionRunner, ReadModelQueries } from '@nws/read-models';
import { EVENT_STORE, PROJECTION_RUNNER, READ_MODEL_QUERIES } from '../infrastructure/tokens';

/** The published master data (本番用マスタデータ) of each body: never holds emergency contacts. */
@ApiTags('master-data')
@ApiBearerAuth()
@Controller('master-data/organizations')
export class MasterDataController {
  constructor(
    @Inject(READ_MODEL_QUERIES) private readonly queries: ReadModelQueries,
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get(':code')
  @ApiOperation({ summary: 'Current published master data of a body' })
  async current(@Param('code') code: string) {
    await this.projections.waitFor(await this.store.headPosition());
    const current = this.queries.currentMasterData(code);
    if (!current) throw notFound(code);
    return current;
  }

  @Get(':code/versions')
  @ApiOperation({ summary: 'Every registered version of a body' })
  async versions(@Param('code') code: string) {
    await this.projections.waitFor(await this.store.headPosition());
    return this.queries.masterDataVersions(code).map(({ content: _content, ...summary }) => summary);
  }

  @Get(':code/versions/:version')
  async version(@Param('code') code: string, @Param('version', ParseIntPipe) version: number) {
    await this.projections.waitFor(await this.store.headPosition());
    const found = this.queries.masterDataVersions(code).find((v) => v.version === version);
    if (!found) throw notFound(`${code} v${version}`);
    return found;
  }
}

function notFound(what: string) {
  return new NotFoundException({ ja: `マスタデータ ${what} は登録されていません。`, en: `no master data registered for ${what}` });
}

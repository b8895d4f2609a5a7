import { Controller, Get, Inject, NotFoundException, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { machineToMermaid } from '@nws/audit';
import type { WorkflowEngine } from '@nws/engine';
import { WORKFLOW_ENGINE } from '../infrastructure/tokens';
import { DiagramQueryDto } from './audit-query.dto';
import { WorkflowDiagramDto } from './audit-view.dto';
import { wantsMermaid } from './audit.controller';
import { latestOr404 } from '../workflows/workflows.controller';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowDiagramController {
  constructor(@Inject(WORKFLOW_ENGINE) private readonly engine: WorkflowEngine) {}

  @Get(':workflow/diagram')
  @ApiProduces('text/plain', 'application/json')
  @ApiOperation({ summary: 'The machine as a Mermaid stateDiagram-v2, read from its definition (text/plain; JSON { mermaid } with Accept: application/json or ?format=json)' })
  // One schema per media type: `type` would give the text the JSON body's schema.
  @ApiExtraModels(WorkflowDiagramDto)
  @ApiOkResponse({
    description: 'Mermaid text (default), or JSON with it (Accept: application/json or ?format=json)',
    content: {
      'text/plain': { schema: { type: 'string', description: 'a Mermaid stateDiagram-v2' } },
      'application/json': { schema: { $ref: getSchemaPath(WorkflowDiagramDto) } },
    },
  })
  diagram(@Param('workflow') workflow: string, @Query() query: DiagramQueryDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    const text = wantsMermaid(req, query.format, true);
    const latest = latestOr404(this.engine, workflow);
    const definition = query.version === undefined ? latest : this.engine.workflows.versions(workflow).find((d) => d.machineVersion === query.version);
    if (!definition) {
      const known = this.engine.workflows.versions(workflow).map((d) => d.machineVersion).join(', ');
      throw new NotFoundException({ ja: `version: ${workflow} にバージョン ${query.version} はありません（${known}）。`, en: `version: ${workflow} has no version ${query.version} (${known})` });
    }
    const mermaid = machineToMermaid(definition.machine, { title: `${definition.name} v${definition.machineVersion}` });
    if (text) {
      void res.type('text/plain; charset=utf-8');
      return mermaid;
    }
    return { workflow: definition.name, machineVersion: definition.machineVersion, title: definition.title, mermaid };
  }
}

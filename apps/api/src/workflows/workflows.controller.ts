import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { WorkflowDefinition, WorkflowEngine } from '@nws/engine';
import { WORKFLOW_ENGINE } from '../infrastructure/tokens';
import { describeMachine } from './machine-description';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowsController {
  constructor(@Inject(WORKFLOW_ENGINE) private readonly engine: WorkflowEngine) {}

  @Get()
  @ApiOperation({ summary: 'Workflows this deployment runs' })
  list() {
    return this.engine.workflows.names().map((name) => {
      const latest = this.engine.workflows.latest(name);
      return { name, title: latest.title, machineVersion: latest.machineVersion, versions: this.engine.workflows.versions(name).map((d) => d.machineVersion) };
    });
  }

  @Get(':workflow')
  @ApiOperation({ summary: 'The definition: states, actions, forms with JSON Schema and a complete valid example of each' })
  get(@Param('workflow') workflow: string) {
    return describeWorkflow(this.engine.workflows.latest(workflow));
  }
}

export function describeWorkflow(definition: WorkflowDefinition) {
  return {
    name: definition.name,
    title: definition.title,
    machineVersion: definition.machineVersion,
    ...describeMachine(definition),
    actions: definition.actions,
    ...(definition.guide ?? {}),
    create: { method: 'POST', path: '/applications', schema: definition.createInput.schema, example: definition.createInput.example },
    forms: definition.forms.forms.map((form) => ({
      code: form.code,
      title: form.title,
      save: { method: 'PUT', path: `/applications/{id}/forms/${form.code}` },
      schema: form.schema,
      example: form.example,
      personalFields: form.personalFields,
    })),
  };
}

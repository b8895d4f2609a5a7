import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UnknownWorkflowError, type WorkflowDefinition, type WorkflowEngine } from '@nws/engine';
import { WORKFLOW_ENGINE } from '../infrastructure/tokens';
import { describeMachine } from './machine-description';
import { WorkflowDefinitionDto, WorkflowSummaryDto } from './workflow-definition-view.dto';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowsController {
  constructor(@Inject(WORKFLOW_ENGINE) private readonly engine: WorkflowEngine) {}

  @Get()
  @ApiOperation({ summary: 'Workflows this deployment runs' })
  @ApiOkResponse({ type: [WorkflowSummaryDto], description: 'every workflow, with its latest machine version and every version it runs' })
  list() {
    return this.engine.workflows.names().map((name) => {
      const latest = this.engine.workflows.latest(name);
      return { name, title: latest.title, machineVersion: latest.machineVersion, versions: this.engine.workflows.versions(name).map((d) => d.machineVersion) };
    });
  }

  @Get(':workflow')
  @ApiOperation({ summary: 'The definition: states, actions, forms with JSON Schema and a complete valid example of each' })
  @ApiOkResponse({ type: WorkflowDefinitionDto, description: 'the latest machine version of the workflow' })
  get(@Param('workflow') workflow: string) {
    return describeWorkflow(latestOr404(this.engine, workflow));
  }
}

/**
 * A workflow named in the path: one that is not registered is a resource that does not exist (404),
 * where a body naming it (`POST /applications`) is bad input (400).
 */
export function latestOr404(engine: WorkflowEngine, workflow: string): WorkflowDefinition {
  try {
    return engine.workflows.latest(workflow);
  } catch (error) {
    if (error instanceof UnknownWorkflowError) throw new NotFoundException(error.detail);
    throw error;
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

import { createInputSchema, displayForms, jsonSchemaOf, type FoldedApplication, type JsonObject, type WorkflowDefinition } from '@nws/engine';
import { ACTIONS, INTERNAL_COMMANDS } from './connection-application.commands';
import { CreateConnectionApplicationDto, STRUCTURE_FORMS, connectionApplicationCommandRequires, connectionApplicationRequires, createConnectionApplication } from './connection-application.create';
import { decideConnectionApplication } from './connection-application.decide';
import { MACHINE_VERSION, connectionApplicationMachine, type ConnectionApplicationContext } from './connection-application.machine';
import { authorizeConnectionApplication, canReadConnectionApplication } from './connection-application.policy';
import { OPTIONAL_FORMS, REQUIRED_FORMS, connectionApplicationForms } from './forms';
import { GenerateSelectionFormsDto, SELECTION_EXAMPLE } from './forms/selection-choices.dto';
import { registerMasterDataReaction } from './master-data/master-data.registrar';
import { reviewWaitingAt } from '../shared/review-decisions';

export const CONNECTION_APPLICATION = 'connection-application';

const ctxOf = (app: FoldedApplication) => app.snapshot.context as ConnectionApplicationContext;

/** Which stored event each action records in each state; undefined = not offered there. */
function eventFor(action: string, app: FoldedApplication): string | undefined {
  const review = app.state === 'firstReview' ? 'First' : app.state === 'secondReview' ? 'Second' : undefined;
  switch (action) {
    case 'save-form':
    case 'generate-selection-forms':
      return 'FormSaved';
    case 'remove-form':
      return 'FormRemoved';
    case 'submit':
      return 'ApplicationSubmitted';
    case 'forward':
      return 'ApplicationForwarded';
    case 'approve':
      return review && `${review}ReviewApproved`;
    case 'reject':
      return review && `${review}ReviewRejected`;
    case 'revise':
      return 'ApplicationRevised';
    case 'withdraw':
      return 'ApplicationWithdrawn';
    case 'register-master-data':
      return 'MasterDataRegistered';
    case 'confirm-distribution':
      return 'MasterDataDistributed';
    default:
      return undefined;
  }
}

/** Snapshots are immutable (every `assign` makes new objects), so the view shares them without copying (forms whose display differs excepted). */
function view(app: FoldedApplication): JsonObject {
  const ctx = ctxOf(app);
  return {
    organization: ctx.organization,
    category: ctx.category,
    round: ctx.round,
    applicationNumber: ctx.applicationNumber,
    routing: { forwardVia: ctx.forwardVia, firstReviewer: ctx.firstReviewer, secondReviewer: ctx.secondReviewer },
    forwarding: ctx.forwarding,
    // Phone numbers as people read them; the events keep digits (DOMAIN.md 様02-02).
    forms: displayForms(connectionApplicationForms, ctx.forms),
    reviews: ctx.reviews,
    masterData: ctx.masterData,
    distributedAt: ctx.distributedAt,
    withdrawal: ctx.withdrawal,
    createdAt: ctx.createdAt,
    submittedAt: ctx.submittedAt,
  } as unknown as JsonObject;
}

/** Per 申請区分, the forms `submit` requires and those it takes when attached. */
const GUIDE_CATEGORIES = Object.fromEntries(
  Object.entries(REQUIRED_FORMS).map(([category, required]) => [
    category,
    {
      requiredForms: [...required],
      // What a client should know before offering the category: see connectionApplicationRequires.
      registeredMasterData: category === '変更' ? 'required' : category === '登録' ? 'absent' : 'either',
      optionalForms: [...(OPTIONAL_FORMS[category] ?? [])],
      // See connectionApplicationCommandRequires.
      requiredUnlessRegistered: category === '接続' ? [...STRUCTURE_FORMS] : [],
    },
  ]),
);

// Computed once, on first use (GET /workflows): by then every DTO's metadata is loaded.
let createInput: WorkflowDefinition['createInput'] | undefined;
let guide: JsonObject | undefined;

/** 情報提供ネットワークシステム 接続申請, machine v1. */
export const connectionApplicationV1: WorkflowDefinition = {
  name: CONNECTION_APPLICATION,
  machineVersion: MACHINE_VERSION,
  title: { ja: '情報提供ネットワークシステム接続申請', en: 'Connection application to the information-linkage network' },
  machine: connectionApplicationMachine,
  actions: ACTIONS,
  commands: [...ACTIONS, ...INTERNAL_COMMANDS],
  forms: connectionApplicationForms,
  get createInput() {
    createInput ??= {
      schema: createInputSchema(CONNECTION_APPLICATION, CreateConnectionApplicationDto),
      example: { workflow: CONNECTION_APPLICATION, organizationCode: '132012', category: '登録' },
    };
    return createInput;
  },
  create: createConnectionApplication,
  createRequires: connectionApplicationRequires,
  commandRequires: connectionApplicationCommandRequires,
  eventFor,
  authorize: authorizeConnectionApplication,
  canRead: canReadConnectionApplication,
  decide: decideConnectionApplication,
  view,
  waitingAt(app) {
    const ctx = ctxOf(app);
    if (app.state === 'awaitingForward' && ctx.forwardVia) return { stage: 'forward', org: ctx.organization.code };
    return reviewWaitingAt(app.state, ctx);
  },
  reactions: [registerMasterDataReaction],
  // A getter, as createInput: the schema is read from every DTO's metadata once all are loaded.
  get guide() {
    guide ??= {
      categories: GUIDE_CATEGORIES,
      selection: {
        method: 'POST',
        path: '/applications/{id}/selection',
        schema: jsonSchemaOf(GenerateSelectionFormsDto),
        example: SELECTION_EXAMPLE,
      },
    } as unknown as JsonObject;
    return guide;
  },
};

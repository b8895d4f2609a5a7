import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NOT_A_JSON_OBJECT, ValidationFailedError, isJsonObject, validateDto, type FieldViolation, type JsonObject } from '@nws/engine';
import {
  BEPPYO2_CATALOG_VERSION,
  BODY_SELECTION_KEYS,
  BODY_TYPES,
  DELEGATION_BASES,
  FORM_GENERATION_INPUT_KEYS,
  extraChoicesFor,
  findBeppyo2Item,
  generateForms,
  requiredPiaEvaluation,
  selectAffairs,
  type SelectionResult,
} from '@nws/reference-catalog';
import { BodySelectionDto, FormGenerationInputDto, checkSelectionInput } from '@nws/workflows/connection-application';
import { unknownField } from '../http/validation.pipe';
import { PiaThresholdQueryDto, SelectionQueryDto } from './reference.dto';
import { AffairSelectionDto, Beppyo2ItemDto, BodyTypesDto, DelegationBasisDto, GeneratedFormsDto, PiaThresholdDto } from './reference-view.dto';

/**
 * Runs a pure catalog function on client input. Those functions check values and trust shapes:
 * `shapes` holds the input to its DTO first, so a number where a list goes is refused naming the
 * field, never a TypeError (a 500) or a draft built from it.
 */
function run<T>(
  input: unknown,
  fn: (input: never) => SelectionResult<T>,
  fields: { readonly known: readonly string[]; readonly body?: readonly string[]; readonly shapes: (input: Record<string, unknown>) => readonly FieldViolation[] },
): T {
  if (!isJsonObject(input)) throw new ValidationFailedError([NOT_A_JSON_OBJECT]);
  // Unknown fields are refused by name, as everywhere else, not ignored: a misspelt `notQuering`
  // would otherwise generate forms that query everything.
  const unknown = Object.keys(input).filter((key) => !fields.known.includes(key)).map((key) => unknownField(key, fields.known, 'body'));
  const body = input['body'];
  const bodyKeys = fields.body;
  if (bodyKeys && isJsonObject(body)) unknown.push(...Object.keys(body).filter((key) => !bodyKeys.includes(key)).map((key) => unknownField(`body.${key}`, bodyKeys, 'body')));
  if (unknown.length > 0) throw new ValidationFailedError(unknown);
  const shapes = fields.shapes(input);
  if (shapes.length > 0) throw new ValidationFailedError([...shapes]);
  const result = fn(input as never);
  if (result.ok) return result.value;
  throw new ValidationFailedError(result.problems.map((p) => ({ field: p.field, rule: 'selection', message: p.message })));
}

const bodySelectionShapes = (input: unknown): readonly FieldViolation[] => {
  const checked = validateDto(BodySelectionDto, input);
  return checked.ok ? [] : checked.violations;
};
const formGenerationShapes = (input: unknown): readonly FieldViolation[] => checkSelectionInput(FormGenerationInputDto, input);

/**
 * The pre-application selection screen (申請前情報選択画面): the reference catalog as data, and
 * the generation of 様03-07/03-08/03-09 drafts from the applicant's choices. Pure lookups: the
 * client saves the generated forms with `PUT /applications/{id}/forms/{code}`.
 */
@ApiTags('reference')
@ApiBearerAuth()
@Controller('reference')
export class ReferenceController {
  @Get('beppyo2/body-types')
  @ApiOperation({ summary: '機関種類 and, where the type is not enough, the extra choices (e.g. 福祉事務所を設置する町村)' })
  @ApiOkResponse({ type: BodyTypesDto, description: 'every body type, with its extra choices' })
  bodyTypes() {
    return { catalogVersion: BEPPYO2_CATALOG_VERSION, bodyTypes: BODY_TYPES.map((type) => ({ type, extraChoices: extraChoicesFor(type) })) };
  }

  @Get('beppyo2/items/:itemNo')
  @ApiOperation({ summary: 'One 項 of 番号法 別表第二' })
  @ApiOkResponse({ type: Beppyo2ItemDto, description: 'the 項 with its rows (a deleted 項: `deleted`, no rows)' })
  item(@Param('itemNo') itemNo: string) {
    const item = findBeppyo2Item(itemNo);
    if (!item) throw new NotFoundException({ ja: `別表第二に第${itemNo}項はありません。`, en: `番号法 別表第二 has no item ${itemNo}` });
    return item;
  }

  @Get('delegation-bases')
  @ApiOperation({ summary: 'The 地方自治法 articles a delegation (様03-08) may rest on' })
  @ApiOkResponse({ type: [DelegationBasisDto], description: 'the articles, in the order of the law' })
  delegationBases() {
    return DELEGATION_BASES;
  }

  @Get('pia-threshold')
  @ApiOperation({
    summary: 'The 特定個人情報保護評価 a 事務 needs (特定個人情報保護評価指針 第6の2), for 様03-07’s PIA column',
    description: 'From the threshold table imported with its provenance; rows marked `partial` are to be checked against the 指針 before relying on them.',
  })
  @ApiOkResponse({ type: PiaThresholdDto, description: 'the evaluation required, the row that decided it, and how that row was checked' })
  piaThreshold(@Query() query: PiaThresholdQueryDto) {
    return requiredPiaEvaluation(query);
  }

  @Get('beppyo2/selection')
  @ApiOperation({ summary: 'The affairs a body may query and the information it must provide, for a body type (and its extra choices)' })
  @ApiOkResponse({ type: AffairSelectionDto, description: 'the selection, as POST /reference/beppyo2/selection answers it' })
  selectionFor(@Query() query: SelectionQueryDto) {
    return run({ ...query }, selectAffairs, { known: BODY_SELECTION_KEYS, shapes: bodySelectionShapes });
  }

  @Post('beppyo2/selection')
  @HttpCode(200)
  @ApiOperation({ summary: 'The affairs a body may query and the information it must provide' })
  @ApiOkResponse({ type: AffairSelectionDto, description: 'the selection, in the order of the law' })
  selection(@Body() body: JsonObject) {
    return run(body, selectAffairs, { known: BODY_SELECTION_KEYS, shapes: bodySelectionShapes });
  }

  @Post('beppyo2/forms')
  @HttpCode(200)
  @ApiOperation({ summary: "Draft 様03-07/03-08/03-09 from the applicant's choices (not querying, not providing, 受任, 委任)" })
  @ApiOkResponse({ type: GeneratedFormsDto, description: 'the drafts (nothing is stored): save them with PUT /applications/{id}/forms/{code}' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['body', 'applicationDate', 'pia'],
      description:
        '`body` (bodyType, localGovernmentCode, extraChoices), `applicationDate` (YYYY/MM/DD), `category` (登録 or 変更), and the choices: their JSON Schema and an example are GET /workflows/connection-application, `selection`',
    },
  })
  forms(@Body() body: JsonObject) {
    return run(body, generateForms, { known: FORM_GENERATION_INPUT_KEYS, body: BODY_SELECTION_KEYS, shapes: formGenerationShapes });
  }
}

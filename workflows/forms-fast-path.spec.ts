import type { ClassValidatorFormDefinition, FormDefinition } from '@nws/engine';
import { acceptedByFastPath, hasDtoFastPath } from '@nws/engine/forms/dto-fast-path';
import { assertSameVerdict, leafPool, mutationsOf, type Json, type ParityTally } from '@nws/engine/forms/testing/dto-parity';
import { CreateAccountRequestDto } from './account-request/account-request.workflow';
import { CreateConnectionApplicationDto } from './connection-application/connection-application.create';
import { ALL_WORKFLOWS } from './index';

const forms = ALL_WORKFLOWS.flatMap((workflow) => workflow.forms.forms.map((form) => ({ workflow: workflow.name, form })));
const pool = leafPool([...forms.map(({ form }) => form.example as Json), ...ALL_WORKFLOWS.map((w) => w.createInput.example as Json)]);

function dtoOf(form: FormDefinition): ClassValidatorFormDefinition['dto'] {
  const dto = (form as Partial<ClassValidatorFormDefinition>).dto;
  if (!dto) throw new Error(`form ${form.code} is not a class-validator form`);
  return dto;
}

describe('every form and create command: the validation fast path agrees with class-validator', () => {
  it('given every workflow, then every form DTO and create DTO has a fast path (a DTO losing it only gets slower; this says so)', () => {
    expect(forms.length).toBeGreaterThan(5);
    for (const { form } of forms) {
      expect([form.code, hasDtoFastPath(dtoOf(form))]).toEqual([form.code, true]);
      // …and takes the example: a valid form that falls through to the libraries is only slower, so only this notices.
      expect([form.code, acceptedByFastPath(dtoOf(form), form.example) !== undefined]).toEqual([form.code, true]);
    }
    expect(hasDtoFastPath(CreateConnectionApplicationDto)).toBe(true);
    expect(hasDtoFastPath(CreateAccountRequestDto)).toBe(true);
  });

  it.each(forms.map(({ workflow, form }) => [`${workflow} ${form.code}`, form] as const))(
    'given form %s, when its example and thousands of inputs near it are validated both ways, then verdicts and stored values agree',
    (_name, form) => {
      const tally: ParityTally = { accepted: 0, rejected: 0 };
      for (const input of mutationsOf(form.example as Json, pool, 300)) assertSameVerdict(dtoOf(form), input, tally);
      expect(tally.accepted).toBeGreaterThan(0);
      expect(tally.rejected).toBeGreaterThan(100);
      // The form's own save path (normalised value) gives the same stored form either way.
      expect(form.validate(form.example)).toEqual({ ok: true, value: expect.any(Object) });
    },
  );

  it.each([
    ['connection-application create', CreateConnectionApplicationDto, { organizationCode: '132012', category: '登録' }],
    ['account-request create', CreateAccountRequestDto, { organizationCode: '132012', category: 'アカウント発行' }],
  ] as const)('given the %s command, when inputs near a valid one are validated both ways, then verdicts agree', (_name, dto, example) => {
    const tally: ParityTally = { accepted: 0, rejected: 0 };
    for (const input of mutationsOf(example, pool, 300)) assertSameVerdict(dto, input, tally);
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.rejected).toBeGreaterThan(20);
  });
});

import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { jsonSchemaOf, validateDto } from './class-validator-form';

class InnerDto {
  @IsString() name!: string;
}

class OuterDto {
  @IsString() title!: string;
  @IsDefined() @ValidateNested() @Type(() => InnerDto) inner!: InnerDto;
  @IsDefined() @ValidateNested({ each: true }) @Type(() => InnerDto) items!: InnerDto[];
}

const valid = { title: 't', inner: { name: 'n' }, items: [{ name: 'a' }] };

describe('validateDto refuses what class-transformer and class-validator let through', () => {
  it('accepts the valid body', () => {
    expect(validateDto(OuterDto, valid).ok).toBe(true);
  });

  it('refuses an array where one nested object is declared (an empty array validates no item)', () => {
    for (const inner of [[], [[]], [{ name: 'n' }]]) {
      const result = validateDto(OuterDto, { ...valid, inner });
      expect(result).toMatchObject({ ok: false, violations: [{ field: 'inner', rule: 'nestedValidation' }] });
    }
    expect(validateDto(OuterDto, { ...valid, items: [{ name: 'a', inner: [] }] }).ok).toBe(false);
  });

  it('refuses an item that is itself an array where nested objects are declared (its items would be validated instead)', () => {
    for (const items of [[[]], [[{ name: 'a' }]], [{ name: 'a' }, []]]) {
      const result = validateDto(OuterDto, { ...valid, items });
      expect(result).toMatchObject({ ok: false, violations: [{ field: `items[${items.length - 1}]`, rule: 'nestedValidation', message: { en: `items[${items.length - 1}]: must be an object` } }] });
    }
  });

  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'prototype'])('refuses a field named %s by name, at any depth', (key) => {
    const top = JSON.parse(JSON.stringify(valid).replace('{', `{"${key}":1,`)) as object;
    expect(validateDto(OuterDto, top)).toMatchObject({ ok: false, violations: [{ field: key, rule: 'whitelistValidation' }] });
    const nested = JSON.parse(JSON.stringify(valid).replace('{"name":"n"', `{"name":"n","${key}":{}`)) as object;
    expect(validateDto(OuterDto, nested)).toMatchObject({ ok: false, violations: [{ field: `inner.${key}`, rule: 'whitelistValidation' }] });
  });
});

describe('messages', () => {
  class CategoryDto {
    @IsIn(['登録', '変更']) category!: string;
  }

  it('quote the allowed values as each language does: 「登録」 in Japanese, "登録" in English', () => {
    expect(validateDto(CategoryDto, { category: '削除' })).toMatchObject({
      ok: false,
      violations: [{ field: 'category', rule: 'isIn', message: { ja: 'category: 「登録」, 「変更」 のいずれかを指定してください。', en: 'category: must be one of "登録", "変更"' } }],
    });
  });

  class PageDto {
    @IsInt() @Min(1) @Max(1000) limit!: number;
    @IsString() @MaxLength(5) name!: string;
  }

  it('say only the type when a value has the wrong one, not the bounds it also fails; bounds when the type is right', () => {
    expect(validateDto(PageDto, { limit: 'abc', name: 7 })).toMatchObject({
      ok: false,
      violations: [
        { field: 'limit', rule: 'isInt' },
        { field: 'name', rule: 'isString' },
      ],
    });
    const bounds = validateDto(PageDto, { limit: 0, name: 'too long' });
    expect(bounds.ok ? [] : bounds.violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['limit:min', 'name:maxLength']);
  });
});

describe('jsonSchemaOf', () => {
  it('serves a DTO defined after an earlier schema was asked for (the schemas follow the registered metadata)', () => {
    class EarlyDto {
      @IsString() name!: string;
    }
    expect(jsonSchemaOf(EarlyDto)['required']).toEqual(['name']);
    // A class defined later, as by a module loaded after the first request for a schema.
    class LateDto {
      @IsInt() count!: number;
    }
    expect(jsonSchemaOf(LateDto)).toMatchObject({ properties: { count: { type: 'integer' } }, required: ['count'], additionalProperties: false });
  });
});

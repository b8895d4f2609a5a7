import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { validateDto } from './class-validator-form';
import { acceptedByFastPath, hasDtoFastPath } from './dto-fast-path';
import { assertSameVerdict, leafPool, mutationsOf, type Json, type ParityTally } from './testing/dto-parity';

class LineDto {
  @IsString() @IsNotEmpty() @MaxLength(10) label!: string;
  @IsOptional() @IsInt() count?: number;
}

class NoteDto {
  @IsIn(['適合', '不適合']) result!: string;
  @ValidateIf((note: NoteDto) => note.result === '不適合') @IsString() @IsNotEmpty() reason?: string;
}

class RootDto {
  @IsString() @IsNotEmpty() title!: string;
  @IsDefined() @ValidateNested() @Type(() => LineDto) head!: LineDto;
  @IsArray() @ArrayMaxSize(3) @ValidateNested({ each: true }) @Type(() => LineDto) lines!: LineDto[];
  @IsOptional() @IsString({ each: true }) tags?: string[];
  @IsDefined() @ValidateNested() @Type(() => NoteDto) note!: NoteDto;
  @IsOptional() @IsBoolean() flag?: boolean;
  @IsOptional() @ValidateNested() @Type(() => RootDto) child?: RootDto;
}

const example: Json = {
  title: 't',
  head: { label: 'h', count: 1 },
  lines: [{ label: 'a' }, { label: 'b', count: 2 }],
  tags: ['x', 'y'],
  note: { result: '不適合', reason: 'r' },
  flag: true,
  child: { title: 'c', head: { label: 'ch' }, lines: [], note: { result: '適合' } },
};

describe('the DTO fast path gives the verdict class-transformer + class-validator give', () => {
  it('given a DTO with nesting, arrays of nested objects, each, optional, ValidateIf and self-reference, when an input is valid, then it answers the same value in the instance key order', () => {
    expect(hasDtoFastPath(RootDto)).toBe(true);
    expect(JSON.stringify(acceptedByFastPath(RootDto, example))).toBe(JSON.stringify(example));
    const reordered = { note: { reason: 'r', result: '不適合' }, lines: [], head: { count: 3, label: 'h' }, title: 't' };
    expect(JSON.stringify(acceptedByFastPath(RootDto, reordered))).toBe('{"title":"t","head":{"label":"h","count":3},"lines":[],"note":{"result":"不適合","reason":"r"}}');
    expect(validateDto(RootDto, reordered)).toEqual({ ok: true, value: expect.objectContaining({ title: 't' }) });
  });

  it('given thousands of inputs near a valid one, when both paths judge them, then verdicts and accepted values agree', () => {
    const tally: ParityTally = { accepted: 0, rejected: 0 };
    for (const input of mutationsOf(example, leafPool([example]), 500)) assertSameVerdict(RootDto, input, tally);
    // Both kinds of verdict are exercised, or the comparison says nothing.
    expect(tally.accepted).toBeGreaterThan(50);
    expect(tally.rejected).toBeGreaterThan(500);
  });

  it('given an invalid input, when the fast path is asked, then it answers nothing and the libraries report the violation', () => {
    expect(acceptedByFastPath(RootDto, { ...example, note: { result: '不適合' } })).toBeUndefined();
    expect(validateDto(RootDto, { ...example, note: { result: '不適合' } })).toMatchObject({ ok: false, violations: expect.arrayContaining([expect.objectContaining({ field: 'note.reason', rule: 'isDefined' })]) });
    expect(validateDto(RootDto, { ...example, head: [{ label: 'h' }] })).toMatchObject({ ok: false, violations: [{ field: 'head', rule: 'nestedValidation' }] });
    expect(acceptedByFastPath(RootDto, { ...example, lines: [[]] })).toBeUndefined();
    expect(validateDto(RootDto, { ...example, lines: [[]] })).toMatchObject({ ok: false, violations: [{ field: 'lines[0]', rule: 'nestedValidation' }] });
    expect(validateDto(RootDto, { ...example, lines: [{ label: 'a', extra: 1 }] })).toMatchObject({ ok: false, violations: [{ field: 'lines[0].extra', rule: 'whitelistValidation' }] });
  });

  it('given an input holding what JSON cannot (a Date, a class instance), when judged, then the libraries decide', () => {
    class Holder {
      label = 'h';
    }
    expect(acceptedByFastPath(RootDto, { ...example, head: new Holder() })).toBeUndefined();
    expect(acceptedByFastPath(RootDto, { ...example, title: new Date(0) })).toBeUndefined();
    expect(validateDto(RootDto, { ...example, title: new Date(0) }).ok).toBe(false);
  });

  it('given DTOs using what the fast path does not model, when compiled, then there is no fast path (only slower, never different)', () => {
    class Transformed {
      @Transform(({ value }: { value: unknown }) => String(value).trim()) @IsString() name!: string;
    }
    class Grouped {
      @IsString({ groups: ['a'] }) name!: string;
    }
    class Converted {
      @Type(() => Number) @IsInt() count!: number;
    }
    class WithMethod {
      @IsString() name!: string;
      describe(): string {
        return this.name;
      }
    }
    class Undecorated {
      @IsString() name!: string;
      note?: string;
    }
    for (const dto of [Transformed, Grouped, Converted, WithMethod, Undecorated]) expect(hasDtoFastPath(dto)).toBe(false);
    expect(validateDto(Transformed, { name: ' a ' })).toEqual({ ok: true, value: expect.objectContaining({ name: 'a' }) });
    expect(validateDto(Converted, { count: '5' })).toEqual({ ok: true, value: expect.objectContaining({ count: 5 }) });
  });

  it('given a compiled DTO, when a rule is registered on it later, then the fast path judges with the new rule', () => {
    class Late {
      @IsString() code!: string;
    }
    expect(acceptedByFastPath(Late, { code: 'x' })).toEqual({ code: 'x' });
    IsInt()(Late.prototype, 'code');
    expect(acceptedByFastPath(Late, { code: 'x' })).toBeUndefined();
    expect(validateDto(Late, { code: 'x' })).toMatchObject({ ok: false, violations: [{ field: 'code', rule: 'isInt' }] });
  });

  it('given a nested property without @Type, when an object is sent, then it is refused as class-validator refuses an object without rules', () => {
    class Untyped {
      @IsDefined() @ValidateNested() inner!: object;
    }
    expect(hasDtoFastPath(Untyped)).toBe(true);
    expect(validateDto(Untyped, { inner: {} })).toMatchObject({ ok: false, violations: [{ field: 'inner', rule: 'unknownValue' }] });
  });
});

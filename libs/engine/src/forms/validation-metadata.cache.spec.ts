import 'reflect-metadata';
import { IsString, MaxLength, ValidateNested, getMetadataStorage, MetadataStorage } from 'class-validator';
import { Type } from 'class-transformer';
import { cacheValidationMetadata } from './validation-metadata.cache';
import { validateDto } from './class-validator-form';

class Inner {
  @IsString()
  name!: string;
}

class Outer {
  @ValidateNested()
  @Type(() => Inner)
  inner!: Inner;
}

describe('class-validator metadata cache', () => {
  it('is installed on the global storage and answers the same list as an uncached storage would', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Outer, '', true, false);
    // Same array object: answered from the cache, not rescanned.
    expect(storage.getTargetValidationMetadatas(Outer, '', true, false)).toBe(first);
    const uncached = MetadataStorage.prototype.getTargetValidationMetadatas.call(storage, Outer, '', true, false);
    expect(first).toEqual(uncached);
  });

  it('keeps validating nested objects with every rule', () => {
    expect(validateDto(Outer, { inner: { name: 'x' } }).ok).toBe(true);
    const refused = validateDto(Outer, { inner: { name: 3 } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['inner.name:isString']);
  });

  it('forgets its answers when a rule is registered later, so a late rule is never skipped', () => {
    // given a class validated once (its rules now cached)
    class Late {
      @IsString()
      code!: string;
    }
    expect(validateDto(Late, { code: 'ABCDEFG' }).ok).toBe(true);
    // when a rule is added to it afterwards (what a lazily loaded module's decorator does)
    MaxLength(3)(Late.prototype, 'code');
    // then the new rule applies
    const refused = validateDto(Late, { code: 'ABCDEFG' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.violations.map((v) => v.rule)).toEqual(['maxLength']);
  });

  it('installs once however often it is called', () => {
    const storage = getMetadataStorage();
    const installed = storage.getTargetValidationMetadatas;
    cacheValidationMetadata(storage);
    expect(storage.getTargetValidationMetadatas).toBe(installed);
  });
});

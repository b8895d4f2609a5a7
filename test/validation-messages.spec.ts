import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage, type ValidationError } from 'class-validator';
import { toViolations } from '@nws/engine';

const ROOT = join(__dirname, '..');

/** Every source file that declares class-validator rules: DTOs, forms, workflows' create inputs. */
function filesWithRules(): string[] {
  return ['apps', 'libs', 'workflows'].flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(file) && !file.includes('node_modules'))
      .map((file) => join(ROOT, dir, file))
      .filter((file) => readFileSync(file, 'utf8').includes("from 'class-validator'")),
  );
}

interface RuleMetadata {
  readonly type: string;
  readonly name?: string;
  readonly propertyName: string;
  readonly constraints?: unknown[];
  readonly message?: string | ((args: object) => string);
  readonly constraintCls: new () => { defaultMessage?: (args: object) => string };
}

/** The message a failure of this rule gives, as `toViolations` (and so every 400) words it. */
function messageOf(target: Function, rule: RuleMetadata): { name: string; en: string; ja: string } {
  const storage = getMetadataStorage();
  const args = { property: 'x', constraints: rule.constraints ?? [], value: undefined, targetName: '', object: {} };
  let name = rule.name ?? rule.type;
  let raw = typeof rule.message === 'string' ? rule.message : rule.message?.(args);
  if (rule.type === 'customValidation') {
    name = storage.getTargetValidatorConstraints(rule.constraintCls)[0]?.name ?? name;
    raw ??= new rule.constraintCls().defaultMessage?.(args);
  }
  // The target lets toViolations find the rule's arguments (a regular expression, bounds), as for a real request.
  const [violation] = toViolations([
    { property: rule.propertyName, target: Object.create(target.prototype as object) as object, value: 'x', constraints: { [name]: raw ?? `x failed ${name}` }, children: [] } as unknown as ValidationError,
  ]);
  return { name, en: violation?.message.en ?? '', ja: violation?.message.ja ?? '' };
}

describe('validation messages', () => {
  it('every rule a DTO, form or create input declares has its own message in Japanese and English, never a fallback ("violates rule", a raw regular expression)', () => {
    const files = filesWithRules();
    for (const file of files) require(file);
    const metadatas = (getMetadataStorage() as unknown as { validationMetadatas: Map<{ name: string; prototype: object }, RuleMetadata[]> }).validationMetadatas;
    const checked: string[] = [];
    const fallbacks: string[] = [];
    for (const [target, rules] of metadatas) {
      for (const rule of rules) {
        // Not rules that fail on their own: optional/conditional, nesting, the whitelist (worded by the pipe).
        if (['conditionalValidation', 'nestedValidation', 'whitelistValidation', 'isDefined'].includes(rule.type)) continue;
        const { name, en, ja } = messageOf(target as unknown as Function, rule);
        checked.push(`${target.name}.${rule.propertyName}: ${name}`);
        // A raw regular expression ("must match /^ps-…$/") is the table's fallback for @Matches: it says nothing to a reviewer.
        if (/violates rule|must match \//.test(en) || /規則「|形式が正しくありません（\//.test(ja)) fallbacks.push(`${target.name}.${rule.propertyName}: ${name}`);
      }
    }
    // The walk found the DTOs (a broken glob would check nothing and pass).
    expect(files.length).toBeGreaterThan(20);
    expect(checked).toEqual(expect.arrayContaining(['ApplicationQueryDto.asOf: isInstantWithOffset', 'AcksBodyDto.eventIds: arrayNotEmpty', 'NormalContactDto.phone: jpPhoneNumber']));
    expect(fallbacks).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
const SOURCES = ['apps', 'libs', 'workflows'];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name)) yield path;
  }
}

/** Every class declared in the product's sources, by name, with the files that declare it. */
function classDeclarations(): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const top of SOURCES) {
    for (const file of sourceFiles(join(ROOT, top))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/^\s*(?:export\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/gm)) {
        byName.set(match[1]!, [...(byName.get(match[1]!) ?? []), relative(ROOT, file)]);
      }
    }
  }
  return byName;
}

/**
 * @nestjs/swagger names a DTO's schema after its class and keeps one of two classes with the same
 * name, silently: an answer would then be documented with another DTO's schema. Found when two
 * DTO files written side by side both declared `ParkedEventsPageDto`.
 */
describe('class names (the OpenAPI document names its schemas by them)', () => {
  it('no two classes share a name', () => {
    const declarations = classDeclarations();
    expect(declarations.size).toBeGreaterThan(100);
    expect(declarations.get('ApplicationViewDto')).toEqual(['apps/api/src/applications/application-view.dto.ts']);
    expect([...declarations].filter(([, files]) => files.length > 1)).toEqual([]);
  });
});

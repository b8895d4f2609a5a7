import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MODE, type ReliabilityMode } from './scale';

/**
 * The headline figures of issue #9, summed over every scenario by figures.reporter.js. A scenario
 * reports the ones it measures; `serverErrors` counts 5xx answers nobody designed (a scenario that
 * provokes a designed 503, such as a full disk, counts only the others).
 */
export interface HeadlineTotals {
  killsSurvived?: number;
  transitionsChecked?: number;
  fuzzCases?: number;
  serverErrors?: number;
  lost?: number;
  duplicates?: number;
}

export type HeadlineKey = keyof HeadlineTotals;

export interface ScenarioFigures {
  readonly scenario: string;
  readonly title: string;
  readonly mode: ReliabilityMode;
  readonly seed: number | null;
  readonly specFile: string;
  readonly totals: HeadlineTotals;
  /** Scenario-specific figures, in the order they are printed. */
  readonly details: ReadonlyArray<readonly [string, number | string]>;
}

/** Where the figures go: set by test/reliability/jest.config.js (npm run test:reliability); unset in `npm test`. */
export const FIGURES_DIR_ENV = 'RELIABILITY_FIGURES_DIR';

/**
 * The figures of one scenario, written as JSON for the reporter (also when the scenario fails, so
 * a non-zero `lost` is printed rather than hidden). Adding a scenario needs no change to the
 * reporter: any spec may create a sheet with its own scenario name.
 */
export class FigureSheet {
  private readonly totals: HeadlineTotals = {};
  private readonly details = new Map<string, number | string>();

  constructor(
    readonly scenario: string,
    readonly title: string,
    readonly seed: number | null,
    private readonly specFile: string,
  ) {}

  add(key: HeadlineKey, amount = 1): void {
    this.totals[key] = (this.totals[key] ?? 0) + amount;
  }

  /** Sets a headline figure to what the scenario has found so far (kept current, so a failing run still reports it). */
  setTotal(key: HeadlineKey, value: number): void {
    this.totals[key] = value;
  }

  /** Declares headline figures measured by this scenario, so a zero is printed as a zero. */
  measures(...keys: HeadlineKey[]): void {
    for (const key of keys) this.totals[key] ??= 0;
  }

  total(key: HeadlineKey): number {
    return this.totals[key] ?? 0;
  }

  count(label: string, amount = 1): void {
    const current = this.details.get(label);
    this.details.set(label, (typeof current === 'number' ? current : 0) + amount);
  }

  set(label: string, value: number | string): void {
    this.details.set(label, value);
  }

  write(): void {
    const dir = process.env[FIGURES_DIR_ENV];
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const figures: ScenarioFigures = {
      scenario: this.scenario,
      title: this.title,
      mode: MODE,
      seed: this.seed,
      specFile: basename(this.specFile),
      totals: { ...this.totals },
      details: [...this.details.entries()],
    };
    writeFileSync(join(dir, `${this.scenario}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  }
}

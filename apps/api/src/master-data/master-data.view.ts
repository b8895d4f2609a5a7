import { NotFoundException } from '@nestjs/common';
import type { MasterDataVersionRow, ReadModelQueries } from '@nws/read-models';
import { defaultOrganFor } from '@nws/workflows/connection-application';

/** An organ of the code that has master data: the value of `?organ=`, its current version, whether it is served without `organ`. */
export interface OrganWithMasterData {
  organ: string;
  version: number;
  default: boolean;
}

/**
 * Reads one organ's published master data for the master-data endpoints. A body is an organ: the
 * organs of one local government share its code, so the organ is `organ`, or the code's default
 * organ when none is named. 404 names the organs of the code that do have master data.
 */
export class MasterDataView {
  constructor(private readonly queries: ReadModelQueries) {}

  current(code: string, organ: string | undefined): MasterDataVersionRow & { organs: OrganWithMasterData[] } {
    const kind = organ ?? defaultOrganFor(code);
    const current = this.queries.currentMasterData(code, kind);
    if (!current) throw this.notFound(code, kind);
    return { ...current, organs: this.organs(code) };
  }

  versions(code: string, organ: string | undefined): Array<Omit<MasterDataVersionRow, 'content'>> {
    const kind = organ ?? defaultOrganFor(code);
    const versions = this.queries.masterDataVersions(code, kind);
    // Without `organ`, a code with no master data lists nothing (as before organs had their own); a named organ without any is a 404.
    if (versions.length === 0 && organ !== undefined) throw this.notFound(code, kind);
    return versions.map(({ content: _content, ...summary }) => summary);
  }

  version(code: string, organ: string | undefined, version: number): MasterDataVersionRow {
    const kind = organ ?? defaultOrganFor(code);
    const found = this.queries.masterDataVersion(code, kind, version);
    if (!found) throw this.notFound(code, kind, version);
    return found;
  }

  private organs(code: string): OrganWithMasterData[] {
    const fallback = defaultOrganFor(code);
    return this.queries.masterDataOrgans(code).map(({ organizationKind, version }) => ({ organ: organizationKind, version, default: organizationKind === fallback }));
  }

  private notFound(code: string, kind: string, version?: number): NotFoundException {
    const what = `${code}（${kind}）${version === undefined ? '' : ` v${version}`}`;
    const whatEn = `${code} (${kind})${version === undefined ? '' : ` v${version}`}`;
    const others = this.organs(code).map((o) => o.organ);
    return new NotFoundException({
      ja: `マスタデータ ${what} は登録されていません。${others.length > 0 ? `この団体コードでマスタデータがある機関: ${others.join('、')}（?organ= で指定）。` : ''}`,
      en: `no master data registered for ${whatEn}${others.length > 0 ? `; organs of this code with master data: ${others.join(', ')} (choose one with ?organ=)` : ''}`,
    });
  }
}

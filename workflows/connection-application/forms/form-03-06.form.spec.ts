import { form0306 } from './form-03-06.form';
import { expectValid, rulesOf, variant, violationsOf } from './testing/form-spec.helpers';

const example = form0306.example;

describe('様03-06 接続開始（再開）申請書', () => {
  it('needs the main office address with a postal code', () => {
    expect(rulesOf(form0306, variant(example, (d) => delete d.mainOffice.address))).toContain('mainOffice.address:isDefined');
    expect(rulesOf(form0306, variant(example, (d) => (d.mainOffice.postalCode = '1928501x')))).toEqual(['mainOffice.postalCode:matches']);
  });

  it('takes the body type from the selection-screen list', () => {
    expect(rulesOf(form0306, variant(example, (d) => (d.bodyType = '市役所')))).toEqual(['bodyType:isIn']);
  });

  describe('the attachment checklist', () => {
    it.each(['form0201', 'form0202', 'form0206', 'form0307'])('%s must be ticked', (field) => {
      const violations = violationsOf(form0306, variant(example, (d) => (d.attachments[field] = false)));
      expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual([`attachments.${field}:isChecked`]);
      expect(violations[0]?.message.ja).toContain('必ず添付');
    });

    it('様03-08 may be left unticked by a body without any delegation (the submit check pairs it with the saved form)', () => {
      expectValid(form0306, variant(example, (d) => (d.attachments.form0308 = false)));
    });

    it('様03-09 is ticked exactly when the body links independent-use affairs (条例連携)', () => {
      const untickedWithLinkage = variant(example, (d) => (d.attachments.form0309 = false));
      const [v] = violationsOf(form0306, untickedWithLinkage);
      expect(v).toMatchObject({ field: 'attachments', rule: 'form0309MatchesIndependentUse' });
      expect(v?.message.ja).toContain('条例連携を行う場合');

      const tickedWithoutLinkage = variant(example, (d) => (d.independentUseLinkage = false));
      expect(rulesOf(form0306, tickedWithoutLinkage)).toEqual(['attachments:form0309MatchesIndependentUse']);

      expectValid(
        form0306,
        variant(example, (d) => {
          d.independentUseLinkage = false;
          d.attachments.form0309 = false;
        }),
      );
    });

    it('その他 is ticked only with the attached files listed, and files need その他', () => {
      expect(rulesOf(form0306, variant(example, (d) => delete d.attachments.otherAttachments))).toEqual(['attachments.otherAttachments:otherMatchesAttachments']);
      expect(rulesOf(form0306, variant(example, (d) => (d.attachments.otherAttachments = [])))).toEqual(['attachments.otherAttachments:otherMatchesAttachments']);
      expect(rulesOf(form0306, variant(example, (d) => (d.attachments.other = false)))).toEqual(['attachments.otherAttachments:otherMatchesAttachments']);
      expectValid(
        form0306,
        variant(example, (d) => {
          d.attachments.other = false;
          delete d.attachments.otherAttachments;
        }),
      );
    });

    it('each attached file names its kind and title', () => {
      const input = variant(example, (d) => (d.attachments.otherAttachments = [{ kind: '議事録', title: '' }]));
      expect(rulesOf(form0306, input)).toEqual(['attachments.otherAttachments[0].kind:isIn', 'attachments.otherAttachments[0].title:isNotEmpty']);
    });
  });

  describe('インターフェイスシステム集約ASP', () => {
    it('is ticked by every local government', () => {
      for (const bodyType of ['都道府県知事部局', '都道府県教育委員会', '市町村長部局', '市町村教育委員会', '一部事務組合・広域連合']) {
        const violations = violationsOf(
          form0306,
          variant(example, (d) => {
            d.bodyType = bodyType;
            d.interfaceAspUse = false;
          }),
        );
        expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['interfaceAspUse:interfaceAspUse']);
        expect(violations[0]?.message.ja).toContain('後期高齢者医療広域連合を除く');
      }
    });

    it('except 後期高齢者医療広域連合, which may leave it unticked', () => {
      expectValid(
        form0306,
        variant(example, (d) => {
          d.bodyType = '後期高齢者医療広域連合';
          d.interfaceAspUse = false;
        }),
      );
    });
  });

  describe('validity', () => {
    it('leaves 有効開始日 empty', () => {
      const violations = violationsOf(form0306, variant(example, (d) => (d.validity.startDate = '2027/01/04')));
      expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['validity.startDate:isLeftEmpty']);
      expect(violations[0]?.message.en).toContain('leave the validity start date empty');
      expectValid(form0306, variant(example, (d) => (d.validity.startDate = '')));
    });

    it('ticks 有効終了日未定 unless the abolition is decided', () => {
      expect(rulesOf(form0306, variant(example, (d) => (d.validity.endDateUndecided = false)))).toEqual(['validity.endDateUndecided:endDateUndecided']);
    });

    it('an abolition decided carries its date and leaves 有効終了日未定 unticked', () => {
      const abolished = (edit: (v: Record<string, unknown>) => void) =>
        variant(example, (d) => {
          d.validity = { abolitionDecided: true, abolitionDate: '2028/03/31', endDateUndecided: false };
          edit(d.validity);
        });
      expectValid(form0306, abolished(() => undefined));
      expect(rulesOf(form0306, abolished((v) => delete v['abolitionDate']))).toEqual(['validity.abolitionDate:seirekiDate']);
      expect(rulesOf(form0306, abolished((v) => (v['endDateUndecided'] = true)))).toEqual(['validity.endDateUndecided:endDateUndecided']);
    });

    it('an abolition date without a decided abolition is refused', () => {
      expect(rulesOf(form0306, variant(example, (d) => (d.validity.abolitionDate = '2028/03/31')))).toEqual(['validity.abolitionDate:abolitionDateOnlyWhenDecided']);
    });
  });

  it('is filed as 接続 or 再開', () => {
    expect(rulesOf(form0306, variant(example, (d) => (d.category = '登録')))).toEqual(['category:isIn']);
  });
});

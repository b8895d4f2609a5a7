import { form0202 } from './form-02-02.form';
import { expectValid, rulesOf, variant, violationsOf } from './testing/form-spec.helpers';

const example = form0202.example;

describe('様02-02 連絡窓口登録（変更）申請書: each rule, broken, is refused naming the field', () => {
  it('the example is valid, and phone numbers are stored as digits', () => {
    const result = form0202.validate(example);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect((result.value['normalContacts'] as Array<{ phone: string }>)[0]?.phone).toBe('0426207200');
      expect((result.value['emergencyContacts'] as Array<{ mobile: string }>)[0]?.mobile).toBe('09012345678');
    }
  });

  it('shows stored numbers with hyphens, and what it shows saves back to the same stored form', () => {
    const stored = form0202.validate(example);
    if (!stored.ok) throw new Error('example invalid');
    const shown = form0202.display!(stored.value);
    expect((shown['normalContacts'] as Array<{ phone: string }>).map((c) => c.phone)).toEqual(['042-620-7200', '042-620-7201']);
    expect((shown['emergencyContacts'] as Array<{ mobile: string }>)[0]?.mobile).toBe('090-1234-5678');
    expect(form0202.validate(shown)).toEqual({ ok: true, value: stored.value });
  });

  it('an e-mail holding an unpaired surrogate is refused naming the field (validator\'s isEmail would throw on it)', () => {
    const violations = violationsOf(form0202, variant(example, (d) => (d.normalContacts[0].email = 'renkei\ud800@example.jp')));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['normalContacts[0].email:wellFormedText']);
  });

  it('contacts are listed in priority order, 1, 2, 3, … without gaps or repeats', () => {
    for (const priorities of [
      [2, 1],
      [1, 1],
      [1, 3],
    ]) {
      const violations = violationsOf(form0202, variant(example, (d) => d.normalContacts.forEach((c: { priority: number }, i: number) => (c.priority = priorities[i]!))));
      expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['normalContacts:priorityOrder']);
      expect(violations[0]?.message.ja).toContain('優先順位は 1 から順に');
    }
    expect(rulesOf(form0202, variant(example, (d) => (d.emergencyContacts[0].priority = 2)))).toEqual(['emergencyContacts:priorityOrder']);
  });

  it('通常連絡先: a department’s direct fixed-line number (not a mobile) and an e-mail', () => {
    const mobile = violationsOf(form0202, variant(example, (d) => (d.normalContacts[0].phone = '090-1234-5678')));
    expect(mobile.map((v) => `${v.field}:${v.rule}`)).toEqual(['normalContacts[0].phone:jpPhoneNumber']);
    expect(mobile[0]?.message.ja).toContain('直通の固定電話番号');
    expect(rulesOf(form0202, variant(example, (d) => (d.normalContacts[0].phone = '0120-123-456')))).toEqual(['normalContacts[0].phone:jpPhoneNumber']);
    expect(rulesOf(form0202, variant(example, (d) => (d.normalContacts[1].email = 'joho.city.hachioji')))).toEqual(['normalContacts[1].email:isEmail']);
    // An address, but not in ASCII (WHATWG): published in master data, it is what every downstream system sends to.
    for (const email of ['ｒｅｎｋｅｉ@city.hachioji.tokyo.jp', 'れんけい@city.hachioji.tokyo.jp', '"a b"@city.hachioji.tokyo.jp', 'renkei@八王子.jp']) {
      const refused = violationsOf(form0202, variant(example, (d) => (d.normalContacts[1].email = email)));
      expect([email, refused.map((v) => `${v.field}:${v.rule}`)]).toEqual([email, ['normalContacts[1].email:asciiEmail']]);
      expect(refused[0]!.message).toEqual({ ja: expect.stringContaining('半角英数字のメールアドレスを入力してください'), en: expect.stringContaining('must be an e-mail address in ASCII') });
    }
    for (const email of ['renkei@city.hachioji.lg.jp', "o'brien+joho@city.hachioji.tokyo.jp", 'a.b_c-d@xn--pss.jp']) expectValid(form0202, variant(example, (d) => (d.normalContacts[1].email = email)));
    expect(rulesOf(form0202, variant(example, (d) => (d.normalContacts[0].department = '')))).toEqual(['normalContacts[0].department:isNotEmpty']);
  });

  it('a name nothing is seen of (bidi marks, the soft hyphen, Hangul fillers, the blank braille pattern, invisible operators, variation selectors, tags) is empty: isNotEmpty; one beside a character is text', () => {
    for (const name of ['\u200E', '\u200F', '\u061C', '\u00AD', '\u3164', '\u2800', '\u180E', '\u034F', '\u2061', '\uFE0F', '\u{E0020}', ' \u00AD\u3000\u2800 ']) {
      const refused = rulesOf(form0202, variant(example, (d) => (d.contactManager.name = name)));
      expect([JSON.stringify(name), refused]).toEqual([JSON.stringify(name), ['contactManager.name:isNotEmpty']]);
    }
    // An ideographic variation sequence (葛 + U+E0100) is a name people have: what is invisible is only its selector.
    expectValid(form0202, variant(example, (d) => (d.contactManager.name = '葛\u{E0100}城 太郎')));
  });

  it("a placeholder a reader sees (［消去済み］, ［非公開］, [利用停止中]) is no value: refused as readerPlaceholder, not stored as a person's name", () => {
    for (const name of ['［消去済み］', ' ［非公開］ ', '[利用停止中]']) {
      const refused = violationsOf(form0202, variant(example, (d) => (d.normalContacts[0].name = name)));
      expect([name, refused.map((v) => `${v.field}:${v.rule}`)]).toEqual([name, ['normalContacts[0].name:readerPlaceholder']]);
      expect(refused[0]!.message.en).toContain('stand in for values a reader may not see');
    }
    expectValid(form0202, variant(example, (d) => (d.normalContacts[0].name = '消去 済美')));
  });

  it('緊急連絡先: a mobile number (official or personal) and an e-mail', () => {
    const fixed = violationsOf(form0202, variant(example, (d) => (d.emergencyContacts[0].mobile = '042-620-7200')));
    expect(fixed.map((v) => `${v.field}:${v.rule}`)).toEqual(['emergencyContacts[0].mobile:jpPhoneNumber']);
    expect(fixed[0]?.message.en).toContain('mobile number');
    expectValid(form0202, variant(example, (d) => (d.emergencyContacts[0].mobile = '060-1234-5678')));
  });

  it('at least one contact of each kind; the night and holiday contact may be the same person as a daytime one', () => {
    expect(rulesOf(form0202, variant(example, (d) => (d.normalContacts = [])))).toEqual(['normalContacts:arrayMinSize']);
    expect(rulesOf(form0202, variant(example, (d) => (d.emergencyContacts = [])))).toEqual(['emergencyContacts:arrayMinSize']);
    expect(rulesOf(form0202, variant(example, (d) => delete d.contactManager))).toEqual(['contactManager:isDefined']);
    expectValid(form0202, variant(example, (d) => (d.emergencyContacts[0].name = d.normalContacts[0].name)));
  });
});

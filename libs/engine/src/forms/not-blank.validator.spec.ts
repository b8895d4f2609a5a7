import { NOT_BLANK_SCHEMA, isBlankText } from './not-blank.validator';
import { INVISIBLE_BMP_CHARACTERS } from './text-faults';

describe('what is blank: the server check, and the pattern the published JSON Schemas carry', () => {
  it('the schemas\' list of invisible characters is exactly the server\'s in the Basic Multilingual Plane (default ignorables and U+2800)', () => {
    const listed = new RegExp(`[${INVISIBLE_BMP_CHARACTERS}]`);
    const server = /[\p{Default_Ignorable_Code_Point}\u2800]/u;
    const differing: string[] = [];
    for (let cp = 0; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const char = String.fromCharCode(cp);
      if (listed.test(char) !== server.test(char)) differing.push(cp.toString(16));
    }
    expect(differing).toEqual([]);
  });

  it('the published pattern is one other regex engines read: \\u escapes only, no \\p{…} or \\u{…}', () => {
    const pattern = NOT_BLANK_SCHEMA.isNotEmpty.pattern;
    expect(pattern).not.toMatch(/\\p\{|\\u\{/);
    // And it says what the server says of BMP text: blank or not.
    const visible = new RegExp(pattern);
    for (const text of ['\u200E', '\u3164\u2800', ' \u00AD ', '山田', 'a\u200B']) expect([text, !visible.test(text)]).toEqual([text, isBlankText(text)]);
  });
});

/**
 * Text as people mean it, however it was typed: 「佐藤 一郎」, 「佐藤　一郎」 (a full-width space) and
 * 「佐藤一郎」 are one name, as are full- and half-width forms of one letter (NFKC).
 */
export const plainWords = (text: string | undefined): string => (text ?? '').normalize('NFKC').replace(/\s+/g, '');

export const sameWords = (a: string | undefined, b: string | undefined): boolean => plainWords(a) === plainWords(b);

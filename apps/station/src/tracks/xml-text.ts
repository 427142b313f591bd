/**
 * Text for the XML this station writes by hand or through node-cot: what XML 1.0 forbids is
 * dropped and markup is escaped. Names, remarks and units can come from a peer's notice or a
 * TAK stream; none of them may break the document they are put in.
 */

/** Drops the characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF). */
export function xmlClean(s: string): string {
  // eslint-disable-next-line no-control-regex -- the XML 1.0 Char production, controls by design
  return s.replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '');
}

/** `xmlClean`, with `&`, `<` and `>` escaped (node-cot's writer escapes quotes itself). */
export function xmlAttr(s: string): string {
  return xmlClean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `xmlAttr`, with both quotes escaped too: for text and attributes written by hand. */
export function xmlText(s: string): string {
  return xmlAttr(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

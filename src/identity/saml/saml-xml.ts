// The XML that SAML sign-in reads, parsed with the same parser node-saml verifies signatures over
// (its own @xmldom/xmldom setup, which reports malformed input as an error), so the checks here and
// the library's see one tree. Only the few DOM members we read are typed; the walk is ours, so no
// XPath string is ever built from input.
import { parseDomFromString } from '@node-saml/node-saml/lib/xml.js';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

const ELEMENT_NODE = 1;
const DOCUMENT_TYPE_NODE = 10;

export interface XmlElement {
  readonly nodeType: number;
  readonly localName: string | null;
  readonly namespaceURI: string | null;
  readonly parentNode: XmlElement | null;
  readonly childNodes: ArrayLike<XmlElement>;
  readonly attributes: ArrayLike<{ readonly name: string; readonly value: string }>;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
}

interface XmlDocument {
  readonly documentElement: XmlElement | null;
  readonly childNodes: ArrayLike<{ readonly nodeType: number }>;
}

/** The root element; a document type declaration (entities, DTDs) is refused outright. */
export async function parseXml(text: string): Promise<XmlElement> {
  const doc = (await parseDomFromString(text)) as unknown as XmlDocument;
  for (const node of Array.from(doc.childNodes))
    if (node.nodeType === DOCUMENT_TYPE_NODE) throw new Error('XML with a document type declaration');
  if (!doc.documentElement) throw new Error('XML without a root element');
  return doc.documentElement;
}

export function is(el: XmlElement, ns: string, localName: string): boolean {
  return el.localName === localName && el.namespaceURI === ns;
}

export function children(el: XmlElement, ns?: string, localName?: string): XmlElement[] {
  return Array.from(el.childNodes).filter(
    (n) =>
      n.nodeType === ELEMENT_NODE && (ns === undefined || localName === undefined || is(n, ns, localName)),
  );
}

export function child(el: XmlElement, ns: string, localName: string): XmlElement | null {
  return children(el, ns, localName)[0] ?? null;
}

/** Every element below `el` (not `el` itself), depth first, in document order. */
export function descendants(el: XmlElement): XmlElement[] {
  const found: XmlElement[] = [];
  const stack = children(el).reverse();
  while (stack.length > 0) {
    const next = stack.pop()!;
    found.push(next);
    stack.push(...children(next).reverse());
  }
  return found;
}

export function text(el: XmlElement | null): string {
  return (el?.textContent ?? '').trim();
}

// Checks on the shape of a SAML Response before and after node-saml verifies it, aimed at XML
// signature wrapping: a signature that verifies over one element while the reader consumes another.
// node-saml verifies the one Assertion that is a direct child of the Response and reads only the
// bytes the signature covered; these checks make the document unambiguous before that (exactly one
// Assertion anywhere, unique IDs, every signature referencing its own parent) and confirm after it
// that the assertion consumed is the one the document holds.
import { VigilError } from '../../core/errors.js';
import { child, children, descendants, is, NS, parseXml, text, type XmlElement } from './saml-xml.js';

export interface ResponseShape {
  readonly assertionId: string;
  readonly issuer: string;
  /** The Response's InResponseTo: null for an IdP-initiated (unsolicited) Response. */
  readonly inResponseTo: string | null;
  readonly destination: string | null;
}

const ID_ATTRIBUTES = ['ID', 'Id', 'id'];

export async function inspectResponse(xml: string): Promise<ResponseShape> {
  let root: XmlElement;
  try {
    root = await parseXml(xml);
  } catch (err) {
    throw new VigilError(
      'saml_invalid',
      `the SAMLResponse is not well-formed XML: ${(err as Error).message}`,
    );
  }
  if (!is(root, NS.protocol, 'Response'))
    throw new VigilError('saml_invalid', 'the SAMLResponse is not a Response');
  const all = descendants(root);
  assertUniqueIds([root, ...all]);
  const assertions = all.filter((el) => is(el, NS.assertion, 'Assertion'));
  if (assertions.length > 1)
    throw new VigilError(
      'saml_wrapped',
      `the Response holds ${assertions.length} assertions; exactly one is accepted`,
    );
  const assertion = assertions[0];
  if (!assertion) {
    const status = child(root, NS.protocol, 'Status');
    const code = status && child(status, NS.protocol, 'StatusCode')?.getAttribute('Value');
    if (code && !code.endsWith(':Success'))
      throw new VigilError(
        'saml_invalid',
        `the identity provider refused the sign-in (${code.replace(/^.*:/, '')})`,
      );
    throw new VigilError(
      'saml_invalid',
      all.some((el) => el.localName === 'EncryptedAssertion')
        ? 'the Response carries an encrypted assertion, which Vigil does not accept (turn assertion encryption off)'
        : 'the Response carries no assertion',
    );
  }
  if (assertion.parentNode !== root)
    throw new VigilError('saml_wrapped', 'the assertion is not a direct child of the Response');
  for (const signature of all.filter((el) => is(el, NS.dsig, 'Signature'))) assertEnveloped(signature);
  if (children(assertion, NS.dsig, 'Signature').length === 0)
    throw new VigilError('saml_unsigned', 'the assertion is not signed; Vigil requires signed assertions');
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) throw new VigilError('saml_invalid', 'the assertion has no ID');
  return {
    assertionId,
    issuer: text(child(assertion, NS.assertion, 'Issuer')),
    inResponseTo: root.getAttribute('InResponseTo') || null,
    destination: root.getAttribute('Destination') || null,
  };
}

/** After verification: the assertion node-saml read from the signed bytes must be the one inspected. */
export async function assertConsumedAssertion(
  verifiedAssertionXml: string,
  shape: ResponseShape,
): Promise<XmlElement> {
  const assertion = await parseXml(verifiedAssertionXml);
  if (!is(assertion, NS.assertion, 'Assertion') || assertion.getAttribute('ID') !== shape.assertionId)
    throw new VigilError('saml_wrapped', 'the signed assertion is not the assertion the Response carries');
  return assertion;
}

function assertUniqueIds(elements: readonly XmlElement[]): void {
  const seen = new Set<string>();
  for (const el of elements)
    for (const name of ID_ATTRIBUTES) {
      const id = el.getAttribute(name);
      if (!id) continue;
      if (seen.has(id)) throw new VigilError('saml_wrapped', 'two elements of the Response share an ID');
      seen.add(id);
    }
}

/** A signature is accepted only inside the element it signs (enveloped), as SAML requires. */
function assertEnveloped(signature: XmlElement): void {
  const parent = signature.parentNode;
  const parentIsSignable =
    parent !== null && (is(parent, NS.protocol, 'Response') || is(parent, NS.assertion, 'Assertion'));
  const references = descendants(signature).filter((el) => is(el, NS.dsig, 'Reference'));
  const uri = references.length === 1 ? references[0]!.getAttribute('URI') : null;
  if (!parentIsSignable || uri === null || uri !== `#${parent.getAttribute('ID') ?? ''}`)
    throw new VigilError(
      'saml_wrapped',
      'a signature in the Response does not sign the element that holds it',
    );
}

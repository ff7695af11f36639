// Checks node-saml leaves to its caller, made on the verified assertion: the bearer
// SubjectConfirmation must name this gateway's ACS URL as Recipient and still be valid (node-saml
// checks its times only when it validates InResponseTo), the issuer must be the configured
// provider, and the assertion is remembered until its last NotOnOrAfter (plus the skew) so a replay
// within that window is refused.
import { VigilError } from '../../core/errors.js';
import { child, children, NS, text, type XmlElement } from './saml-xml.js';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export interface AssertionExpectations {
  readonly acsUrl: string;
  readonly idpEntityId: string | null;
  readonly inResponseTo: string | null;
  readonly clockSkewMs: number;
  readonly now: number;
}

/** Checks the verified assertion; returns until when (ms) it could still be accepted. */
export function checkAssertion(assertion: XmlElement, expect: AssertionExpectations): number {
  const issuer = text(child(assertion, NS.assertion, 'Issuer'));
  if (expect.idpEntityId !== null && issuer !== expect.idpEntityId)
    throw new VigilError('saml_invalid', 'the assertion was issued by another identity provider');
  const subject = child(assertion, NS.assertion, 'Subject');
  const confirmations = (subject ? children(subject, NS.assertion, 'SubjectConfirmation') : [])
    .filter((c) => c.getAttribute('Method') === BEARER)
    .map((c) => child(c, NS.assertion, 'SubjectConfirmationData'))
    .filter((data): data is XmlElement => data !== null);
  if (confirmations.length === 0)
    throw new VigilError('saml_invalid', 'the assertion has no bearer SubjectConfirmation');
  const forUs = confirmations.filter((data) => data.getAttribute('Recipient') === expect.acsUrl);
  if (forUs.length === 0)
    throw new VigilError('saml_recipient', "the assertion's Recipient is not this gateway's ACS URL");
  const current = forUs.filter((data) => withinTimes(data, expect));
  const confirmation = current[0];
  if (!confirmation) throw new VigilError('saml_expired', "the assertion's subject confirmation has expired");
  const confirmedFor = confirmation.getAttribute('InResponseTo') || null;
  if (confirmedFor !== expect.inResponseTo)
    throw new VigilError('saml_in_response_to', "the assertion's InResponseTo differs from the Response's");
  const conditions = child(assertion, NS.assertion, 'Conditions');
  const ends = [confirmation, conditions]
    .map((el) => instant(el?.getAttribute('NotOnOrAfter') ?? null))
    .filter((ms): ms is number => ms !== null);
  return Math.max(...ends) + expect.clockSkewMs;
}

/**
 * When the provider issued the assertion (its IssueInstant, required by SAML 2.0; ms). Missing or
 * unreadable, it counts as issued at the epoch: older than any deactivation.
 */
export function assertionIssuedAt(assertion: XmlElement): number {
  return instant(assertion.getAttribute('IssueInstant')) ?? 0;
}

/** SAML's Web SSO profile requires NotOnOrAfter on a bearer confirmation; NotBefore is optional. */
function withinTimes(data: XmlElement, expect: AssertionExpectations): boolean {
  const notOnOrAfter = instant(data.getAttribute('NotOnOrAfter'));
  const notBefore = instant(data.getAttribute('NotBefore'));
  if (notOnOrAfter === null || expect.now - expect.clockSkewMs >= notOnOrAfter) return false;
  return notBefore === null || expect.now + expect.clockSkewMs >= notBefore;
}

function instant(value: string | null): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

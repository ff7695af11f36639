// What Vigil needs from a SAML identity provider: its entity id, where to send an AuthnRequest
// (the HTTP-Redirect SingleSignOnService) and the certificates it signs with. Read from its
// metadata (a URL or a saved file) or given directly in the configuration.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { VigilError } from '../../core/errors.js';
import type { SamlSectionConfig } from '../../core/saml-config.js';
import { child, children, descendants, is, NS, parseXml, text } from './saml-xml.js';

export interface IdpSettings {
  readonly entityId: string | null;
  readonly ssoUrl: string;
  /** PEM certificates; a Response signed by any of them verifies (providers roll keys with two). */
  readonly certificates: readonly string[];
}

const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const MAX_METADATA_BYTES = 1024 * 1024;

/** Parses IdP metadata (an EntityDescriptor, or the first one in an EntitiesDescriptor with an IdP role). */
export async function parseIdpMetadata(xml: string): Promise<IdpSettings> {
  let root: Awaited<ReturnType<typeof parseXml>>;
  try {
    root = await parseXml(xml);
  } catch (err) {
    throw new VigilError(
      'config_invalid',
      `the SAML IdP metadata is not well-formed XML: ${(err as Error).message}`,
    );
  }
  const entities = is(root, NS.metadata, 'EntityDescriptor')
    ? [root]
    : is(root, NS.metadata, 'EntitiesDescriptor')
      ? descendants(root).filter((el) => is(el, NS.metadata, 'EntityDescriptor'))
      : [];
  for (const entity of entities) {
    const idp = child(entity, NS.metadata, 'IDPSSODescriptor');
    if (!idp) continue;
    const sso = children(idp, NS.metadata, 'SingleSignOnService').find(
      (el) => el.getAttribute('Binding') === REDIRECT_BINDING,
    );
    const location = sso?.getAttribute('Location') ?? '';
    if (!isHttpUrl(location))
      throw new VigilError(
        'config_invalid',
        'the SAML IdP metadata has no HTTP-Redirect SingleSignOnService URL',
      );
    const certificates = children(idp, NS.metadata, 'KeyDescriptor')
      // No `use` means the key serves both signing and encryption (xmldom answers '' when absent).
      .filter((key) => ['', 'signing'].includes(key.getAttribute('use') ?? ''))
      .flatMap((key) => descendants(key).filter((el) => is(el, NS.dsig, 'X509Certificate')))
      .map((el) => pemCertificate(text(el)));
    if (certificates.length === 0)
      throw new VigilError('config_invalid', 'the SAML IdP metadata names no signing certificate');
    const entityId = entity.getAttribute('entityID');
    return { entityId: entityId ? entityId : null, ssoUrl: location, certificates };
  }
  throw new VigilError(
    'config_invalid',
    'the SAML IdP metadata has no EntityDescriptor with an IDPSSODescriptor',
  );
}

/** The provider's settings from the configuration: metadata URL, metadata file, or SSO URL + certificate. */
export async function loadIdpSettings(saml: SamlSectionConfig, baseDir: string): Promise<IdpSettings> {
  let settings: IdpSettings;
  if (saml.idp_metadata_url) settings = await parseIdpMetadata(await fetchMetadata(saml.idp_metadata_url));
  else if (saml.idp_metadata_file)
    settings = await parseIdpMetadata(readFileSync(inDir(baseDir, saml.idp_metadata_file), 'utf8'));
  else
    settings = {
      entityId: null,
      ssoUrl: saml.idp_sso_url!,
      certificates: [pemCertificate(readMaybeFile(saml.idp_cert!, baseDir))],
    };
  if (settings.ssoUrl.startsWith('http:') && !saml.allow_insecure_http)
    throw new VigilError('config_invalid', `the SAML SSO URL ${settings.ssoUrl} is not https`);
  return { ...settings, entityId: saml.idp_entity_id ?? settings.entityId };
}

/** PEM text as given, or the certificate's base64 body (as metadata carries it) wrapped as PEM. */
export function pemCertificate(value: string): string {
  if (value.includes('-----BEGIN CERTIFICATE-----')) return value.trim();
  const body = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body) || body.length < 64)
    throw new VigilError('config_invalid', 'a SAML certificate is neither PEM nor base64 DER');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----`;
}

/** `file:PATH` (relative to the config file) or the text itself. */
export function readMaybeFile(value: string, baseDir: string): string {
  return value.startsWith('file:') ? readFileSync(inDir(baseDir, value.slice(5)), 'utf8') : value;
}

function inDir(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

async function fetchMetadata(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/samlmetadata+xml, application/xml' } });
  } catch (err) {
    throw new VigilError('upstream_unreachable', `cannot fetch the SAML IdP metadata at ${url}`, {
      cause: err,
    });
  }
  const body = await res.text();
  if (!res.ok) throw new VigilError('upstream_failed', `the SAML IdP metadata URL answered ${res.status}`);
  if (Buffer.byteLength(body) > MAX_METADATA_BYTES)
    throw new VigilError('upstream_failed', 'the SAML IdP metadata is larger than 1 MiB');
  return body;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

// What a protected resource answers under the MCP authorization spec (RFC 9728): the metadata
// naming the resource and the authorization servers that issue tokens for it, and the URL of that
// metadata, which every 401 points at in WWW-Authenticate so a standard MCP client can find where
// to sign in. The metadata is served under the connection's own mount.
import type { IncomingMessage } from 'node:http';
import type { JsonObject } from '../../core/events.js';
import type { McpConnectionConfig } from './config.js';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

function baseUrl(req: IncomingMessage, config: McpConnectionConfig): string {
  if (config.public_url) return config.public_url.replace(/\/+$/, '');
  // The Host header is the client's; it only shapes a URL the same client reads, and is checked to be a host.
  const host =
    typeof req.headers.host === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host)
      ? req.headers.host
      : 'localhost';
  return `http://${host}`;
}

export function resourceUrl(req: IncomingMessage, config: McpConnectionConfig): string {
  return `${baseUrl(req, config)}/c/${config.name}/mcp`;
}

export function metadataUrl(req: IncomingMessage, config: McpConnectionConfig): string {
  return `${baseUrl(req, config)}/c/${config.name}${METADATA_PATH}`;
}

export function protectedResourceMetadata(req: IncomingMessage, config: McpConnectionConfig): JsonObject {
  return {
    resource: resourceUrl(req, config),
    authorization_servers: [...config.authorization_servers],
    bearer_methods_supported: ['header'],
    resource_name: `Vigil MCP connection ${config.name}`,
  };
}

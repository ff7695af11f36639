// A local S3 for tests: s3rver on a free port over a temporary folder, with one bucket. Its
// credentials are s3rver's fixed pair, handed over by secret reference as a configuration would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** The `payloads.objects` section for this server (credentials as env: references). */
  objectsSection(prefix?: string): Record<string, unknown>;
  /** Stops serving (connections cut); the data stays until `close`. */
  stop(): Promise<void>;
  /** Stops and deletes its folder. */
  close(): Promise<void>;
}

const ACCESS_KEY_VARIABLE = 'VIGIL_TEST_S3_ACCESS_KEY_ID';
const SECRET_KEY_VARIABLE = 'VIGIL_TEST_S3_SECRET_ACCESS_KEY';

export async function startTestS3(bucket = 'vigil-payloads'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'vigil-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  process.env[ACCESS_KEY_VARIABLE] = 'S3RVER';
  process.env[SECRET_KEY_VARIABLE] = 'S3RVER';
  let running = true;
  const stop = async () => {
    if (!running) return;
    running = false;
    const closed = server.close();
    // Clients keep connections alive: cut them, or close waits for their idle timeout.
    server.httpServer.closeAllConnections();
    await closed;
  };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    objectsSection: (prefix = '') => ({
      type: 's3',
      bucket,
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'us-east-1',
      prefix,
      force_path_style: true,
      access_key_id: `env:${ACCESS_KEY_VARIABLE}`,
      secret_access_key: `env:${SECRET_KEY_VARIABLE}`,
    }),
    stop,
    async close() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

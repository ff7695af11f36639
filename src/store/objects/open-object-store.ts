// The object store the `payloads.objects` section names, with its credentials resolved.
import { isAbsolute, join } from 'node:path';
import type { ObjectsConfig } from '../../core/payloads-config.js';
import type { ObjectStore } from '../../core/ports.js';
import { readSecretReference } from '../secret-reference.js';
import { FsObjectStore } from './fs-object-store.js';
import { S3ObjectStore } from './s3-object-store.js';

/** `dataDir`: where a relative fs path lives; `baseDir`: where `file:` references are relative to. */
export function openObjectStore(config: ObjectsConfig, dataDir: string, baseDir: string): ObjectStore {
  switch (config.type) {
    case 'fs':
      return new FsObjectStore(isAbsolute(config.path) ? config.path : join(dataDir, config.path));
    case 's3':
      return new S3ObjectStore({
        bucket: config.bucket,
        region: config.region,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        prefix: config.prefix,
        forcePathStyle: config.force_path_style,
        ...(config.access_key_id && config.secret_access_key
          ? {
              credentials: {
                accessKeyId: readSecretReference(
                  config.access_key_id,
                  baseDir,
                  'payloads.objects.access_key_id',
                ),
                secretAccessKey: readSecretReference(
                  config.secret_access_key,
                  baseDir,
                  'payloads.objects.secret_access_key',
                ),
              },
            }
          : {}),
      });
  }
}

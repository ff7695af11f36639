// The `payloads` section: large payloads kept in object storage rather than in the store's rows,
// committed by the same payload hash (docs/object-storage.md). Off unless the section is present.
import { z } from 'zod';
import { parseByteSize } from './byte-size.js';
import { secretRef } from './config-primitives.js';

export const byteSize = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseByteSize(value);
  if (bytes === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a size such as 4096, 512KiB, 1MiB or 2GB' });
    return z.NEVER;
  }
  return bytes;
});

/** A folder, relative to the data directory unless absolute: the embedded default. */
const fsObjectsSchema = z.strictObject({
  type: z.literal('fs'),
  path: z.string().min(1).default('payloads'),
});

/** Any S3-compatible service (AWS S3, MinIO, Ceph, R2); credentials by reference only. */
const s3ObjectsSchema = z.strictObject({
  type: z.literal('s3'),
  bucket: z.string().min(1),
  /** For a service other than AWS, such as http://127.0.0.1:9000; AWS's own endpoint when absent. */
  endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  region: z.string().min(1).default('us-east-1'),
  /** Prepended to every object key, such as `ledger/`. */
  prefix: z.string().default(''),
  /** Bucket in the path rather than the host name (MinIO and most self-hosted services need it). */
  force_path_style: z.boolean().default(false),
  /** Both or neither; without them the AWS SDK's default chain (environment, profile, instance role). */
  access_key_id: secretRef.optional(),
  secret_access_key: secretRef.optional(),
});

export const payloadsSectionSchema = z
  .strictObject({
    /** Payloads whose canonical text is larger than this go to object storage. */
    offload_above: byteSize.default(1024 * 1024),
    objects: z.discriminatedUnion('type', [fsObjectsSchema, s3ObjectsSchema]).default({
      type: 'fs',
      path: 'payloads',
    }),
  })
  .superRefine((section, ctx) => {
    if (section.objects.type !== 's3') return;
    if ((section.objects.access_key_id === undefined) !== (section.objects.secret_access_key === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['objects', 'secret_access_key'],
        message: 'access_key_id and secret_access_key go together',
      });
    }
  })
  .optional();

export type PayloadsConfig = NonNullable<z.output<typeof payloadsSectionSchema>>;
export type ObjectsConfig = PayloadsConfig['objects'];

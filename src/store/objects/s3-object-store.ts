// Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2). S3 acknowledges a PUT only once the
// object is stored durably, so `put` resolving is the durability the write-ahead order needs. Calls
// are bounded in time: a service that hangs fails the append (closed) rather than holding it.
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../core/ports.js';
import { MAX_OBJECT_BYTES, objectRefused } from './object-bounds.js';

export interface S3ObjectStoreOptions {
  readonly bucket: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly prefix: string;
  readonly forcePathStyle: boolean;
  /** Resolved credentials; the SDK's default chain when absent. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Per attempt; two attempts per call. */
  readonly requestTimeoutMs?: number;
  /** An object larger than this is refused unread (object-bounds.ts). */
  readonly maxObjectBytes?: number;
}

export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #maxBytes: number;

  constructor(options: S3ObjectStoreOptions) {
    this.#bucket = options.bucket;
    this.#prefix = options.prefix;
    this.#maxBytes = options.maxObjectBytes ?? MAX_OBJECT_BYTES;
    const timeout = options.requestTimeoutMs ?? 10_000;
    this.#client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
      maxAttempts: 2,
      requestHandler: { connectionTimeout: Math.min(timeout, 3000), requestTimeout: timeout },
      // Checksums only where S3 requires them: several S3-compatible services refuse the newer
      // trailing checksums, and the ledger's own hash checks the content on every read that matters.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#prefix + key,
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: 'application/json',
      }),
    );
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      const answer = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
      );
      if (!answer.Body) return new Uint8Array();
      // Whoever can write the bucket chooses the object's size: read no more than a payload can be,
      // whatever Content-Length says (a chunked answer has none).
      const body = answer.Body as unknown as AsyncIterable<Uint8Array> & { destroy?: () => void };
      if ((answer.ContentLength ?? 0) > this.#maxBytes) {
        body.destroy?.();
        throw objectRefused(key, `${answer.ContentLength} bytes, more than any payload`);
      }
      return await boundedBytes(body, this.#maxBytes, key);
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }));
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

/** The stream's bytes, refused (and the stream dropped) once they pass `max`. */
async function boundedBytes(body: AsyncIterable<Uint8Array>, max: number, key: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Leaving the loop early (the throw) destroys the stream: the rest is never downloaded.
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > max) throw objectRefused(key, `more than ${max} bytes, more than any payload`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function notFound(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404;
}

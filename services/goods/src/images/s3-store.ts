/**
 * Pictures in an S3-compatible bucket (AWS S3, MinIO, Ceph, Cloudflare R2, ...): what a cluster
 * uses so every instance sees every picture. Plain PUT and GET signed with AWS Signature V4
 * (aws4); path-style addresses by default, which every S3-compatible store accepts.
 */
import aws4 from 'aws4';
import type { ImageStore } from '../domain/ports';

export interface S3Settings {
  /** e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000 */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A folder in the bucket, e.g. "goods/". */
  prefix: string;
  /** bucket.host/key instead of host/bucket/key. */
  virtualHosted: boolean;
  timeoutMs: number;
}

export class S3ImageStore implements ImageStore {
  private readonly endpoint: URL;

  constructor(private readonly settings: S3Settings) {
    this.endpoint = new URL(settings.endpoint);
  }

  async put(name: string, content: Buffer, contentType: string): Promise<void> {
    const response = await this.send('PUT', name, { 'content-type': contentType, 'cache-control': 'public, max-age=31536000, immutable' }, content);
    if (!response.ok) throw new Error(`S3 PUT ${name} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }

  async get(name: string): Promise<{ content: Buffer; contentType: string } | undefined> {
    const response = await this.send('GET', name, {});
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`S3 GET ${name} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    return { content: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? 'application/octet-stream' };
  }

  private send(method: 'GET' | 'PUT', name: string, headers: Record<string, string>, body?: Buffer): Promise<Response> {
    const { bucket, prefix, region, accessKeyId, secretAccessKey, virtualHosted } = this.settings;
    const key = `${prefix}${name}`.split('/').map(encodeURIComponent).join('/');
    const host = virtualHosted ? `${bucket}.${this.endpoint.host}` : this.endpoint.host;
    const basePath = this.endpoint.pathname.replace(/\/$/, '');
    const requestPath = virtualHosted ? `${basePath}/${key}` : `${basePath}/${encodeURIComponent(bucket)}/${key}`;
    const signed = aws4.sign({ host, path: requestPath, method, service: 's3', region, headers, body }, { accessKeyId, secretAccessKey });
    // fetch sets Host and Content-Length itself, to the values that were signed.
    const sent = Object.fromEntries(Object.entries(signed.headers as Record<string, string>).filter(([name]) => !/^(host|content-length)$/i.test(name)));
    return fetch(`${this.endpoint.protocol}//${host}${requestPath}`, {
      method,
      headers: sent,
      body,
      signal: AbortSignal.timeout(this.settings.timeoutMs),
    });
  }
}

// Calling a running gateway over real HTTP the way clients do, checking every response against the
// gateway's own /openapi.json (path, method, status, media type and body schema).
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Role } from '../../src/auth';
import { keyHeader } from './apiKeys';
import type { ServiceProcess } from './serviceProcess';

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        'x-required-role'?: Role;
        responses: Record<string, { content?: Record<string, { schema: object }> }>;
      }
    >
  >;
  components: { schemas: Record<string, object> };
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> & { pools?: Array<Record<string, unknown>> };
}

export type ApiCall = (
  method: string,
  path: string,
  template: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ApiResponse>;

/** Waits until `url` answers 2xx, failing early with the log if the process exits. */
export async function waitForReady(url: string, process: ServiceProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (process.exitCode !== undefined)
      throw new Error(`${process.name} exited:\n${process.log().slice(-2000)}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready:\n${process.log().slice(-2000)}`);
}

/**
 * A caller for the gateway at `base`, validating against the /openapi.json it serves now. Unless the call
 * passes its own credentials header, it sends the test key of the role the operation declares
 * (x-required-role), so every call also checks that declaration.
 */
export async function gatewayApi(base: string): Promise<ApiCall> {
  const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApi;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  return async (method, path, template, body, headers = {}) => {
    const role = openapi.paths[template]?.[method.toLowerCase()]?.['x-required-role'];
    const explicit = Object.keys(headers).some((h) => /^(x-api-key|authorization)$/i.test(h));
    const credentials = role && !explicit ? keyHeader(role) : {};
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...credentials, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const json = (await response.json()) as ApiResponse['body'];
    const spec = openapi.paths[template]?.[method.toLowerCase()]?.responses[String(response.status)];
    if (!spec)
      throw new Error(
        `${method} ${path} answered ${response.status}, which /openapi.json does not declare: ${JSON.stringify(json)}`,
      );
    const [mediaType, content] = Object.entries(spec.content ?? {})[0] ?? [];
    expect(response.headers.get('content-type')).toContain(mediaType);
    const schema = JSON.parse(
      JSON.stringify(content?.schema).replace('"#/components/schemas/Problem"', '"#/$defs/Problem"'),
    );
    const validate = ajv.compile({ ...schema, $defs: openapi.components.schemas });
    if (!validate(json))
      throw new Error(
        `${method} ${path} ${response.status} does not match /openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(json)}`,
      );
    return { status: response.status, headers: response.headers, body: json };
  };
}

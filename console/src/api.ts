// Calls to the gateway with the signed-in credential, turning problem+json answers into errors whose
// message is the problem in words (title, detail, code), so every caller can show it as it is.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The header a credential travels in: a JWT (three base64url parts) as a bearer token, else an API key. */
export function credentialHeaders(credential: string): Record<string, string> {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(credential)
    ? { authorization: `Bearer ${credential}` }
    : { 'x-api-key': credential };
}

/** An error answer in words: "Forbidden: <detail> (FORBIDDEN, 403)", whatever the body turned out to be. */
export function problemMessage(
  status: number,
  statusText: string,
  body: unknown,
): { message: string; code: string } {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const title = typeof problem.title === 'string' ? problem.title : statusText || 'Error';
  const detail = typeof problem.detail === 'string' ? problem.detail : '';
  const code = typeof problem.code === 'string' ? problem.code : `HTTP_${status}`;
  return { message: `${title}${detail ? `: ${detail}` : ''} (${code}, ${status})`, code };
}

export async function errorOf(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  const { message, code } = problemMessage(response.status, response.statusText, body);
  return new ApiError(message, response.status, code);
}

export class Api {
  constructor(private readonly credential: string) {}

  headers(): Record<string, string> {
    return credentialHeaders(this.credential);
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          ...this.headers(),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          // Writes carry a key, so a retried click is the same command (the gateway answers the first outcome).
          ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw new ApiError(`The gateway could not be reached: ${String(error)}`, 0, 'NETWORK');
    }
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }
}

// Every error leaves the gateway as an RFC 9457 problem document, mapped here and nowhere else.
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { ResultTimeoutError } from '../client';
import type { CommandResult } from '../contracts';
import { InvalidReservationIdError, type RejectionCode } from '../domain';
import { CapacityError, describeError, OverloadedError, UnavailableError } from '../errors';
import type { Logger } from '../observability';

/** Thrown by route handlers for an outcome that is an HTTP error (validation, rejections, timeouts). */
export class HttpProblem extends CapacityError {
  constructor(
    readonly status: number,
    code: string,
    readonly detail: string,
    readonly extra: Record<string, string> = {},
    /** Response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(code, detail);
  }
}

/** Seconds a client should wait before retrying a 503 (Retry-After). */
export const RETRY_AFTER_SECONDS = 1;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * HTTP status of each domain rejection code; the problem type is `/problems/<code in kebab case>`. An
 * expired pool is gone for good (410): its id cannot be booked or redefined while its marker exists.
 */
export const REJECTION_STATUS: Readonly<Record<RejectionCode, number>> = {
  INVALID_COMMAND: 400,
  POOL_NOT_FOUND: 404,
  RESERVATION_NOT_FOUND: 404,
  POOL_ALREADY_DEFINED: 409,
  POOL_CLOSED: 409,
  INSUFFICIENT_CAPACITY: 409,
  VERSION_CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  BOOKING_CLOSED: 409,
  SLOT_ENDED: 409,
  POOL_EXPIRED: 410,
};

/**
 * The problem a rejected command result becomes. A code the gateway does not know (a processing code such
 * as UNDECODABLE, or one from a newer processor) is a 500: the client cannot fix it.
 */
export function rejectionProblem(result: CommandResult): HttpProblem {
  const code = result.reasonCode ?? 'REJECTED';
  const status = (REJECTION_STATUS as Readonly<Record<string, number>>)[code] ?? 500;
  return new HttpProblem(status, code, result.message ?? 'rejected', { commandId: result.commandId });
}

export function validationProblem(error: z.ZodError, where: string): HttpProblem {
  const detail = error.issues.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`).join('; ');
  return new HttpProblem(400, 'INVALID_REQUEST', detail);
}

function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof ResultTimeoutError) {
    return new HttpProblem(504, error.code, `${error.message}`, { commandId: error.commandId });
  }
  if (error instanceof InvalidReservationIdError) return new HttpProblem(400, error.code, error.message);
  if (error instanceof OverloadedError) {
    return new HttpProblem(
      503,
      error.code,
      error.message,
      {},
      { 'retry-after': String(error.retryAfterSeconds) },
    );
  }
  if (error instanceof UnavailableError) {
    const commandId = error.context.commandId;
    return new HttpProblem(
      503,
      error.code,
      error.message,
      typeof commandId === 'string' ? { commandId } : {},
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  const http = error as { type?: string; status?: number; message?: string };
  if (http.type === 'entity.parse.failed')
    return new HttpProblem(400, 'MALFORMED_JSON', `request body is not valid JSON: ${http.message}`);
  if (http.type === 'entity.too.large')
    return new HttpProblem(413, 'PAYLOAD_TOO_LARGE', 'request body is larger than 16 kB');
  if (http.status === 415 || http.type === 'charset.unsupported')
    return new HttpProblem(400, 'UNSUPPORTED_BODY', describeError(error));
  // Express's router and body-parser mark what the client sent wrong with a 4xx status: a path parameter
  // that is not valid percent-encoding (/v1/pools/%ZZ), a Content-Encoding: gzip body that does not inflate.
  if (typeof http.status === 'number' && http.status >= 400 && http.status < 500)
    return new HttpProblem(400, 'INVALID_REQUEST', `the request cannot be read: ${describeError(error)}`);
  return new HttpProblem(500, 'INTERNAL', 'unexpected error; see the gateway log for the request id');
}

export function problemMiddleware(logger: Logger) {
  return (error: unknown, request: Request, response: Response, _next: NextFunction): void => {
    const problem = toProblem(error);
    const requestId = String(response.getHeader('x-request-id') ?? '');
    if (problem.status >= 500)
      logger.error({ err: describeError(error), requestId, path: request.path }, problem.code);
    for (const [name, value] of Object.entries(problem.headers)) response.setHeader(name, value);
    response
      .status(problem.status)
      .type('application/problem+json')
      .json({
        type: `/problems/${problem.code.toLowerCase().replace(/_/g, '-')}`,
        title: TITLES[problem.status] ?? 'Error',
        status: problem.status,
        detail: problem.detail,
        code: problem.code,
        requestId,
        ...problem.extra,
      });
  };
}

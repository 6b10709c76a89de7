// The HTTP shapes of ADR 12: PUT /v1/pools/{poolId} takes an optional bookableUntil, every pool
// representation carries it, and the OpenAPI document lists the lifecycle problems per operation.
import Ajv2020 from 'ajv/dist/2020';
import { parseReservationId, reservationIdFor, type Pool } from '../../../src/domain';
import { definePoolBody, openApiDocument, poolResponse, poolView } from '../../../src/gateway';

const body = {
  zone: 'north',
  slotStart: '2030-03-04T10:00:00Z',
  slotEnd: '2030-03-04T12:00:00Z',
  capacity: 5,
};
/** The detail the gateway answers a 400 with (validationProblem), for the body. */
function problems(value: unknown): string[] {
  const result = definePoolBody.safeParse(value);
  return result.success
    ? []
    : result.error.issues.map((i) => `${['body', ...i.path].join('.')}: ${i.message}`);
}

describe('PUT /v1/pools/{poolId} body: bookableUntil', () => {
  test('is optional', () => {
    expect(problems(body)).toEqual([]);
    expect(definePoolBody.parse(body)).not.toHaveProperty('bookableUntil');
  });

  test.each(['2030-03-04T09:00:00Z', '2030-03-04T10:30:00+01:00', '2030-03-04T12:00:00Z'])(
    'takes an ISO-8601 time at or before slotEnd: %s',
    (bookableUntil) => {
      expect(problems({ ...body, bookableUntil })).toEqual([]);
      expect(definePoolBody.parse({ ...body, bookableUntil }).bookableUntil).toBe(bookableUntil);
    },
  );

  test.each([
    ['2030-03-04T12:00:01Z', 'body.bookableUntil: must not be after slotEnd'],
    ['2030-03-05', 'body.bookableUntil: must be an ISO-8601 date-time, e.g. 2026-12-01T08:00:00Z'],
    [1_900_000_000_000, 'body.bookableUntil: must be an ISO-8601 date-time, e.g. 2026-12-01T08:00:00Z'],
  ])('refuses %p, naming the field', (bookableUntil, detail) => {
    expect(problems({ ...body, bookableUntil })).toContain(detail);
  });
});

describe('pool representation', () => {
  const pool: Pool = {
    poolId: 'north-10',
    zone: 'north',
    slotStart: Date.parse('2030-03-04T10:00:00Z'),
    slotEnd: Date.parse('2030-03-04T12:00:00Z'),
    bookableUntil: Date.parse('2030-03-04T09:00:00Z'),
    capacity: 5,
    reserved: 1,
    status: 'open',
    version: 2,
    updatedAt: 0,
  };

  test('carries bookableUntil in ISO-8601, like the slot', () => {
    expect(poolView(pool)).toMatchObject({
      slotStart: '2030-03-04T10:00:00.000Z',
      bookableUntil: '2030-03-04T09:00:00.000Z',
    });
    expect(poolResponse.parse(poolView(pool))).toEqual(poolView(pool));
  });

  test('an expired pool is a valid representation too', () => {
    expect(poolResponse.safeParse(poolView({ ...pool, status: 'expired' })).success).toBe(true);
  });
});

describe('OpenAPI document', () => {
  type Operation = { responses: Record<string, { description: string }> };
  const paths = openApiDocument().paths as Record<string, Record<string, Operation>>;
  const responses = (path: string, method: string) => paths[path]?.[method]?.responses ?? {};

  test.each([
    ['/v1/pools/{poolId}', 'put', /SLOT_ENDED/],
    ['/v1/pools/{poolId}', 'patch', /SLOT_ENDED/],
    ['/v1/reservations', 'post', /BOOKING_CLOSED/],
    ['/v1/reservations/{reservationId}', 'delete', /SLOT_ENDED/],
  ])('%s %s lists its 409 (%s) and 410 POOL_EXPIRED', (path, method, conflict) => {
    expect(responses(path, method)['409']?.description).toMatch(conflict);
    expect(responses(path, method)['410']?.description).toMatch(/^POOL_EXPIRED/);
  });

  // Found while fuzzing: a body over 16 kB is 413 problem+json, and the document did not say so.
  test.each([
    ['/v1/pools/{poolId}', 'put'],
    ['/v1/pools/{poolId}', 'patch'],
    ['/v1/availability', 'post'],
    ['/v1/reservations', 'post'],
  ])('%s %s, which takes a body, lists 413 PAYLOAD_TOO_LARGE', (path, method) => {
    expect(responses(path, method)['413']?.description).toMatch(/^PAYLOAD_TOO_LARGE/);
  });

  test('closing an expired pool is 410', () => {
    expect(responses('/v1/pools/{poolId}/close', 'post')['410']?.description).toMatch(/^POOL_EXPIRED/);
  });

  // Found by the fuzz test: the document took any string for both, and the gateway answered 400 to most.
  describe('documents the parameters exactly as the gateway checks them', () => {
    type Parameter = { name: string; schema: object };
    const parameter = (path: string, method: string, name: string) => {
      const operation = paths[path]?.[method] as unknown as { parameters: Parameter[] };
      const found = operation.parameters.find((p) => p.name === name);
      return ajv.compile(found?.schema ?? false);
    };
    const ajv = new Ajv2020({ strict: false });

    test('reservationId: r1.<poolId>.<32 hex digits>, what a release can parse', () => {
      const documented = parameter('/v1/reservations/{reservationId}', 'delete', 'reservationId');
      const valid = [reservationIdFor('north-10', 'order-1'), reservationIdFor('x'.repeat(64), 'k')];
      const invalid = [
        '0',
        'r1.north-10',
        'r2.north-10.00000000000000000000000000000000',
        'r1.north.10.00000000000000000000000000000000',
        'r1.north-10.0000000000000000000000000000000',
        'r1.north-10.0000000000000000000000000000000A',
        `r1.${'x'.repeat(65)}.00000000000000000000000000000000`,
      ];
      for (const id of [...valid, ...invalid]) {
        expect([id, documented(id)]).toEqual([id, parseReservationId(id).ok]);
      }
    });

    test.each([
      ['/v1/reservations', 'post'],
      ['/v1/reservations/{reservationId}', 'delete'],
      ['/v1/pools/{poolId}', 'put'],
      ['/v1/pools/{poolId}', 'patch'],
      ['/v1/pools/{poolId}/close', 'post'],
    ])('Idempotency-Key of %s %s: 1-128 visible ASCII characters', (path, method) => {
      const documented = parameter(path, method, 'Idempotency-Key');
      for (const key of ['order-1', '!', '~'.repeat(128)])
        expect([key, documented(key)]).toEqual([key, true]);
      for (const key of ['', 'order 1', 'ordér', 'a\tb', 'k'.repeat(129)])
        expect([key, documented(key)]).toEqual([key, false]);
    });
  });

  test('the PUT body documents bookableUntil as an optional date-time', () => {
    const put = paths['/v1/pools/{poolId}']?.put as unknown as {
      requestBody: { content: { 'application/json': { schema: Record<string, unknown> } } };
    };
    const schema = put.requestBody.content['application/json'].schema as {
      properties: Record<string, { format?: string }>;
      required: string[];
    };
    expect(schema.properties.bookableUntil).toMatchObject({ format: 'date-time' });
    expect(schema.required).not.toContain('bookableUntil');
  });
});

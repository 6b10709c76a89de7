export { Gateway } from './gateway';
export { createGatewayApp } from './gatewayApp';
export { openApiDocument } from './openapi';
export { problemMiddleware } from './problems';
export { InFlightLimiter } from './inFlightLimiter';
export type { InFlightLimiterHooks } from './inFlightLimiter';
export { CoalescingStream, encodeSseEvent, sseComment } from './sse';
export type { SseSink } from './sse';

export { Gateway } from './gateway';
export { createGatewayApp } from './gatewayApp';
export { openApiDocument } from './openapi';
export { problemMiddleware } from './problems';

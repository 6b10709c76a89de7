export { CapacityClient, ResultTimeoutError, SendTimeoutError } from './capacityClient';
export type { CapacityClientParts, CommandTransport, SubmitOptions } from './capacityClient';

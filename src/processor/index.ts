export { Processor } from './processor';
export type { ProcessorOptions } from './processor';
export { handleCommand } from './commandHandler';
export type { HandledCommand, HandlerContext, RawCommand } from './commandHandler';

export { postfixAvailable } from './available';
export type { DeliveredMessage, DeliveryMatch } from './deliveries';
export { startPostfix } from './start-postfix';
export type { Postfix, StartPostfixOptions } from './start-postfix';

/**
 * @shop/contracts: what the shop's processes agree on. `@shop/common` is the shop-free platform
 * (RPC, MQ, DB, HTTP); this package is the vocabulary on top of it.
 */
export { couponContract, goodsContract, orderContract, payContract, userContract } from './rpc-contracts';
export { Tags, Topics } from './topics';
export { Events } from './events';
export type * from './events';
export { fields, problemWith, type BodyOf, type Field, type Schema } from './event-schema';
export { decodeEvent, eventsOf, type ServiceEvents, type TypedHandler } from './event-bus';
export { orderReleaseHandlers, startOrderCancelConsumer, type OrderCancelConsumerOptions, type Release, type Releaser } from './order-release';
export { MAX_LINES, MAX_QUANTITY, normaliseLines, type OrderLineInput } from './order-lines';
export type { RefundLine, RefundShares } from './refund-plan';
export { FAULT_HEADER, faultCallOptions, Faults, isFault, type Fault } from './faults';
export { isPlanted, PlantedDefects, type PlantedDefect } from './planted-defects';
export { readPayExpiryMargin, readPayTimeout } from './pay-timeout';
export { fromAlipayTime, isCalendarDate, toAlipayTime } from './alipay-time';
export { dayRange, daySeries, MAX_RANGE_DAYS, recentDays, type DayRange } from './day-range';

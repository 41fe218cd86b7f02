export { fromAlipayTime, isCalendarDate, toAlipayTime } from './alipay-time';

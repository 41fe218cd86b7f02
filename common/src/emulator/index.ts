/** What the local payment gateways (web/alipay-gateway, web/wechatpay-gateway) share: sandbox faults and the notification switch. */
export { DEFAULT_FAULT_DELAY_MS, FAULT_MODES, FaultQueue, type FaultMode, type FaultPlay, type QueuedFault } from './fault-queue';
export {
  DEFAULT_NOTIFICATION_DELAY_MS,
  NotificationSwitch,
  notificationSwitchSchema,
  type NotificationFault,
  type NotificationSwitchMode,
  type NotificationSwitchState,
} from './notification-switch';
export { registerFaultAndSwitchRoutes, type SandboxFaults } from './sandbox-routes';
export { DelayedTasks } from './delayed-tasks';
export { notificationsOf, payBodySchema, type NotifyMode, type PayOptions } from './buyer-payment';
export { addTampering, type BillTampering } from './bill-tampering';
export { runGateway, type GatewayProcess } from './run-gateway';
export { escapeHtml, serveCashierStyle } from './cashier-page';

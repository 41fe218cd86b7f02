export { stateMachine, type Move, type StateMachine } from './state-machine';

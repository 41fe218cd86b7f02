/**
 * A status machine as data: the statuses of an entity and every move it can make, by name, each
 * from a set of statuses to one. The stores apply a move as one conditional UPDATE per starting
 * status (so the history row knows which status was left); the domain asks the table whether a
 * move is possible instead of repeating status lists at each call site.
 */
export interface Move<S extends string> {
  readonly from: readonly S[];
  readonly to: S;
}

export interface StateMachine<S extends string, M extends Record<string, Move<S>>> {
  readonly statuses: readonly S[];
  readonly moves: M;
  /** Whether `move` can start from `status`. */
  can(move: keyof M, status: S | undefined): boolean;
  /** The moves that can start from `status`, by name. */
  movesFrom(status: S): (keyof M & string)[];
  /** The statuses no move leaves. */
  final(): S[];
}

export function stateMachine<S extends string, const M extends Record<string, Move<S>>>(statuses: readonly S[], moves: M): StateMachine<S, M> {
  for (const [name, move] of Object.entries(moves)) {
    for (const status of [...move.from, move.to]) if (!statuses.includes(status)) throw new Error(`move ${name}: unknown status ${status}`);
  }
  const names = Object.keys(moves) as (keyof M & string)[];
  return {
    statuses,
    moves,
    can: (move, status) => status !== undefined && moves[move]!.from.includes(status),
    movesFrom: (status) => names.filter((name) => moves[name]!.from.includes(status)),
    final: () => statuses.filter((status) => !names.some((name) => moves[name]!.from.includes(status))),
  };
}

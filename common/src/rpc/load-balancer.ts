/**
 * Dubbo's load-balancing strategies over the providers a call may still use.
 * Each gets the candidates (never empty) and returns one of them.
 */

export interface Candidate {
  id: string;
  weight: number;
  /** Calls in flight to this provider from this process. */
  active: number;
}

export type BalancerName = 'random' | 'roundrobin' | 'leastactive';

export interface LoadBalancer {
  pick<C extends Candidate>(candidates: readonly C[]): C;
}

/** Random, in proportion to the weights (Dubbo's default). */
export class RandomWeightedBalancer implements LoadBalancer {
  constructor(private readonly random: () => number = Math.random) {}

  pick<C extends Candidate>(candidates: readonly C[]): C {
    const total = candidates.reduce((sum, c) => sum + c.weight, 0);
    if (total <= 0) return candidates[Math.floor(this.random() * candidates.length)]!;
    let point = this.random() * total;
    for (const c of candidates) {
      point -= c.weight;
      if (point < 0) return c;
    }
    return candidates[candidates.length - 1]!;
  }
}

/** Smooth weighted round robin (nginx's, as Dubbo uses): even spread, in weight proportions. */
export class RoundRobinBalancer implements LoadBalancer {
  private readonly current = new Map<string, number>();

  pick<C extends Candidate>(candidates: readonly C[]): C {
    let total = 0;
    let best: C | undefined;
    let bestValue = -Infinity;
    for (const c of candidates) {
      const weight = Math.max(c.weight, 1);
      const value = (this.current.get(c.id) ?? 0) + weight;
      this.current.set(c.id, value);
      total += weight;
      if (value > bestValue) [best, bestValue] = [c, value];
    }
    this.current.set(best!.id, bestValue - total);
    if (this.current.size > candidates.length * 4) this.forgetGone(candidates);
    return best!;
  }

  private forgetGone(candidates: readonly Candidate[]): void {
    const live = new Set(candidates.map((c) => c.id));
    for (const id of this.current.keys()) if (!live.has(id)) this.current.delete(id);
  }
}

/** Fewest calls in flight; ties broken at random by weight. Slow providers get less work. */
export class LeastActiveBalancer implements LoadBalancer {
  private readonly tieBreaker: RandomWeightedBalancer;

  constructor(random: () => number = Math.random) {
    this.tieBreaker = new RandomWeightedBalancer(random);
  }

  pick<C extends Candidate>(candidates: readonly C[]): C {
    const least = Math.min(...candidates.map((c) => c.active));
    return this.tieBreaker.pick(candidates.filter((c) => c.active === least));
  }
}

export function createBalancer(name: BalancerName): LoadBalancer {
  switch (name) {
    case 'random':
      return new RandomWeightedBalancer();
    case 'roundrobin':
      return new RoundRobinBalancer();
    case 'leastactive':
      return new LeastActiveBalancer();
  }
}

/** A small Prometheus text-format registry: counters, gauges and histograms with labels. */

type Labels = Record<string, string>;

const key = (labels: Labels) => Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const fmt = (name: string, labels: string, value: number) => `${name}${labels ? `{${labels}}` : ''} ${Number.isFinite(value) ? value : 0}`;

interface Metric {
  render(): string[];
}

class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(private readonly name: string, private readonly help: string, private readonly kind: 'counter' | 'gauge') {}
  inc(labels: Labels = {}, by = 1) {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  set(value: number, labels: Labels = {}) {
    this.values.set(key(labels), value);
  }
  render() {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.kind}`];
    if (this.values.size === 0 && this.kind === 'counter') lines.push(fmt(this.name, '', 0));
    for (const [k, v] of this.values) lines.push(fmt(this.name, k, v));
    return lines;
  }
}

class Histogram implements Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(private readonly name: string, private readonly help: string, private readonly buckets: number[]) {}
  observe(value: number, labels: Labels = {}) {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((b, i) => { if (value <= b) s.counts[i]! += 1; });
    s.sum += value;
    s.count += 1;
  }
  render() {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      this.buckets.forEach((b, i) => lines.push(fmt(`${this.name}_bucket`, `${sep}le="${b}"`, s.counts[i]!)));
      lines.push(fmt(`${this.name}_bucket`, `${sep}le="+Inf"`, s.count), fmt(`${this.name}_sum`, k, s.sum), fmt(`${this.name}_count`, k, s.count));
    }
    return lines;
  }
}

export class Metrics {
  private readonly all: Metric[] = [];
  private readonly collectors: Array<() => Promise<void> | void> = [];

  counter(name: string, help: string) {
    return this.add(new Counter(name, help, 'counter'));
  }
  gauge(name: string, help: string) {
    return this.add(new Counter(name, help, 'gauge'));
  }
  histogram(name: string, help: string, buckets: number[]) {
    return this.add(new Histogram(name, help, buckets));
  }
  /** Runs before each scrape, to refresh gauges read from elsewhere (queue depth …). */
  onCollect(collect: () => Promise<void> | void) {
    this.collectors.push(collect);
  }
  async render(): Promise<string> {
    for (const c of this.collectors) await c();
    return `${this.all.flatMap((m) => m.render()).join('\n')}\n`;
  }
  private add<M extends Metric>(metric: M): M {
    this.all.push(metric);
    return metric;
  }
}

/** The service's metrics, shared by the HTTP app and the worker. */
export function createServiceMetrics() {
  const registry = new Metrics();
  return {
    registry,
    httpRequests: registry.counter('embedkeep_http_requests_total', 'HTTP requests by method, route and status.'),
    httpDuration: registry.histogram('embedkeep_http_request_duration_seconds', 'HTTP request latency.', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]),
    queueDepth: registry.gauge('embedkeep_queue_jobs', 'Jobs in the queue by state.'),
    inFlight: registry.gauge('embedkeep_captures_in_flight', 'Captures running now.'),
    captures: registry.counter('embedkeep_captures_total', 'Finished captures by provider and status.'),
    captureFailures: registry.counter('embedkeep_capture_failures_total', 'Failed capture layers by provider, layer and reason.'),
    retries: registry.counter('embedkeep_job_retries_total', 'Jobs put back for a later attempt.'),
    captureDuration: registry.histogram('embedkeep_capture_duration_seconds', 'Capture latency by provider.', [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60]),
    browserRestarts: registry.counter('embedkeep_browser_restarts_total', 'Browser launches after the first, by reason.'),
    browserMemory: registry.gauge('embedkeep_browser_memory_bytes', 'Proportional set size of the browser and its child processes, sampled every few captures.'),
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
